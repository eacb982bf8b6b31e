/**
 * Folding changes no finding: an engine that folds throttled repeats (no suppression rule for the
 * account) and one that cannot fold (a suppression rule that never matches, so every repeat is
 * re-checked and returned as a document, as before folding existed) see the same random event
 * sequences, with time going back and forth, cache evictions and flushes at random points. What
 * they publish, and the last document each hands out per finding, must be the same.
 */
import fc from 'fast-check';
import { DetectionEngine, type FindingUpdate } from '../../lambda/domain/detection/engine';
import { BUILTIN_RULES } from '../../lambda/domain/detection/rules/index';
import type { ActivityEvent } from '../../lambda/domain/events/runtime-event';
import { ACCOUNT, execEvent, netEvent } from './engine-events';
import { intelFrom } from './engine-setup';

const INTEL = intelFrom([
  { name: 'c2.txt', text: '198.51.100.66\n198.51.100.67\n', role: 'threat', category: 'c2' },
  { name: 'pools.txt', text: '192.0.2.1\n', role: 'threat', category: 'mining_pool' },
]);
const NEVER = [{ name: 'never', action: 'ARCHIVE' as const, criterion: { type: { eq: ['Never:Runtime/Matches'] } } }];

type Step =
  | { op: 'connect'; ip: string; exe: string; dt: number }
  | { op: 'write'; path: string; exe: string; dt: number }
  | { op: 'exec'; exe: string; dt: number }
  | { op: 'flushDue' }
  | { op: 'takeFolded' };

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('connect' as const), ip: fc.constantFrom('198.51.100.66', '198.51.100.67', '192.0.2.1'), exe: fc.constantFrom('/usr/bin/curl', '/tmp/.x/implant'), dt: fc.integer({ min: -90_000, max: 200_000 }) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('write' as const), path: fc.constantFrom('/etc/crontab', '/etc/passwd', '/root/.ssh/authorized_keys'), exe: fc.constantFrom('/usr/bin/dash', '/usr/bin/python3'), dt: fc.integer({ min: -90_000, max: 200_000 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('exec' as const), exe: fc.constantFrom('/usr/bin/nmap', '/tmp/xmrig', '/usr/bin/ls'), dt: fc.integer({ min: -90_000, max: 200_000 }) }) },
  { weight: 1, arbitrary: fc.constant({ op: 'flushDue' as const }) },
  { weight: 1, arbitrary: fc.constant({ op: 'takeFolded' as const }) },
);

function eventOf(s: Exclude<Step, { op: 'flushDue' | 'takeFolded' }>, offsetMs: number, seq: number): ActivityEvent {
  if (s.op === 'connect') return netEvent('net_connect', s.ip, 443, { offsetMs, seq, exe: s.exe });
  const exec = execEvent(s.exe, { offsetMs, seq });
  if (s.op === 'exec') return s.exe === '/tmp/xmrig' ? { ...exec, process: { ...exec.process, argv: ['xmrig', '-o', 'stratum+tcp://192.0.2.1:3333'] } } : exec;
  return { ...exec, kind: 'file_write', syscall: 'openat', file: { path: s.path } } as unknown as ActivityEvent;
}

/** Runs the steps; returns what was published (in order) and the last document handed out per finding. */
function run(steps: readonly Step[], folding: boolean, interval: number, maxCachedFindings: number) {
  const engine = new DetectionEngine({
    rules: BUILTIN_RULES,
    intel: INTEL,
    accountId: ACCOUNT,
    region: 'eu-west-1',
    detectorId: 'picket-test',
    updateIntervalMs: interval,
    maxCachedFindings,
    stateOptions: { learningPeriodMs: 0 },
    ...(folding ? {} : { suppression: NEVER }),
  });
  const published: string[] = [];
  const last = new Map<string, string>();
  const take = (updates: readonly FindingUpdate[]) => {
    for (const u of updates) {
      const doc = JSON.stringify(u.finding);
      last.set(u.finding.id, doc);
      if (u.publish) published.push(doc);
    }
  };
  let offset = 0;
  let seq = 0;
  for (const s of steps) {
    if (s.op === 'flushDue') take(engine.flushDue(Date.parse('2026-11-29T10:00:00.000Z') + offset));
    else if (s.op === 'takeFolded') take(engine.takeFolded());
    else {
      offset = Math.max(0, offset + s.dt);
      take(engine.process(eventOf(s, offset, ++seq)));
    }
  }
  take(engine.takeFolded());
  take(engine.flushAll());
  return { published, last: Object.fromEntries(last) };
}

describe('folding throttled repeats', () => {
  it('publishes and hands out the same documents as an engine that cannot fold', () => {
    let repeated = 0;
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 60 }), fc.constantFrom(0, 60_000, 300_000), fc.constantFrom(1, 2, 3, 1000), (steps, interval, cache) => {
        const folded = run(steps, true, interval, cache);
        const unfolded = run(steps, false, interval, cache);
        expect(folded.published).toEqual(unfolded.published);
        expect(folded.last).toEqual(unfolded.last);
        for (const doc of Object.values(folded.last)) if ((JSON.parse(doc) as { service: { count: number } }).service.count > 1) repeated++;
      }),
      { numRuns: 300 },
    );
    // The sequences did repeat findings (what folding is about), not only create them.
    expect(repeated).toBeGreaterThan(100);
  });
});
