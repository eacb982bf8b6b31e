import type { ActivityEvent } from '../../lambda/domain/events/runtime-event';
import { DetectionEngine } from '../../lambda/domain/detection/engine';
import { MemoryInstanceState } from '../../lambda/domain/detection/memory-instance-state';
import type { DetectionRule } from '../../lambda/domain/detection/rule';
import { findingId } from '../../lambda/domain/findings/finding-id';
import { ACCOUNT, execEvent, INSTANCE, netEvent } from './engine-events';
import { intelFrom, testEngine } from './engine-setup';

const C2 = intelFrom([{ name: 'c2.txt', text: '198.51.100.66\n198.51.100.67\n', role: 'threat', category: 'c2' }]);
const MIN = 60_000;

/** A rule that raises one finding per exec, aggregated by executable path. */
const execRule: DetectionRule = {
  id: 'test-exec',
  kinds: ['process_exec'],
  types: ['Execution:Runtime/SuspiciousTool'],
  evaluate: (e) => [{ type: 'Execution:Runtime/SuspiciousTool', aggregationKey: e.process.exe, description: `ran ${e.process.exe}` }],
};

describe('DetectionEngine aggregation and ids', () => {
  it('gives a deterministic id per (account, instance, type, key) and counts repeats on one finding', () => {
    const engine = testEngine({ intel: C2 });
    const first = engine.process(netEvent('net_connect', '198.51.100.66', 443, { offsetMs: 0 }));
    // A repeat inside the update interval is folded into the finding: nothing per event, the
    // current document from takeFolded.
    expect(engine.process(netEvent('net_connect', '198.51.100.66', 443, { offsetMs: 30_000 }))).toEqual([]);
    const second = engine.takeFolded();
    expect(engine.takeFolded()).toEqual([]);
    const other = engine.process(netEvent('net_connect', '198.51.100.67', 443, { offsetMs: 40_000 }));
    expect(first[0]).toMatchObject({ change: 'created', publish: true, archived: false });
    expect(first[0].finding.id).toBe(findingId(ACCOUNT, INSTANCE, 'Backdoor:Runtime/C&CActivity.B', '198.51.100.66'));
    expect(first[0].finding.id).toMatch(/^[0-9a-f]{32}$/);
    expect(second[0].finding.id).toBe(first[0].finding.id);
    expect(second[0]).toMatchObject({ change: 'updated', publish: false });
    expect(second[0].finding.service).toMatchObject({ count: 2, eventFirstSeen: first[0].finding.createdAt, eventLastSeen: '2026-11-29T10:00:30.000Z' });
    expect(second[0].finding.updatedAt).toBe('2026-11-29T10:00:30.000Z');
    expect(second[0].finding.createdAt).toBe(first[0].finding.createdAt);
    expect(other[0].finding.id).not.toBe(first[0].finding.id);
    // Same event on another instance or in another account: another id.
    expect(findingId(ACCOUNT, 'i-0fedcba9876543210', 'Backdoor:Runtime/C&CActivity.B', '198.51.100.66')).not.toBe(first[0].finding.id);
    expect(findingId('444455556666', INSTANCE, 'Backdoor:Runtime/C&CActivity.B', '198.51.100.66')).not.toBe(first[0].finding.id);
  });

  it('fills the GuardDuty shape: arn, severity, title, process with lineage, resource role and feature', () => {
    const [u] = testEngine({ intel: C2, partition: 'aws-us-gov', instanceDetails: (id) => ({ instanceId: id, tags: [{ key: 'Team', value: 'web' }] }) }).process(
      netEvent('net_connect', '198.51.100.66', 443),
    );
    const f = u.finding;
    expect(f.arn).toBe(`arn:aws-us-gov:picket:eu-west-1:${ACCOUNT}:detector/picket-test/finding/${f.id}`);
    expect(f).toMatchObject({ schemaVersion: '2.0', severity: 8, title: expect.stringMatching(/command-and-control/), type: 'Backdoor:Runtime/C&CActivity.B' });
    expect(f.resource.instanceDetails.tags).toEqual([{ key: 'Team', value: 'web' }]);
    expect(f.service).toMatchObject({ serviceName: 'picket', detectorId: 'picket-test', resourceRole: 'ACTOR', featureName: 'RuntimeMonitoring' });
    expect(f.service.runtimeDetails?.process).toMatchObject({
      name: 'curl',
      executablePath: '/usr/bin/curl',
      pid: 4242,
      pwd: '/home/ec2-user',
      userId: 1000,
      euid: 1000,
      parentUuid: 'uuid-bash-100',
      lineage: [
        { name: 'bash', pid: 100, executablePath: '/usr/bin/bash', parentUuid: 'uuid-sshd-50' },
        { name: 'sshd', pid: 50, executablePath: '/usr/sbin/sshd' },
      ],
    });
    expect(f.service.runtimeDetails?.context).toEqual({ addressFamily: 'AF_INET', ianaProtocolNumber: 6 });
  });

  it('publishes an update at most once per interval of event time, and flushDue releases the held one', () => {
    const engine = testEngine({ intel: C2, updateIntervalMs: 5 * MIN });
    // Whether the event was published at once (a folded repeat returns nothing).
    const ev = (offsetMs: number) => engine.process(netEvent('net_connect', '198.51.100.66', 443, { offsetMs }))[0]?.publish ?? false;
    expect(ev(0)).toBe(true);
    expect(ev(1 * MIN)).toBe(false);
    expect(ev(2 * MIN)).toBe(false);
    expect(engine.flushDue(Date.parse('2026-11-29T10:04:00Z'))).toEqual([]);
    const due = engine.flushDue(Date.parse('2026-11-29T10:05:00Z'));
    expect(due).toHaveLength(1);
    expect(due[0]).toMatchObject({ change: 'updated', publish: true });
    expect(due[0].finding.service.count).toBe(3);
    expect(engine.flushDue(Date.parse('2026-11-29T10:30:00Z'))).toEqual([]); // nothing pending any more
    // Next repeat is 5 min after the last publication (the flushed update's event time, 10:02).
    expect(ev(6 * MIN)).toBe(false);
    expect(ev(7 * MIN)).toBe(true);
    expect(engine.stats).toMatchObject({ findingsCreated: 1, findingsUpdated: 4, published: 3 });
    // The published documents carried the folded counts; nothing is left to hand out.
    expect(engine.takeFolded()).toEqual([]);
  });

  it('flushAll releases every held update (end of a CLI run)', () => {
    const engine = testEngine({ intel: C2 });
    engine.process(netEvent('net_connect', '198.51.100.66', 443, { offsetMs: 0 }));
    engine.process(netEvent('net_connect', '198.51.100.66', 443, { offsetMs: 1000 }));
    const all = engine.flushAll();
    expect(all.map((u) => u.finding.service.count)).toEqual([2]);
    expect(engine.flushAll()).toEqual([]);
  });

  it('bounds the finding cache (LRU) and forgets pending updates of evicted findings', () => {
    const engine = testEngine({ rules: [execRule], maxCachedFindings: 3 });
    for (let i = 0; i < 10; i++) engine.process(execEvent(`/usr/bin/tool${i}`, { offsetMs: i }));
    expect(engine.cachedFindings()).toHaveLength(3);
    expect(engine.cachedFindings().map((f) => f.service.runtimeDetails?.process?.executablePath)).toEqual([
      '/usr/bin/tool7',
      '/usr/bin/tool8',
      '/usr/bin/tool9',
    ]);
  });

  it('swaps intel on refresh without losing aggregation', () => {
    const engine = testEngine({ intel: C2 });
    engine.process(netEvent('net_connect', '198.51.100.66', 443, { offsetMs: 0 }));
    engine.setIntel(intelFrom([{ name: 'c2-v2.txt', text: '198.51.100.66\n192.0.2.44\n', role: 'threat', category: 'c2' }]));
    engine.process(netEvent('net_connect', '198.51.100.66', 443, { offsetMs: 1000 }));
    const [repeat] = engine.takeFolded();
    expect(repeat?.finding.service.count).toBe(2);
    expect(engine.process(netEvent('net_connect', '198.51.100.67', 443, { offsetMs: 2000 }))).toEqual([]);
    expect(engine.process(netEvent('net_connect', '192.0.2.44', 443, { offsetMs: 3000 }))).toHaveLength(1);
  });

  it('restores a stored finding so a repeat updates it instead of creating it again', () => {
    const first = testEngine({ intel: C2 }).process(netEvent('net_connect', '198.51.100.66', 443))[0].finding;
    const engine = testEngine({ intel: C2 });
    engine.restoreFinding({ ...first, service: { ...first.service, count: 41 } }, Date.parse(first.updatedAt));
    const [u] = engine.process(netEvent('net_connect', '198.51.100.66', 443, { offsetMs: 10 * MIN }));
    expect(u).toMatchObject({ change: 'updated', publish: true });
    expect(u.finding.service.count).toBe(42);
  });
});

describe('DetectionEngine robustness', () => {
  it('isolates rules: one that throws is counted and reported, the others still run', () => {
    const errors: string[] = [];
    const boom: DetectionRule = {
      id: 'boom',
      kinds: ['process_exec'],
      types: [],
      evaluate: () => {
        throw new Error('rule bug');
      },
    };
    const engine = testEngine({ rules: [boom, execRule], onRuleError: (f) => errors.push(`${f.ruleId}:${(f.error as Error).message}`) });
    const updates = [engine.process(execEvent('/usr/bin/nmap')), engine.process(execEvent('/usr/bin/nc'))].flat();
    expect(updates.map((u) => u.finding.type)).toEqual(['Execution:Runtime/SuspiciousTool', 'Execution:Runtime/SuspiciousTool']);
    expect(engine.stats.ruleErrors).toEqual({ boom: 2 });
    expect(errors).toEqual(['boom:rule bug', 'boom:rule bug']);
  });

  it('reports a rule that returns an unknown type instead of publishing it', () => {
    const bad: DetectionRule = { ...execRule, id: 'bad', evaluate: () => [{ type: 'Made:Up/Type', aggregationKey: 'k', description: 'd' }] };
    const engine = testEngine({ rules: [bad] });
    expect(engine.process(execEvent('/usr/bin/ls'))).toEqual([]);
    expect(engine.stats.ruleErrors).toEqual({ bad: 1 });
  });

  it('drops redeliveries by per-instance seq, keeps late-but-new events, and counts stale ones', () => {
    const engine = testEngine({ rules: [execRule] });
    const run = (seq: number, exe = '/usr/bin/a') => engine.process(execEvent(exe, { seq, offsetMs: seq })).length;
    expect(run(10)).toBe(1);
    expect(run(10)).toBe(0); // redelivered
    expect(run(12, '/usr/bin/b')).toBe(1);
    expect(run(11, '/usr/bin/c')).toBe(1); // late but new (out-of-order batch)
    expect(run(11, '/usr/bin/c')).toBe(0);
    expect(run(5000, '/usr/bin/d')).toBe(1);
    expect(run(12, '/usr/bin/b')).toBe(0); // fell out of the window
    expect(engine.stats).toMatchObject({ duplicates: 2, stale: 1 });
    // Another instance has its own sequence.
    expect(engine.process(execEvent('/usr/bin/a', { seq: 10, instanceId: 'i-0fedcba9876543210' }))).toHaveLength(1);
  });

  it('keeps the seq window in instance state, so it survives a JSON round trip (Lambda between batches)', () => {
    const states = new Map<string, MemoryInstanceState>();
    const stateFor = (id: string) => states.get(id) ?? states.set(id, new MemoryInstanceState(id)).get(id)!;
    const a = testEngine({ rules: [execRule], stateFor });
    a.process(execEvent('/usr/bin/a', { seq: 7 }));
    const revived = MemoryInstanceState.fromJSON(JSON.parse(JSON.stringify(states.get(INSTANCE))));
    const b = testEngine({ rules: [execRule], stateFor: () => revived });
    expect(b.process(execEvent('/usr/bin/a', { seq: 7 }))).toEqual([]);
    expect(b.stats.duplicates).toBe(1);
    expect(b.process(execEvent('/usr/bin/a', { seq: 8 }))).toHaveLength(1);
  });

  it('does not deduplicate agentless events (their seq numbers lines of one log file)', () => {
    const engine = testEngine({ intel: C2 });
    const e = { ...netEvent('net_connect', '198.51.100.66', 443, { seq: 1 }), sensor: 'vpc-flow-logs' as const };
    expect(engine.process(e)).toHaveLength(1);
    engine.process({ ...e, ts: '2026-11-29T10:01:00.000Z' });
    expect(engine.takeFolded().map((u) => u.finding.service.count)).toEqual([2]);
  });

  it('rejects and counts events whose instance does not match the sender, or whose time is garbage', () => {
    const engine = testEngine({ rules: [execRule] });
    expect(engine.process(execEvent('/usr/bin/a'), 'i-0fedcba9876543210')).toEqual([]);
    expect(engine.process({ ...execEvent('/usr/bin/a'), ts: 'yesterday' } as ActivityEvent)).toEqual([]);
    expect(engine.process(execEvent('/usr/bin/a'), INSTANCE)).toHaveLength(1);
    expect(engine.stats.rejected).toEqual({ 'source-mismatch': 1, 'bad-timestamp': 1, 'bad-event': 0 });
  });

  it('validates its options with messages that name the option', () => {
    const base = { rules: [], accountId: ACCOUNT, region: 'eu-west-1', detectorId: 'd' };
    expect(() => new DetectionEngine({ ...base, accountId: '12' })).toThrow(/accountId must be a 12-digit/);
    expect(() => new DetectionEngine({ ...base, rules: [execRule, execRule] })).toThrow(/duplicate rule id "test-exec"/);
    expect(() => new DetectionEngine({ ...base, updateIntervalMs: -1 })).toThrow(/updateIntervalMs/);
  });

  it('gives the same findings on a replay (event time only, no clock)', () => {
    const events = [0, 1, 2, 9].map((m) => netEvent('net_connect', '198.51.100.66', 443, { offsetMs: m * MIN, seq: m + 1 }));
    const run = () => {
      const engine = testEngine({ intel: C2 });
      return events.flatMap((e) => engine.process(e));
    };
    expect(run()).toEqual(run());
  });
});
