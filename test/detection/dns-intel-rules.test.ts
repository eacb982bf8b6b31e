import type { Finding } from '../../lambda/domain/findings/finding';
import { dnsEvent } from './engine-events';
import { intelFrom, testEngine } from './engine-setup';

/** `.test`, `.invalid` and example.com names only (team rule); events are hand-built (no real lookups). */
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
  { name: 'trusted.txt', text: 'safe.c2.example.test\n', role: 'trusted' },
]);

/** The latest state of each finding raised by the events, in creation order. */
function run(...events: ReturnType<typeof dnsEvent>[]) {
  const engine = testEngine({ intel: LISTS });
  const byId = new Map<string, Finding>();
  // Every change, then the folded repeats' final documents.
  for (const u of [...events.flatMap((e) => engine.process(e)), ...engine.takeFolded()]) byId.set(u.finding.id, u.finding);
  return [...byId.values()];
}

describe('DNS threat intel', () => {
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
  ])('a query for %s raises %s and only that', (query, type) => {
    const findings = run(dnsEvent(query));
    expect(findings.map((f) => f.type)).toEqual([type]);
    expect(findings[0].service.action).toMatchObject({ actionType: 'DNS_REQUEST', dnsRequestAction: { domain: query, blocked: false } });
  });

  it('lets a trusted subdomain beat a listed parent', () => {
    expect(run(dnsEvent('safe.c2.example.test'))).toEqual([]);
  });

  it('raises AbusedDomainRequest.Reputation for a name under a dynamic-DNS suffix, once per registrable domain', () => {
    const findings = run(dnsEvent('myhost.dyn.example.test'), dnsEvent('myhost.dyn.example.test', { offsetMs: 1000 }));
    expect(findings.map((f) => f.type)).toEqual(['Impact:Runtime/AbusedDomainRequest.Reputation']);
    expect(findings[0].service.additionalInfo?.evidence).toMatchObject({ registrableDomain: 'myhost.dyn.example.test' });
  });

  it('raises BitcoinDomainRequest.Reputation for a new crypto-named domain on an abused TLD', () => {
    expect(run(dnsEvent('xmr-payout.top')).map((f) => f.type)).toEqual(['Impact:Runtime/BitcoinDomainRequest.Reputation']);
  });

  it('raises MaliciousDomainRequest.Reputation for a generated-looking name on an abused TLD, Suspicious elsewhere', () => {
    expect(run(dnsEvent('kqzxjvwptrbn.xyz')).map((f) => f.type)).toEqual(['Impact:Runtime/MaliciousDomainRequest.Reputation']);
    expect(run(dnsEvent('kqzxjvwptrbn.test')).map((f) => f.type)).toEqual(['Impact:Runtime/SuspiciousDomainRequest.Reputation']);
  });

  it('raises DGADomainRequest.C!DNS when one process walks several generated names, not for one', () => {
    const names = ['xkqzjvwptb.test', 'zpqvkjxwmr.test', 'wqzkxjvbtp.test', 'vbkqzxjwtr.test'];
    const dga = run(...names.map((n, i) => dnsEvent(n, { offsetMs: i * 1000, rcode: 'NXDOMAIN' }))).filter(
      (f) => f.type === 'Trojan:Runtime/DGADomainRequest.C!DNS',
    );
    expect(dga).toHaveLength(1);
    expect(dga[0].service.count).toBe(2);
    expect(dga[0].service.additionalInfo?.evidence).toMatchObject({ domains: names.slice(0, 3) });
    // Same names from different processes: no DGA finding.
    const spread = run(...names.slice(0, 3).map((n, i) => dnsEvent(n, { pid: 100 + i, exe: `/usr/bin/tool${i}`, rcode: 'NXDOMAIN' })));
    expect(spread.filter((f) => f.type === 'Trojan:Runtime/DGADomainRequest.C!DNS')).toEqual([]);
  });

  it('raises MetadataDNSRebind when a foreign name resolves to the IMDS address (v4 and v6), not for IMDS own names', () => {
    expect(run(dnsEvent('rebind.example.test', { answers: ['169.254.169.254'] })).map((f) => f.type)).toEqual([
      'UnauthorizedAccess:Runtime/MetadataDNSRebind',
    ]);
    expect(run(dnsEvent('rebind6.example.test', { answers: ['fd00:ec2:0::254'] })).map((f) => f.type)).toEqual([
      'UnauthorizedAccess:Runtime/MetadataDNSRebind',
    ]);
    expect(run(dnsEvent('instance-data.ec2.internal', { answers: ['169.254.169.254'] }))).toEqual([]);
    expect(run(dnsEvent('instance-data.eu-west-1.compute.internal', { answers: ['169.254.169.254'] }))).toEqual([]);
    expect(run(dnsEvent('rebind.example.test', { answers: ['169.254.169.253'] })).map((f) => f.type)).not.toContain(
      'UnauthorizedAccess:Runtime/MetadataDNSRebind',
    );
  });

  it('raises nothing for ordinary names', () => {
    const benign = ['www.example.com', 'api.example.com', 'mirror.example.test', 'ip-10-0-0-1.eu-west-1.compute.internal', '1.2.0.192.in-addr.arpa'];
    expect(run(...benign.map((q) => dnsEvent(q)))).toEqual([]);
  });

  it('labels findings from Route 53 Resolver logs as DnsLogs', () => {
    const e = { ...dnsEvent('c2.example.test'), sensor: 'route53-resolver' as const };
    expect(run(e)[0].service.featureName).toBe('DnsLogs');
  });
});
