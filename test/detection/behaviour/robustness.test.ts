/**
 * The behaviour rules are pure functions of (event, state): on any schema-valid event — including
 * odd argv, paths and lineages — they return well-formed candidates of their declared types and never
 * throw, and a replay gives the same findings.
 */
import fc from 'fast-check';
import { MemoryInstanceState } from '../../../lambda/domain/detection/memory-instance-state';
import { BEHAVIOUR_RULES } from '../../../lambda/domain/detection/rules/behaviour/index';
import type { ActivityEvent } from '../../../lambda/domain/events/runtime-event';
import { EMPTY_INTEL } from '../../../lambda/domain/intel/intel-index';
import { runtimeEventArb } from '../../events/arbitraries';
import { attack } from './fixtures';
import { parseCapture, replayEvents } from './replay';

describe('behaviour rules on arbitrary events', () => {
  it('never throw and only raise their declared types with a key and a description', () => {
    fc.assert(
      fc.property(fc.array(runtimeEventArb(), { minLength: 1, maxLength: 20 }), (events) => {
        const state = new MemoryInstanceState('i-0a1b2c3d4e5f60718', { learningPeriodMs: 0 });
        for (const event of events) {
          if (event.kind === 'heartbeat') continue;
          const now = Date.parse(event.ts);
          for (const rule of BEHAVIOUR_RULES) {
            if (!rule.kinds.includes(event.kind)) continue;
            const out = rule.evaluate(event as ActivityEvent, { state, intel: EMPTY_INTEL, now });
            for (const c of out) {
              expect(rule.types).toContain(c.type);
              expect(typeof c.aggregationKey).toBe('string');
              expect(c.description.length).toBeGreaterThan(0);
              if (c.severity !== undefined) expect(c.severity >= 1 && c.severity <= 10).toBe(true);
            }
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('give the same findings when a capture is replayed twice', () => {
    const events = parseCapture(attack('reverse-shell-perl'));
    const a = replayEvents(events).findings.map((f) => [f.id, f.type, f.severity, f.service.count]);
    const b = replayEvents(events).findings.map((f) => [f.id, f.type, f.severity, f.service.count]);
    expect(a.length).toBeGreaterThan(0);
    expect(b).toEqual(a);
  });

  it('stay silent on NewBinaryExecuted while the baseline is learning', () => {
    const events = parseCapture(attack('new-binary-executed'));
    const learning = replayEvents(events, { learningPeriodMs: 24 * 60 * 60 * 1000 }).findings;
    expect(learning.filter((f) => f.type === 'Execution:Runtime/NewBinaryExecuted')).toEqual([]);
    const learned = replayEvents(events, { learningPeriodMs: 0 }).findings;
    expect(learned.filter((f) => f.type === 'Execution:Runtime/NewBinaryExecuted').length).toBe(1);
  });
});
