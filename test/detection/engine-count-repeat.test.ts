import { DetectionEngine, type FindingUpdate } from '../../lambda/domain/detection/engine';
import type { DetectionRule, RuleContext } from '../../lambda/domain/detection/rule';
import { ACCOUNT, execEvent } from './engine-events';

const TYPE = 'Execution:Runtime/SuspiciousTool';

/** Two rules that raise the same findings: one always builds its candidate, one asks countRepeat first. */
function execRule(id: string, askFirst: boolean, calls: { built: number; repeats: number }): DetectionRule {
  return {
    id,
    kinds: ['process_exec'],
    types: [TYPE],
    evaluate(e, ctx) {
      // Severity rises on the third exec of a path, so the repeat path must carry it.
      const severity = e.seq % 3 === 0 ? 8 : undefined;
      if (askFirst && ctx.countRepeat?.(TYPE, e.process.exe, severity)) {
        calls.repeats++;
        return [];
      }
      calls.built++;
      return [{ type: TYPE, aggregationKey: e.process.exe, description: `ran ${e.process.exe}`, ...(severity ? { severity } : {}) }];
    },
  };
}

function engineWith(rule: DetectionRule): DetectionEngine {
  return new DetectionEngine({ rules: [rule], accountId: ACCOUNT, region: 'eu-west-1', detectorId: 'picket-test', updateIntervalMs: 60_000 });
}

function run(engine: DetectionEngine): FindingUpdate[] {
  const out: FindingUpdate[] = [];
  for (let i = 1; i <= 12; i++) {
    const exe = i % 2 === 0 ? '/usr/bin/nmap' : '/usr/bin/socat';
    for (const u of engine.process(execEvent(exe, { offsetMs: i * 20_000, seq: i }))) out.push(u);
    // Folded repeats too, after every event, so each step's document is compared.
    for (const u of engine.takeFolded()) out.push(u);
  }
  for (const u of engine.flushAll()) out.push(u);
  return out;
}

describe('RuleContext.countRepeat', () => {
  it('gives exactly the updates a rule that always returns its candidate gives, without building repeats', () => {
    const plainCalls = { built: 0, repeats: 0 };
    const askingCalls = { built: 0, repeats: 0 };
    const plain = run(engineWith(execRule('plain', false, plainCalls)));
    const asking = run(engineWith(execRule('asking', true, askingCalls)));
    const strip = (updates: FindingUpdate[]) => JSON.parse(JSON.stringify(updates).replaceAll('"asking"', '"plain"'));
    expect(strip(asking)).toEqual(strip(plain));
    expect(plain.length).toBeGreaterThan(12);
    expect(plainCalls).toEqual({ built: 12, repeats: 0 });
    // One candidate per path (the first exec); every later exec was counted as a repeat.
    expect(askingCalls).toEqual({ built: 2, repeats: 10 });
    const finalCounts = new Map(asking.map((u) => [u.finding.id, u.finding.service.count]));
    expect([...finalCounts.values()]).toEqual([6, 6]);
    expect(Math.max(...asking.map((u) => u.finding.severity))).toBe(8);
  });

  it('answers false for a new finding, an unknown type, and outside process', () => {
    let kept: RuleContext | undefined;
    const answers: boolean[] = [];
    const rule: DetectionRule = {
      id: 'probe',
      kinds: ['process_exec'],
      types: [TYPE],
      evaluate(e, ctx) {
        kept = ctx;
        answers.push(ctx.countRepeat?.(TYPE, e.process.exe) ?? false, ctx.countRepeat?.('Not:A/Type', e.process.exe) ?? false);
        return [{ type: TYPE, aggregationKey: e.process.exe, description: 'x' }];
      },
    };
    const engine = engineWith(rule);
    const first = engine.process(execEvent('/usr/bin/nmap', { offsetMs: 0, seq: 1 }));
    const second = engine.process(execEvent('/usr/bin/nmap', { offsetMs: 1000, seq: 2 }));
    expect(first.map((u) => u.change)).toEqual(['created']);
    // The repeat was counted by countRepeat and again by the candidate the probe still returned
    // (both folded: inside the update interval).
    expect(second).toEqual([]);
    expect(engine.takeFolded().map((u) => [u.change, u.publish, u.finding.service.count])).toEqual([['updated', false, 3]]);
    expect(answers).toEqual([false, false, true, false]);
    expect(kept?.countRepeat?.(TYPE, '/usr/bin/nmap')).toBe(false);
    expect(engine.getFinding(first[0]!.finding.id)?.service.count).toBe(3);
  });
});

describe('folded repeats', () => {
  const rule: DetectionRule = {
    id: 'per-exe',
    kinds: ['process_exec'],
    types: [TYPE],
    evaluate: (e) => [{ type: TYPE, aggregationKey: e.process.exe, description: `ran ${e.process.exe}` }],
  };

  it('hands out a folded finding pushed out of the finding cache with the next process call, never dropping its count', () => {
    const engine = new DetectionEngine({ rules: [rule], accountId: ACCOUNT, region: 'eu-west-1', detectorId: 'picket-test', maxCachedFindings: 2 });
    engine.process(execEvent('/usr/bin/a', { offsetMs: 0, seq: 1 }));
    expect(engine.process(execEvent('/usr/bin/a', { offsetMs: 1000, seq: 2 }))).toEqual([]);
    engine.process(execEvent('/usr/bin/b', { offsetMs: 2000, seq: 3 }));
    // A third finding evicts /usr/bin/a, whose second occurrence only lived in the cache.
    const out = engine.process(execEvent('/usr/bin/c', { offsetMs: 3000, seq: 4 }));
    expect(out.map((u) => [u.change, u.publish, u.finding.service.runtimeDetails?.process?.executablePath, u.finding.service.count])).toEqual([
      ['updated', false, '/usr/bin/a', 2],
      ['created', true, '/usr/bin/c', 1],
    ]);
    expect(engine.takeFolded()).toEqual([]);
  });

  it('keeps pushed-out folded findings when process throws, and hands them out afterwards', () => {
    // A candidate whose actor has no lineage makes the engine itself throw (outside the rule's try).
    const broken: DetectionRule = {
      id: 'broken-actor',
      kinds: ['process_exec'],
      types: [TYPE],
      evaluate: (e) => (e.process.exe === '/usr/bin/b' ? [{ type: TYPE, aggregationKey: 'actor', description: 'x', actor: { process: e.process } as never }] : []),
    };
    const engine = new DetectionEngine({ rules: [rule, broken], accountId: ACCOUNT, region: 'eu-west-1', detectorId: 'picket-test', maxCachedFindings: 1 });
    engine.process(execEvent('/usr/bin/a', { offsetMs: 0, seq: 1 }));
    engine.process(execEvent('/usr/bin/a', { offsetMs: 1000, seq: 2 }));
    engine.process(execEvent('/usr/bin/a', { offsetMs: 2000, seq: 3 }));
    // /usr/bin/b's finding pushes the folded /usr/bin/a (count 3) out, then the broken candidate throws.
    expect(() => engine.process(execEvent('/usr/bin/b', { offsetMs: 3000, seq: 4 }))).toThrow();
    expect(engine.takeFolded().map((u) => [u.finding.service.runtimeDetails?.process?.executablePath, u.finding.service.count])).toEqual([['/usr/bin/a', 3]]);
  });

  it('hands out folded repeats of a finding that restoreFinding replaces', () => {
    const engine = new DetectionEngine({ rules: [rule], accountId: ACCOUNT, region: 'eu-west-1', detectorId: 'picket-test' });
    const [created] = engine.process(execEvent('/usr/bin/a', { offsetMs: 0, seq: 1 }));
    engine.process(execEvent('/usr/bin/a', { offsetMs: 1000, seq: 2 }));
    engine.process(execEvent('/usr/bin/a', { offsetMs: 2000, seq: 3 }));
    engine.restoreFinding(created!.finding, 0);
    expect(engine.takeFolded().map((u) => u.finding.service.count)).toEqual([3]);
    expect(engine.getFinding(created!.finding.id)?.service.count).toBe(1);
  });

  it('does not fold when a suppression rule could see the change: every repeat is re-checked and returned', () => {
    const engine = new DetectionEngine({
      rules: [rule],
      accountId: ACCOUNT,
      region: 'eu-west-1',
      detectorId: 'picket-test',
      suppression: [{ name: 'noisy', action: 'ARCHIVE', criterion: { 'service.count': { gte: 3 } } }],
    });
    engine.process(execEvent('/usr/bin/a', { offsetMs: 0, seq: 1 }));
    const second = engine.process(execEvent('/usr/bin/a', { offsetMs: 1000, seq: 2 }));
    const third = engine.process(execEvent('/usr/bin/a', { offsetMs: 2000, seq: 3 }));
    expect(second.map((u) => [u.change, u.publish, u.archived, u.finding.service.count])).toEqual([['updated', false, false, 2]]);
    expect(third.map((u) => [u.change, u.archived, u.suppressedBy, u.finding.service.count])).toEqual([['updated', true, 'noisy', 3]]);
    expect(engine.takeFolded()).toEqual([]);
  });

  it('writes folded counts into what getFinding, cachedFindings, flushDue and takeFolded return', () => {
    const engine = new DetectionEngine({ rules: [rule], accountId: ACCOUNT, region: 'eu-west-1', detectorId: 'picket-test', updateIntervalMs: 60_000 });
    const [created] = engine.process(execEvent('/usr/bin/a', { offsetMs: 0, seq: 1 }));
    for (let i = 2; i <= 5; i++) engine.process(execEvent('/usr/bin/a', { offsetMs: i * 1000, seq: i }));
    const id = created!.finding.id;
    expect(created!.finding.service.count).toBe(1); // the created snapshot is not changed afterwards
    expect(engine.getFinding(id)?.service).toMatchObject({ count: 5, eventLastSeen: '2026-11-29T10:00:05.000Z' });
    expect(engine.cachedFindings().map((f) => f.service.count)).toEqual([5]);
    expect(engine.takeFolded().map((u) => u.finding.updatedAt)).toEqual(['2026-11-29T10:00:05.000Z']);
    engine.process(execEvent('/usr/bin/a', { offsetMs: 6000, seq: 6 }));
    const due = engine.flushDue(Date.parse('2026-11-29T10:01:00.000Z'));
    expect(due.map((u) => [u.publish, u.finding.service.count])).toEqual([[true, 6]]);
    expect(engine.takeFolded()).toEqual([]);
  });
});
