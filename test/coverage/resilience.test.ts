/**
 * Degraded conditions: an invocation running short of time keeps the previous association verdicts
 * instead of timing out; entries EventBridge refuses are retried, and a persistent refusal is a
 * PublishError (so the invocation fails loudly and the alarm on errors fires).
 */
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { PublishError } from '../../lambda/coverage/errors';
import { silentLogger } from '../../lambda/coverage/ports';
import { runScheduledEvaluation } from '../../lambda/coverage/scheduled';
import { type CoverageFakes, createCoverageFakes, INSTANCE, recordingMetrics, SETTINGS } from './support';

const NOW = Date.parse('2026-11-29T06:30:00Z');
let fakes: CoverageFakes;

beforeEach(() => {
  fakes = createCoverageFakes();
});

test('short of time: association lookups are skipped, the previous association verdict is kept', async () => {
  fakes.serveFixtures('SSM_ASSOCIATION_FAILED');
  await runScheduledEvaluation(fakes.clients, SETTINGS, { nowMs: NOW, logger: silentLogger, metrics: recordingMetrics() });
  expect(fakes.table.get(INSTANCE)?.issue?.kind).toBe('SSM_ASSOCIATION_FAILED');
  fakes.calls.length = 0;
  const warnings: string[] = [];
  const result = await runScheduledEvaluation(fakes.clients, SETTINGS, {
    nowMs: NOW + 5 * 60_000,
    remainingMs: () => 10_000,
    logger: { ...silentLogger, warn: (m) => warnings.push(m) },
    metrics: recordingMetrics(),
  });
  expect(fakes.calls).not.toContain('SSM.DescribeInstanceAssociationsStatus');
  expect(result.associationLookupsSkipped).toBe(1);
  expect(warnings).toEqual(['association lookups skipped for lack of time; previous results kept']);
  expect(fakes.table.get(INSTANCE)?.issue?.kind).toBe('SSM_ASSOCIATION_FAILED');
  expect(result.changes).toHaveLength(0);
});

test('failed PutEvents entries are retried; only the failed ones are sent again', async () => {
  fakes.serveFixtures('AGENT_NOT_INSTALLED');
  const sent: number[] = [];
  fakes.events
    .on(PutEventsCommand)
    .callsFakeOnce((input) => {
      sent.push(input.Entries.length);
      return { FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }] };
    })
    .callsFakeOnce((input) => {
      sent.push(input.Entries.length);
      return { FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] };
    });
  const result = await runScheduledEvaluation(fakes.clients, SETTINGS, { nowMs: NOW, logger: silentLogger, metrics: recordingMetrics() });
  expect(result.changes).toHaveLength(1);
  expect(sent).toEqual([1, 1]);
});

test('a persistent refusal is a PublishError; the change stays pending and the next run sends it once', async () => {
  fakes.serveFixtures('AGENT_NOT_INSTALLED');
  const refusing = fakes.events.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'AccessDeniedException', ErrorMessage: 'no' }] });
  await expect(runScheduledEvaluation(fakes.clients, SETTINGS, { nowMs: NOW, logger: silentLogger, metrics: recordingMetrics() })).rejects.toThrow(
    new PublishError('1 coverage change event(s) not put on picket-findings after 3 attempts (AccessDeniedException); they stay pending in picket-coverage-test and are sent again by the next scheduled run'),
  );
  expect(fakes.events.commandCalls(PutEventsCommand)).toHaveLength(3);
  expect(fakes.table.get(INSTANCE)?.pendingChange).toMatchObject({ currentStatus: 'Unhealthy', issue: { kind: 'AGENT_NOT_INSTALLED' } });
  refusing.reset();
  const published: string[] = [];
  fakes.events.on(PutEventsCommand).callsFake((input) => {
    for (const e of input.Entries) published.push(JSON.parse(e.Detail).issue.kind);
    return { FailedEntryCount: 0, Entries: input.Entries.map(() => ({ EventId: 'e' })) };
  });
  // within the grace period the change may still be in flight with its writer: not re-sent yet
  expect((await runScheduledEvaluation(fakes.clients, SETTINGS, { nowMs: NOW + 60_000, logger: silentLogger, metrics: recordingMetrics() })).resent).toBe(0);
  const later = await runScheduledEvaluation(fakes.clients, SETTINGS, { nowMs: NOW + 5 * 60_000, logger: silentLogger, metrics: recordingMetrics() });
  expect(later).toMatchObject({ changes: [], resent: 1 });
  expect(published).toEqual(['AGENT_NOT_INSTALLED']);
  expect(fakes.table.get(INSTANCE)?.pendingChange).toBeUndefined();
  // sent: nothing more to re-send
  expect((await runScheduledEvaluation(fakes.clients, SETTINGS, { nowMs: NOW + 10 * 60_000, logger: silentLogger, metrics: recordingMetrics() })).resent).toBe(0);
  expect(published).toHaveLength(1);
});
