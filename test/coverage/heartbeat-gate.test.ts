/**
 * The heartbeat handler trusts only the instance named in `source` (bound by IAM): a body about another
 * instance, another account, or events of the wrong kind are refused before the table is touched.
 */
import { handleHeartbeat } from '../../lambda/coverage/heartbeat';
import { silentLogger } from '../../lambda/coverage/ports';
import { validateRuntimeEvent } from '../../lambda/domain/events/validate';
import { DETAIL_TYPE_EVENTS } from '../../lambda/domain/events/runtime-event';
import { type CoverageFakes, createCoverageFakes, heartbeatEnvelope, heartbeatFixture, INSTANCE, recordingMetrics, SETTINGS } from './support';

const NOW = Date.parse('2026-11-29T06:20:00Z');
const OTHER = 'i-0fedcba9876543210';
let fakes: CoverageFakes;

beforeEach(() => {
  fakes = createCoverageFakes();
});

const run = (event: unknown, accountIds?: string[]) => {
  const metrics = recordingMetrics();
  return handleHeartbeat(fakes.clients, SETTINGS, event, { nowMs: NOW, logger: silentLogger, metrics, ...(accountIds ? { accountIds } : {}) }).then((outcome) => ({ outcome, metrics }));
};

test('the heartbeat fixtures are valid runtime events of the one schema (agent and coverage agree)', () => {
  for (const name of ['healthy', 'healthy-later', 'events-dropped', 'spool-filling', 'audit-events-lost', 'memory-near-limit', 'unsupported-kernel']) {
    const result = validateRuntimeEvent(heartbeatFixture(name));
    expect(result.ok ? 'valid' : result.reason).toBe('valid');
  }
});

test('every heartbeat field the agent sends is kept in the coverage record (no field of the schema is lost)', async () => {
  const sent = heartbeatFixture('memory-near-limit');
  await run(heartbeatEnvelope(heartbeatFixture('healthy')));
  await run(heartbeatEnvelope(sent));
  const stored = fakes.table.get(INSTANCE)!.heartbeat as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(sent.heartbeat)) expect([key, stored[key]]).toEqual([key, value]);
  expect(stored['seq']).toBe(sent.seq);
});

test('a genuine heartbeat is recorded for the sender', async () => {
  const { outcome, metrics } = await run(heartbeatEnvelope(heartbeatFixture('healthy')));
  expect(outcome.outcome).toBe('recorded');
  expect(fakes.table.get(INSTANCE)?.heartbeat?.agentVersion).toBe(heartbeatFixture('healthy').heartbeat.agentVersion);
  expect(metrics.heartbeats).toHaveLength(1);
});

test('source names one instance, the batch another: refused, table untouched', async () => {
  const { outcome, metrics } = await run(heartbeatEnvelope(heartbeatFixture('healthy'), { sourceInstance: OTHER }));
  expect(outcome).toMatchObject({ outcome: 'rejected', reason: expect.stringMatching(/differs from the sender i-0fedcba9876543210/) });
  expect(fakes.calls).toEqual([]);
  expect(fakes.table.size).toBe(0);
  expect(metrics.rejections).toEqual([1]);
});

test('events inside the batch about another instance are refused even when the envelope agrees', async () => {
  const forged = { ...heartbeatFixture('healthy'), instanceId: OTHER };
  const { outcome } = await run(heartbeatEnvelope(forged, { sourceInstance: INSTANCE, detailInstance: INSTANCE }));
  expect(outcome.outcome).toBe('ignored');
  expect(fakes.table.size).toBe(0);
});

test('an account that differs from the one in source is refused', async () => {
  const { outcome } = await run(heartbeatEnvelope(heartbeatFixture('healthy'), { account: '444455556666' }));
  expect(outcome).toMatchObject({ outcome: 'rejected', reason: expect.stringMatching(/source names an instance of another account/) });
  expect(fakes.calls).toEqual([]);
});

test('runtime-event batches routed to the heartbeat handler are refused', async () => {
  const { outcome } = await run(heartbeatEnvelope(heartbeatFixture('healthy'), { detailType: DETAIL_TYPE_EVENTS }));
  expect(outcome.outcome).toBe('rejected');
  expect(fakes.calls).toEqual([]);
});

test('accounts outside accountIds are refused', async () => {
  const { outcome } = await run(heartbeatEnvelope(heartbeatFixture('healthy')), ['999988887777']);
  expect(outcome).toMatchObject({ outcome: 'rejected', reason: expect.stringMatching(/111122223333 is not one this coverage serves/) });
});

test('a malformed event is refused with a reason, never thrown', async () => {
  const { outcome } = await run({ source: 'picket.agent/nonsense' });
  expect(outcome.outcome).toBe('rejected');
});
