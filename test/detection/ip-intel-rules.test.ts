import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseAuditText } from '../../agent-bootstrap/agent/audit';
import type { ActivityEvent, RuntimeEvent } from '../../lambda/domain/events/runtime-event';
import { INSTANCE, netEvent } from './engine-events';
import { intelFrom, testEngine } from './engine-setup';

/** Loopback and documentation addresses only (team rule): one per category. */
const LISTS = intelFrom([
  { name: 'pools.txt', text: '127.0.0.2\n192.0.2.0/28\n', role: 'threat', category: 'mining_pool' },
  { name: 'c2.txt', text: '::1\n2001:db8:c2::/48\n198.51.100.66\n', role: 'threat', category: 'c2' },
  { name: 'tor.txt', text: '127.0.0.3\n127.0.0.4\n203.0.113.9\n', role: 'threat', category: 'tor_relay' },
  { name: 'blackhole.txt', text: '127.0.0.5\n198.51.100.128/25\n', role: 'threat', category: 'blackhole' },
  { name: 'drop.txt', text: '127.0.0.6\n203.0.113.200\n', role: 'threat', category: 'drop_point' },
  { name: 'trusted.txt', text: '192.0.2.5\n', role: 'trusted' },
]);

function typesFor(events: readonly ActivityEvent[]) {
  const engine = testEngine({ intel: LISTS });
  return events.flatMap((e) => engine.process(e)).map((u) => u.finding.type);
}

describe('IP threat intel (hand-built events, documentation addresses)', () => {
  it.each([
    ['net_connect', '192.0.2.3', 'CryptoCurrency:Runtime/BitcoinTool.B'],
    ['net_connect', '2001:db8:c2::77', 'Backdoor:Runtime/C&CActivity.B'],
    ['net_connect', '198.51.100.66', 'Backdoor:Runtime/C&CActivity.B'],
    ['net_connect', '203.0.113.9', 'UnauthorizedAccess:Runtime/TorClient'],
    ['net_accept', '203.0.113.9', 'UnauthorizedAccess:Runtime/TorRelay'],
    ['net_connect', '198.51.100.200', 'Trojan:Runtime/BlackholeTraffic'],
    ['net_connect', '203.0.113.200', 'Trojan:Runtime/DropPoint'],
  ] as const)('%s to %s raises %s', (kind, ip, type) => {
    const [update] = testEngine({ intel: LISTS }).process(netEvent(kind, ip, 3333));
    expect(update.finding.type).toBe(type);
    expect(update.finding.service.action).toMatchObject({
      actionType: 'NETWORK_CONNECTION',
      networkConnectionAction: {
        connectionDirection: kind === 'net_accept' ? 'INBOUND' : 'OUTBOUND',
        remoteIpDetails: ip.includes(':') ? { ipAddressV6: ip } : { ipAddressV4: ip },
        remotePortDetails: { port: 3333 },
      },
    });
    expect(update.finding.service.additionalInfo?.evidence).toMatchObject({ threatIntelligenceDetails: [{ threatListName: expect.any(String) }] });
    expect(update.finding.resource.instanceDetails.instanceId).toBe(INSTANCE);
  });

  it('raises nothing for unlisted or trusted addresses (trusted inside a listed CIDR)', () => {
    expect(typesFor([netEvent('net_connect', '192.0.2.5', 3333), netEvent('net_connect', '192.0.2.77', 443), netEvent('net_connect', '10.0.0.1', 80)])).toEqual([]);
  });

  it('ignores unix sockets and events without a remote address', () => {
    const unix = { ...netEvent('net_connect', '127.0.0.2', 0), net: { family: 'unix' as const, path: '/run/docker.sock' } };
    expect(typesFor([unix])).toEqual([]);
  });
});

describe('IP threat intel on a real loopback capture (auditd, parsed by the agent pipeline)', () => {
  const fixture = path.resolve(__dirname, 'intel-fixtures/loopback-connections.log');
  const events: RuntimeEvent[] = existsSync(fixture)
    ? parseAuditText(readFileSync(fixture, 'utf8'), { instanceId: INSTANCE, procRoot: null }).events
    : [];
  const activity = events.filter((e): e is ActivityEvent => e.kind !== 'heartbeat');
  const pipelineReady = activity.some((e) => e.kind === 'net_connect');
  if (!pipelineReady) {
    // The audit pipeline belongs to another area and may still be a stub; say so instead of passing silently.
    console.warn('ip-intel-rules: the audit pipeline produced no net_connect events from the fixture; real-capture test skipped');
  }
  (pipelineReady ? it : it.skip)('raises the mining-pool, C2, Tor relay and client, sinkhole and drop-point findings and nothing for unlisted loopback peers', () => {
    const engine = testEngine({ intel: LISTS });
    const latest = new Map<string, { type: string; remote: unknown; count: number }>();
    // Every change, then the folded repeats' final documents.
    for (const u of [...activity.flatMap((e) => engine.process(e)), ...engine.takeFolded()]) {
      const action = u.finding.service.action as { networkConnectionAction: { remoteIpDetails: Record<string, string> } };
      latest.set(u.finding.id, {
        type: u.finding.type,
        remote: Object.values(action.networkConnectionAction.remoteIpDetails)[0],
        count: u.finding.service.count,
      });
    }
    expect([...latest.values()].sort((a, b) => a.type.localeCompare(b.type))).toEqual([
      // outbound connect to [::1]:4444 and the accept of that connection from ::1: one finding, two occurrences
      { type: 'Backdoor:Runtime/C&CActivity.B', remote: '::1', count: 2 },
      { type: 'CryptoCurrency:Runtime/BitcoinTool.B', remote: '127.0.0.2', count: 1 },
      { type: 'Trojan:Runtime/BlackholeTraffic', remote: '127.0.0.5', count: 1 },
      { type: 'Trojan:Runtime/DropPoint', remote: '127.0.0.6', count: 1 },
      { type: 'UnauthorizedAccess:Runtime/TorClient', remote: '127.0.0.4', count: 1 },
      { type: 'UnauthorizedAccess:Runtime/TorRelay', remote: '127.0.0.3', count: 1 },
    ]);
  });
});
