/**
 * Every IP threat-intel type, the outbound port scan and unusual-port egress raised from VPC Flow Log
 * records alone (Picket's custom format, as CloudWatch Logs delivers it). TEST-NET addresses in
 * custom lists; no connection is ever made.
 */
import { PORTSCAN_MIN_HOSTS, PORTSCAN_MIN_PORTS } from '../../lambda/domain/detection/rules/network/outbound-port-scan';
import { UNUSUAL_EGRESS_PORTS } from '../../lambda/domain/detection/rules/network/unusual-port-egress';
import { findingsFromLogs, intelFrom } from './engine';
import { INSTANCE, picketFlowRecord } from './records';

const LISTS = intelFrom([
  { name: 'pools.txt', text: '192.0.2.0/28\n', role: 'threat', category: 'mining_pool' },
  { name: 'c2.txt', text: '198.51.100.66\n2001:db8:c2::/48\n', role: 'threat', category: 'c2' },
  { name: 'tor.txt', text: '203.0.113.9\n', role: 'threat', category: 'tor_relay' },
  { name: 'blackhole.txt', text: '198.51.100.128/25\n', role: 'threat', category: 'blackhole' },
  { name: 'drop.txt', text: '203.0.113.200\n', role: 'threat', category: 'drop_point' },
  { name: 'trusted.txt', text: '192.0.2.5\n203.0.113.77\n', role: 'trusted' },
]);

const run = (...records: string[]) => findingsFromLogs(LISTS, '/aws/picket/flow-logs', records);
const types = (...records: string[]) => run(...records).map((f) => f.type);

describe('IP findings from flow logs alone', () => {
  it.each([
    ['192.0.2.3', 443, 'egress', 'CryptoCurrency:Runtime/BitcoinTool.B'],
    ['198.51.100.66', 443, 'egress', 'Backdoor:Runtime/C&CActivity.B'],
    ['2001:db8:c2::77', 443, 'egress', 'Backdoor:Runtime/C&CActivity.B'],
    ['203.0.113.9', 443, 'egress', 'UnauthorizedAccess:Runtime/TorClient'],
    ['203.0.113.9', 51000, 'ingress', 'UnauthorizedAccess:Runtime/TorRelay'],
    ['198.51.100.200', 443, 'egress', 'Trojan:Runtime/BlackholeTraffic'],
    ['203.0.113.200', 443, 'egress', 'Trojan:Runtime/DropPoint'],
  ] as const)('a flow with %s port %d (%s) raises %s, marked as seen by flow logs only', (remote, port, direction, type) => {
    const local = remote.includes(':') ? '2001:db8:1::5' : '10.0.1.5';
    const record = direction === 'egress' ? picketFlowRecord(remote, port, { local }) : picketFlowRecord(remote, port, { direction: 'ingress', local, srcPort: 9001 });
    const findings = run(record);
    expect(findings.map((f) => f.type)).toEqual([type]);
    expect(findings[0].resource.instanceDetails.instanceId).toBe(INSTANCE);
    expect(findings[0].service.featureName).toBe('FlowLogs');
    expect(findings[0].service.additionalInfo).toMatchObject({ sources: ['vpc-flow-logs'], logsOnly: true });
    expect(findings[0].service.action).toMatchObject({ actionType: 'NETWORK_CONNECTION', networkConnectionAction: { remoteIpDetails: remote.includes(':') ? { ipAddressV6: remote } : { ipAddressV4: remote } } });
  });

  it('a trusted address inside a listed range raises nothing', () => {
    expect(types(picketFlowRecord('192.0.2.5', 443))).toEqual([]);
  });

  it('a rejected attempt to a C2 address still raises (intent), and is counted on the same finding', () => {
    const findings = run(picketFlowRecord('198.51.100.66', 443, { action: 'REJECT' }), picketFlowRecord('198.51.100.66', 443, { offsetS: 60 }));
    expect(findings.map((f) => [f.type, f.service.count])).toEqual([['Backdoor:Runtime/C&CActivity.B', 2]]);
  });
});

describe('Recon:Runtime/Portscan from flow logs', () => {
  const synOnly = { tcpFlags: 2 } as const;

  it('raises one finding when one instance probes many ports of one host with unanswered SYNs', () => {
    const records = Array.from({ length: PORTSCAN_MIN_PORTS + 5 }, (_, i) => picketFlowRecord('198.51.100.20', 1000 + i, { ...synOnly, offsetS: i, srcPort: 50000 + i }));
    const findings = run(...records).filter((f) => f.type === 'Recon:Runtime/Portscan');
    expect(findings).toHaveLength(1);
    expect(findings[0].service.additionalInfo?.evidence).toMatchObject({ scanKind: 'vertical', scannedHost: '198.51.100.20', maxPortsOnOneHost: PORTSCAN_MIN_PORTS });
    expect(findings[0].service.featureName).toBe('FlowLogs');
  });

  it('raises for a horizontal sweep of many hosts on one port (rejected flows)', () => {
    const records = Array.from({ length: PORTSCAN_MIN_HOSTS }, (_, i) => picketFlowRecord(`203.0.113.${10 + i}`, 22, { action: 'REJECT', offsetS: i, srcPort: 50000 + i }));
    expect(run(...records).map((f) => [f.type, f.service.additionalInfo?.evidence])).toEqual([
      ['Recon:Runtime/Portscan', expect.objectContaining({ scanKind: 'horizontal', distinctHosts: PORTSCAN_MIN_HOSTS })],
    ]);
  });

  it('stays silent for the same number of completed connections, and for too few failures', () => {
    const completed = Array.from({ length: PORTSCAN_MIN_PORTS + 5 }, (_, i) => picketFlowRecord('198.51.100.20', 1000 + i, { offsetS: i, srcPort: 50000 + i }));
    expect(types(...completed)).toEqual([]);
    const few = Array.from({ length: PORTSCAN_MIN_PORTS - 1 }, (_, i) => picketFlowRecord('198.51.100.20', 1000 + i, { ...synOnly, offsetS: i, srcPort: 50000 + i }));
    expect(types(...few)).toEqual([]);
  });

  it('does not join failures spread over more than the window', () => {
    const spread = Array.from({ length: PORTSCAN_MIN_PORTS + 5 }, (_, i) => picketFlowRecord('198.51.100.20', 1000 + i, { ...synOnly, offsetS: i * 120, srcPort: 50000 + i }));
    expect(types(...spread)).toEqual([]);
  });
});

describe('Behavior:Runtime/NetworkPortUnusual from flow logs', () => {
  it('raises for egress to a public address on a stratum port (3333), once per port', () => {
    expect(UNUSUAL_EGRESS_PORTS.has(3333)).toBe(true);
    const findings = run(picketFlowRecord('198.51.100.7', 3333), picketFlowRecord('198.51.100.8', 3333, { offsetS: 5 }));
    expect(findings.map((f) => [f.type, f.service.count, f.service.featureName])).toEqual([['Behavior:Runtime/NetworkPortUnusual', 2, 'FlowLogs']]);
  });

  it('stays silent for everyday ports on the miner list (8080), private destinations, and inbound flows', () => {
    expect(types(picketFlowRecord('198.51.100.7', 8080))).toEqual([]);
    expect(types(picketFlowRecord('10.0.2.9', 3333))).toEqual([]);
    expect(types(picketFlowRecord('198.51.100.7', 3333, { direction: 'ingress', srcPort: 40000 }))).toEqual([]);
  });

  it('leaves a listed address to the intel rule (no second finding)', () => {
    expect(types(picketFlowRecord('192.0.2.3', 3333))).toEqual(['CryptoCurrency:Runtime/BitcoinTool.B']);
  });
});
