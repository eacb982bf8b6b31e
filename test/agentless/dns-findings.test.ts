/**
 * Every `!DNS` and `.Reputation` type and MetadataDNSRebind raised from Route 53 Resolver query log
 * records alone (no agent event), through a CloudWatch Logs delivery, the parser and the shared engine.
 * Names are `.test`/`.invalid`/`.example` in custom lists; no lookup ever happens.
 */
import { INSTANCE, resolverRecord } from './records';
import { findingsFromLogs, intelFrom } from './engine';

const LISTS = intelFrom([
  { name: 'pools.txt', text: 'pool.example.test\n', role: 'threat', category: 'mining_pool' },
  { name: 'c2.txt', text: 'c2.example.test\n', role: 'threat', category: 'c2' },
  { name: 'blackhole.txt', text: 'sinkholed.example.test\n', role: 'threat', category: 'blackhole' },
  { name: 'drop.txt', text: 'drop.example.test\n', role: 'threat', category: 'drop_point' },
  { name: 'dga.txt', text: 'qxkzjwvb.invalid\n', role: 'threat', category: 'dga' },
  { name: 'driveby.txt', text: 'exploitkit.example.test\n', role: 'threat', category: 'drive_by' },
  { name: 'phish.txt', text: 'login-example.test\n', role: 'threat', category: 'phishing' },
  { name: 'malicious.txt', text: 'malware-host.example.test\n', role: 'threat', category: 'malicious' },
  { name: 'suspicious.txt', text: 'tunnel.example.test\n', role: 'threat', category: 'suspicious' },
  { name: 'dyn.txt', text: 'dyn.example.test\n', role: 'threat', category: 'dynamic_dns' },
]);

const run = (...records: string[]) => findingsFromLogs(LISTS, '/aws/picket/resolver-query-logs', records);

describe('DNS findings from resolver query logs alone', () => {
  it.each([
    ['a.pool.example.test', 'CryptoCurrency:Runtime/BitcoinTool.B!DNS'],
    ['c2.example.test', 'Backdoor:Runtime/C&CActivity.B!DNS'],
    ['x.sinkholed.example.test', 'Trojan:Runtime/BlackholeTraffic!DNS'],
    ['drop.example.test', 'Trojan:Runtime/DropPoint!DNS'],
    ['qxkzjwvb.invalid', 'Trojan:Runtime/DGADomainRequest.C!DNS'],
    ['cdn.exploitkit.example.test', 'Trojan:Runtime/DriveBySourceTraffic!DNS'],
    ['login-example.test', 'Trojan:Runtime/PhishingDomainRequest!DNS'],
    ['malware-host.example.test', 'Impact:Runtime/MaliciousDomainRequest.Reputation'],
    ['tunnel.example.test', 'Impact:Runtime/SuspiciousDomainRequest.Reputation'],
    ['myhost.dyn.example.test', 'Impact:Runtime/AbusedDomainRequest.Reputation'],
    // The reputation model (no list): a new crypto-named domain on an abused TLD.
    ['xmr-payout.top', 'Impact:Runtime/BitcoinDomainRequest.Reputation'],
  ])('a resolver record for %s raises %s, marked as seen by DNS logs only', (name, type) => {
    const findings = run(resolverRecord(name));
    expect(findings.map((f) => f.type)).toEqual([type]);
    const [f] = findings;
    expect(f.resource.instanceDetails.instanceId).toBe(INSTANCE);
    expect(f.service.featureName).toBe('DnsLogs');
    expect(f.service.additionalInfo).toMatchObject({ sources: ['route53-resolver'], logsOnly: true, sensors: ['route53-resolver'] });
    expect(f.service.action).toMatchObject({ actionType: 'DNS_REQUEST', dnsRequestAction: { domain: name } });
  });

  it('raises DGADomainRequest.C!DNS from several generated NXDOMAIN names of one instance', () => {
    const names = ['xkqzjvwptb.test', 'zpqvkjxwmr.test', 'wqzkxjvbtp.test'];
    const findings = run(...names.map((n, i) => resolverRecord(n, { offsetS: i, rcode: 'NXDOMAIN', answers: [] })));
    expect(findings.map((f) => f.type)).toContain('Trojan:Runtime/DGADomainRequest.C!DNS');
  });

  it('raises MetadataDNSRebind when a foreign name resolves to the IMDS address, not for IMDS own name', () => {
    expect(run(resolverRecord('rebind.example.test', { answers: ['169.254.169.254'] })).map((f) => f.type)).toEqual(['UnauthorizedAccess:Runtime/MetadataDNSRebind']);
    expect(run(resolverRecord('instance-data.ec2.internal', { answers: ['169.254.169.254'] }))).toEqual([]);
  });

  it('raises nothing for an ordinary name seen before in the account', () => {
    expect(run(resolverRecord('www.example.com'), resolverRecord('www.example.com', { offsetS: 1 }))).toEqual([]);
  });
});
