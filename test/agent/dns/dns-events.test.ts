/**
 * The real capture end to end: resolvectl monitor lines (with their read times) and the audit trail of the same
 * run through DnsPipeline, to `dns_query` events that validate against the contract and that the detector acts on.
 */
import { DnsPipeline, type ResolvedDnsEvent } from '../../../agent-bootstrap/agent/dns/dns-pipeline';
import { DetectionEngine } from '../../../lambda/domain/detection/engine';
import { BUILTIN_RULES } from '../../../lambda/domain/detection/rules/index';
import type { ActivityEvent } from '../../../lambda/domain/events/runtime-event';
import { validateRuntimeEvent } from '../../../lambda/domain/events/validate';
import { loadIntelFromStrings } from '../../../lambda/domain/intel/loader';
import { auditEvents, counter, INSTANCE_ID, monitorLines, networkDownLines, readTimes } from './resolved-fixtures';

function replay(lines: string[], times: number[], withAudit: boolean): ResolvedDnsEvent[] {
  const pipeline = new DnsPipeline({ instanceId: INSTANCE_ID, nextSeq: counter(100) });
  if (withAudit) for (const e of auditEvents()) pipeline.observeAudit(e);
  lines.forEach((line, i) => {
    expect(pipeline.pushLine(line, i + 1, times[i]!).issue).toBeUndefined();
  });
  return pipeline.flush();
}

const captured = () => replay(monitorLines(), readTimes(), true);
const brief = (e: ResolvedDnsEvent) => ({ query: e.dns.query, qtype: e.dns.qtype, rcode: e.dns.rcode, answers: e.dns.answers });

describe('resolved monitor capture -> dns_query events', () => {
  it('emits one valid v1 event per question, in monitor order, with increasing seq', () => {
    const events = captured();
    // 17 lines: 9 with an A+AAAA question pair (D-Bus, varlink), 8 with one question.
    expect(events).toHaveLength(26);
    for (const event of events) {
      expect(validateRuntimeEvent(event)).toEqual({ ok: true, event });
      expect(event).toMatchObject({ v: 1, kind: 'dns_query', instanceId: INSTANCE_ID, sensor: 'resolved' });
    }
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => 101 + i));
    expect(events.map((e) => e.ts)).toEqual([...events.map((e) => e.ts)].sort());
  });

  it('makes the answer to 169.254.169.254 (and fd00:ec2::254) visible', () => {
    const events = captured();
    expect(events.filter((e) => e.dns.answers?.includes('169.254.169.254')).map(brief)).toEqual(
      Array(3).fill({ query: 'rebind.picket.test', qtype: 'A', rcode: 'NOERROR', answers: ['169.254.169.254'] }),
    );
    expect(events.filter((e) => e.dns.query === 'rebind6.picket.test').map(brief)).toEqual([{ query: 'rebind6.picket.test', qtype: 'AAAA', rcode: 'NOERROR', answers: ['fd00:ec2::254'] }]);
  });

  it('follows the CNAME chain and keeps the answers of each question type apart', () => {
    const alias = captured().filter((e) => e.dns.query === 'alias.picket.test').map(brief);
    expect(alias).toEqual([
      { query: 'alias.picket.test', qtype: 'A', rcode: 'NOERROR', answers: ['www.picket.test', '192.0.2.10'] },
      { query: 'alias.picket.test', qtype: 'AAAA', rcode: 'NOERROR', answers: ['www.picket.test', '2001:db8::10'] },
      { query: 'alias.picket.test', qtype: 'A', rcode: 'NOERROR', answers: ['www.picket.test', '192.0.2.10'] },
    ]);
  });

  it('names rcodes and types as Route 53 Resolver logs do, and normalises the name spelling', () => {
    const events = captured().map(brief);
    expect(events).toContainEqual({ query: 'nosuch.picket.test', qtype: 'A', rcode: 'NXDOMAIN', answers: [] });
    expect(events).toContainEqual({ query: 'servfail.picket.test', qtype: 'AAAA', rcode: 'SERVFAIL', answers: [] });
    expect(events).toContainEqual({ query: 'refused.picket.test', qtype: 'A', rcode: 'REFUSED', answers: [] });
    expect(events).toContainEqual({ query: '10.2.0.192.in-addr.arpa', qtype: 'PTR', rcode: 'NXDOMAIN', answers: [] });
    expect(events).toContainEqual({ query: 'txt.picket.test', qtype: 'TXT', rcode: 'NOERROR', answers: ['v=picket capture'] });
    // Asked as "WWW.Picket.TEST." through resolvectl.
    expect(events.filter((e) => e.query === 'www.picket.test')).toHaveLength(4);
    expect(events.some((e) => /[A-Z]|\.$/.test(e.query))).toBe(false);
  });

  it('reports network-down results without an rcode, with resolved state', () => {
    const lines = networkDownLines();
    const events = replay(lines, lines.map((_, i) => 1_700_000_000_000 + i), false);
    expect(events.length).toBeGreaterThan(lines.length);
    // resolved synthesises localhost itself, network or not.
    const [local, others] = [events.filter((e) => e.dns.query === 'localhost'), events.filter((e) => e.dns.query !== 'localhost')];
    expect(local.map(brief)).toEqual([
      { query: 'localhost', qtype: 'A', rcode: 'NOERROR', answers: ['127.0.0.1'] },
      { query: 'localhost', qtype: 'AAAA', rcode: 'NOERROR', answers: [] },
    ]);
    for (const e of others) {
      expect(e.dns.rcode).toBeUndefined();
      expect(e.dns.resolvedState).toBe('network-down');
      expect(e.dns.answers).toEqual([]);
      expect(validateRuntimeEvent(e).ok).toBe(true);
    }
  });
});

describe('attribution of the captured results to processes', () => {
  const byFrontDoor = () => {
    const events = captured();
    const exe = (e: ResolvedDnsEvent) => e.process.exe.split('/').pop();
    return events.map((e) => ({ query: e.dns.query, qtype: e.dns.qtype, status: e.dns.attribution.status, via: 'via' in e.dns.attribution ? e.dns.attribution.via : undefined, exe: exe(e), pid: e.process.pid }));
  };

  it('leaves the D-Bus queries (resolvectl query) unattributed, with the placeholder process', () => {
    const events = captured().slice(0, 16); // the first 9 lines: resolvectl query over D-Bus
    for (const e of events) {
      expect(e.dns.attribution).toEqual({ status: 'unattributed', reason: 'no-front-door-connect' });
      expect(e.process).toMatchObject({ pid: 0, exe: '', uuid: 'unknown' });
      expect(e.lineage).toEqual([]);
      expect(e.dns.resolverIp).toBeUndefined();
    }
  });

  it('attributes nss-resolve (varlink) lookups to getent, one process per lookup', () => {
    const varlink = byFrontDoor().filter((e) => e.via === 'varlink');
    expect(varlink.map((e) => [e.query, e.qtype, e.exe])).toEqual([
      ['rebind.picket.test', 'A', 'getent'],
      ['rebind.picket.test', 'AAAA', 'getent'],
      ['pool.miner.example', 'A', 'getent'],
      ['pool.miner.example', 'AAAA', 'getent'],
    ]);
    expect(new Set(varlink.map((e) => e.pid)).size).toBe(2);
  });

  it('attributes stub (127.0.0.53) queries to the process that connected, with its lineage', () => {
    const events = captured();
    const stub = events.filter((e) => 'via' in e.dns.attribution && e.dns.attribution.via === 'stub');
    expect(stub.map((e) => [e.dns.query, e.process.exe.split('/').pop()])).toEqual([
      ['alias.picket.test', 'getent'],
      ['rebind6.picket.test', 'getent'],
      ['txt.picket.test', 'node'],
      ['refused.picket.test', 'node'],
      ['pool.miner.example', 'node'],
      ['rebind.picket.test', 'node'],
    ]);
    for (const e of stub) {
      expect(e.dns.resolverIp).toBe('127.0.0.53');
      expect(e.dns.attribution).toMatchObject({ status: 'attributed', lagMs: expect.any(Number) });
      expect(e.process.pid).toBeGreaterThan(0);
      expect(e.process.argv[0]).toMatch(/getent|node/);
      expect(e.lineage.length).toBeGreaterThan(0);
    }
    // Each stub query ran in its own process: six different pids.
    expect(new Set(stub.map((e) => e.process.pid)).size).toBe(6);
  });

  it('names the client of the rebinding answer in the MetadataDNSRebind finding, and the pool lookup raises the intel finding', () => {
    const { intel, errors } = loadIntelFromStrings([{ name: 'pools.txt', text: 'miner.example\n', role: 'threat', category: 'mining_pool' }]);
    expect(errors).toEqual([]);
    const engine = () => new DetectionEngine({ rules: BUILTIN_RULES, intel, accountId: '111122223333', region: 'eu-west-1', detectorId: 'picket-test' });
    const events = captured();
    const all = engine();
    // Every change, then the final documents of repeats the engine folded.
    const findings = [...events.flatMap((e) => all.process(e as ActivityEvent)), ...all.takeFolded()].map((u) => u.finding);
    const rebind = findings.filter((f) => f.type === 'UnauthorizedAccess:Runtime/MetadataDNSRebind');
    // Every lookup answered with IMDS's address is counted: rebind.picket.test three times (D-Bus, varlink,
    // stub) and rebind6.picket.test (fd00:ec2::254) once; the engine aggregates them per process.
    const latest = new Map(rebind.map((f) => [f.id, f.service.count]));
    expect([...latest.values()].reduce((a, b) => a + b, 0)).toBe(4);
    expect(findings.map((f) => f.type)).toContain('CryptoCurrency:Runtime/BitcoinTool.B!DNS');
    // The stub lookup on its own: the finding names the process that asked.
    const stubLookup = events.filter((e) => e.dns.query === 'rebind.picket.test' && e.process.exe === '/usr/bin/node');
    expect(stubLookup).toHaveLength(1);
    const [alone] = engine().process(stubLookup[0] as ActivityEvent);
    expect(alone?.finding.type).toBe('UnauthorizedAccess:Runtime/MetadataDNSRebind');
    expect(alone?.finding.service.runtimeDetails?.process).toMatchObject({ executablePath: '/usr/bin/node', pid: stubLookup[0]!.process.pid });
  });
});
