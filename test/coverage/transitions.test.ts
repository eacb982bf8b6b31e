/**
 * Status transitions emit exactly one change event: per transition, never for an unchanged
 * re-evaluation, never twice when the schedule and a heartbeat race on the same instance, and never
 * for a redelivered heartbeat.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { handleHeartbeat } from '../../lambda/coverage/heartbeat';
import { silentLogger } from '../../lambda/coverage/ports';
import { runScheduledEvaluation } from '../../lambda/coverage/scheduled';
import { type CoverageFakes, createCoverageFakes, heartbeatEnvelope, heartbeatFixture, INSTANCE, publishedDetails, recordingMetrics, SETTINGS } from './support';

const T0 = Date.parse('2026-11-29T06:00:00Z');
const MIN = 60_000;
let fakes: CoverageFakes;

beforeEach(() => {
  fakes = createCoverageFakes();
  fakes.serveFixtures(undefined);
});

const schedule = (nowMs: number) => runScheduledEvaluation(fakes.clients, SETTINGS, { nowMs, logger: silentLogger, metrics: recordingMetrics() });
const beat = (file: string, nowMs: number, seq?: number) => {
  const hb = heartbeatFixture(file);
  return handleHeartbeat(fakes.clients, SETTINGS, heartbeatEnvelope(seq === undefined ? hb : { ...hb, seq }), { nowMs, logger: silentLogger, metrics: recordingMetrics() });
};

test('Unhealthy → Healthy → Unhealthy: one event per transition, none while nothing changes', async () => {
  // t0: described, no agent yet → AGENT_NOT_REPORTING (new instance: previous null)
  await schedule(T0);
  expect(publishedDetails(fakes).map((d) => [d['previousStatus'], d['currentStatus']])).toEqual([[null, 'Unhealthy']]);
  // the same evaluation again: no event, no write
  fakes.calls.length = 0;
  await schedule(T0 + MIN);
  expect(fakes.published).toHaveLength(1);
  expect(fakes.calls).not.toContain('DynamoDB.Put');
  // first heartbeat: Unhealthy → Healthy
  await beat('healthy', T0 + 2 * MIN);
  // later heartbeats and schedules while healthy: no further events
  await beat('healthy-later', T0 + 3 * MIN);
  await schedule(T0 + 4 * MIN);
  await schedule(T0 + 5 * MIN);
  // agent goes silent: the schedule notices after the stale limit
  await schedule(T0 + 3 * MIN + (SETTINGS.heartbeatStaleMinutes + 1) * MIN);
  expect(publishedDetails(fakes).map((d) => [d['previousStatus'], d['currentStatus'], (d['issue'] as { kind?: string } | null)?.kind ?? null])).toEqual([
    [null, 'Unhealthy', 'AGENT_NOT_REPORTING'],
    ['Unhealthy', 'Healthy', null],
    ['Healthy', 'Unhealthy', 'AGENT_NOT_REPORTING'],
  ]);
  // every change reached the bus, so none is left pending
  expect(fakes.table.get(INSTANCE)?.pendingChange).toBeUndefined();
  expect(fakes.table.get(INSTANCE)?.statusSince).toBe(new Date(T0 + 3 * MIN + (SETTINGS.heartbeatStaleMinutes + 1) * MIN).toISOString());
});

test('a change of the main issue while Unhealthy is a transition too (one event)', async () => {
  await beat('healthy', T0);
  await beat('spool-filling', T0 + MIN);
  await beat('memory-near-limit', T0 + 2 * MIN, 1002);
  const kinds = publishedDetails(fakes).map((d) => (d['issue'] as { kind?: string } | null)?.kind ?? null);
  // memory-near-limit carries spoolBytes 0: the spool issue clears and the memory issue is the main one
  expect(kinds).toEqual([null, 'SPOOL_FILLING', 'AGENT_MEMORY_NEAR_LIMIT']);
});

test('a redelivered heartbeat (same seq) writes nothing and emits nothing', async () => {
  await beat('healthy', T0);
  fakes.calls.length = 0;
  const again = await beat('healthy', T0 + 1000);
  expect(again.outcome).toBe('ignored');
  expect(fakes.calls).toEqual(['DynamoDB.Get']);
  expect(fakes.published).toHaveLength(1);
});

test('racing writers: the one whose conditional write fails re-reads and reports no duplicate', async () => {
  await schedule(T0); // Unhealthy: AGENT_NOT_REPORTING
  expect(fakes.published).toHaveLength(1);
  // The heartbeat handler reads the record, then the schedule... simulated: the first Put of the
  // heartbeat handler loses to a concurrent writer that already stored the Healthy transition.
  const original = fakes.table.get(INSTANCE)!;
  let raced = false;
  fakes.dynamo.on(PutCommand).callsFake((input) => {
    fakes.calls.push('DynamoDB.Put');
    if (!raced) {
      raced = true;
      // the other writer's version: same Healthy verdict, already written
      fakes.table.set(INSTANCE, { ...(input.Item as typeof original), version: original.version + 1 });
      const error = new Error('The conditional request failed');
      error.name = 'ConditionalCheckFailedException';
      throw error;
    }
    const stored = fakes.table.get(INSTANCE);
    if (stored && stored.version !== input.ExpressionAttributeValues?.[':expected']) {
      const error = new Error('The conditional request failed');
      error.name = 'ConditionalCheckFailedException';
      throw error;
    }
    fakes.table.set(INSTANCE, input.Item);
    return {};
  });
  const outcome = await beat('healthy', T0 + MIN);
  expect(fakes.calls.slice(-3)).toEqual(['DynamoDB.Get', 'DynamoDB.Put', 'DynamoDB.Get']);
  // the loser saw the heartbeat already stored: nothing to write, nothing to publish
  expect(outcome.outcome).toBe('ignored');
  expect(fakes.published).toHaveLength(1);
});
