/**
 * Every DNS finding type from a REAL capture: systemd-resolved 252 answering the queries of
 * test/fixtures/dns-resolved/findings-queries.sh (captured by `capture.sh findings`, with the audit trail of the
 * same run for attribution), turned into dns_query events by the agent's DnsPipeline and judged by the built-in
 * rules. Names are under .test and were answered by a loopback server; their categories come from the threat
 * lists below, as an operator's lists would give them. The nearest benign neighbours (ordinary names of the same
 * zone, asked the same way) must raise nothing of Medium or higher.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAuditText } from '../../agent-bootstrap/agent/audit/index';
import { DnsPipeline, type ResolvedDnsEvent } from '../../agent-bootstrap/agent/dns/dns-pipeline';
import { DetectionEngine } from '../../lambda/domain/detection/engine';
import { BUILTIN_RULES } from '../../lambda/domain/detection/rules/index';
import type { ActivityEvent } from '../../lambda/domain/events/runtime-event';
import type { Finding } from '../../lambda/domain/findings/finding';
import { loadIntelFromStrings } from '../../lambda/domain/intel/loader';

const DIR = join(__dirname, '../fixtures/dns-resolved/findings');
const INSTANCE = 'i-0123456789abcdef0';
const read = (name: string) => readFileSync(join(DIR, name), 'utf8').split('\n').filter((l) => l.length > 0);

function capturedEvents(): ResolvedDnsEvent[] {
  let seq = 0;
  const audit = parseAuditText(readFileSync(join(DIR, 'audit.log'), 'utf8'), { instanceId: INSTANCE, procRoot: null, hashExecutables: false, nextSeq: () => ++seq }).events;
  const pipeline = new DnsPipeline({ instanceId: INSTANCE, nextSeq: () => ++seq });
  for (const e of audit) pipeline.observeAudit(e);
  const times = read('monitor.read-ms.txt').map(Number);
  read('monitor.jsonl').forEach((line, i) => {
    expect(pipeline.pushLine(line, i + 1, times[i]!).issue).toBeUndefined();
  });
  return pipeline.flush();
}

const { intel, errors } = loadIntelFromStrings([
  { name: 'pools.txt', text: 'pool.picket.test\n', role: 'threat', category: 'mining_pool' },
  { name: 'c2.txt', text: 'c2.picket.test\n', role: 'threat', category: 'c2' },
  { name: 'sinkholes.txt', text: 'sinkhole.picket.test\n', role: 'threat', category: 'blackhole' },
  { name: 'drops.txt', text: 'drop.picket.test\n', role: 'threat', category: 'drop_point' },
  { name: 'exploit-kits.txt', text: 'exploitkit.picket.test\n', role: 'threat', category: 'drive_by' },
  { name: 'phishing.txt', text: 'phish.picket.test\n', role: 'threat', category: 'phishing' },
  { name: 'dga.txt', text: 'dgalist.picket.test\n', role: 'threat', category: 'dga' },
  { name: 'malicious.txt', text: 'malicious.picket.test\n', role: 'threat', category: 'malicious' },
  { name: 'suspicious.txt', text: 'suspicious.picket.test\n', role: 'threat', category: 'suspicious' },
  { name: 'dyndns.txt', text: 'dyn.picket.test\n', role: 'threat', category: 'dynamic_dns' },
]);

const events = capturedEvents();
const byQuery = new Map<string, Finding[]>();
const engine = new DetectionEngine({ rules: BUILTIN_RULES, intel, accountId: '111122223333', region: 'eu-west-1', detectorId: 'picket-test' });
for (const e of events) {
  for (const u of engine.process(e as ActivityEvent)) {
    const list = byQuery.get(e.dns.query) ?? [];
    list.push(u.finding);
    byQuery.set(e.dns.query, list);
  }
}
const typesFor = (query: string) => new Set((byQuery.get(query) ?? []).map((f) => f.type));

test('the capture parses, lists load, and every lookup is attributed to the process that asked', () => {
  expect(errors).toEqual([]);
  expect(events).toHaveLength(19);
  for (const e of events) {
    expect(e.dns.attribution.status).toBe('attributed');
    expect(['/usr/bin/node', '/usr/bin/getent']).toContain(e.process.exe);
  }
});

test.each([
  ['stratum.pool.picket.test', 'CryptoCurrency:Runtime/BitcoinTool.B!DNS'],
  ['beacon.c2.picket.test', 'Backdoor:Runtime/C&CActivity.B!DNS'],
  ['x.sinkhole.picket.test', 'Trojan:Runtime/BlackholeTraffic!DNS'],
  ['upload.drop.picket.test', 'Trojan:Runtime/DropPoint!DNS'],
  ['cdn.exploitkit.picket.test', 'Trojan:Runtime/DriveBySourceTraffic!DNS'],
  ['login.phish.picket.test', 'Trojan:Runtime/PhishingDomainRequest!DNS'],
  ['kqzvxj.dgalist.picket.test', 'Trojan:Runtime/DGADomainRequest.C!DNS'],
  ['payload.malicious.picket.test', 'Impact:Runtime/MaliciousDomainRequest.Reputation'],
  ['tunnel.suspicious.picket.test', 'Impact:Runtime/SuspiciousDomainRequest.Reputation'],
  ['myhome.dyn.picket.test', 'Impact:Runtime/AbusedDomainRequest.Reputation'],
  ['xmrpayouts.dyn.picket.test', 'Impact:Runtime/BitcoinDomainRequest.Reputation'],
  ['qzxkvbwjtpmr.dyn.picket.test', 'Impact:Runtime/MaliciousDomainRequest.Reputation'],
])('%s raises %s, naming the process that asked', (query, type) => {
  expect(typesFor(query)).toContain(type);
  const finding = byQuery.get(query)!.find((f) => f.type === type)!;
  const asked = events.find((e) => e.dns.query === query)!;
  expect(finding.service.runtimeDetails?.process).toMatchObject({ executablePath: asked.process.exe, pid: asked.process.pid });
  expect(finding.service.action).toMatchObject({ actionType: 'DNS_REQUEST', dnsRequestAction: { domain: query } });
});

test('one process walking four generated-looking names that do not exist raises DGADomainRequest.C!DNS (behaviour, no list)', () => {
  const walk = events.filter((e) => e.dns.query.endsWith('.test') && e.dns.query.split('.').length === 2);
  expect(walk.map((e) => e.dns.rcode)).toEqual(['NXDOMAIN', 'NXDOMAIN', 'NXDOMAIN', 'NXDOMAIN']);
  expect(new Set(walk.map((e) => e.process.pid)).size).toBe(1);
  expect(typesFor(walk[0]!.dns.query)).not.toContain('Trojan:Runtime/DGADomainRequest.C!DNS'); // one odd name is not a DGA
  expect(typesFor(walk[2]!.dns.query)).toContain('Trojan:Runtime/DGADomainRequest.C!DNS');
});

test('the ordinary names asked the same way raise nothing of Medium or higher', () => {
  for (const query of ['www.picket.test', 'alias.picket.test']) {
    const serious = (byQuery.get(query) ?? []).filter((f) => f.severity >= 4);
    expect(serious.map((f) => `${query}: ${f.type}`)).toEqual([]);
  }
});
