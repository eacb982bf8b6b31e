/**
 * The batcher's serialiser writes each lineage view once and reuses it: the JSON must parse to exactly what
 * JSON.stringify gives, for arbitrary contract events and for real captures parsed by the agent (whose lineage
 * views are shared across events).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { parseAuditText } from '../../agent-bootstrap/agent/audit/index';
import { serialiseEvent } from '../../agent-bootstrap/agent/delivery/serialise';
import { runtimeEventArb } from '../events/arbitraries';

test('parses to the same value as JSON.stringify for any valid event (property)', () => {
  fc.assert(
    fc.property(runtimeEventArb(), (event) => {
      expect(JSON.parse(serialiseEvent(event))).toEqual(JSON.parse(JSON.stringify(event)));
    }),
    { numRuns: 300 },
  );
});

test('real capture events, serialised twice (second time from the cache), equal JSON.stringify', () => {
  const text = readFileSync(join(__dirname, '../fixtures/attacks/reverse-shell-bash.log'), 'utf8');
  const { events } = parseAuditText(text, { instanceId: 'i-0123456789abcdef0', procRoot: null });
  const withLineage = events.filter((e) => ((e as { lineage?: unknown[] }).lineage?.length ?? 0) > 0);
  expect(withLineage.length).toBeGreaterThan(5);
  for (let round = 0; round < 2; round++) {
    for (const e of events) expect(JSON.parse(serialiseEvent(e))).toEqual(JSON.parse(JSON.stringify(e)));
  }
});

test('an event whose only property is lineage is still valid JSON', () => {
  const odd = { lineage: [{ pid: 1, exe: '/sbin/init' }] } as never;
  expect(JSON.parse(serialiseEvent(odd))).toEqual({ lineage: [{ pid: 1, exe: '/sbin/init' }] });
});
