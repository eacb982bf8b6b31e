/**
 * The detector's SQS batch handling end to end on real captures (audit log → agent parser → batch
 * envelope → EventBridge event → SQS record), with mocked AWS clients and an in-memory DynamoDB:
 * good events raise findings, bad ones are rejected with a reason and cost nothing else, only
 * retryable failures come back, and a redelivered batch changes nothing.
 */
import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { gzipSync } from 'node:zlib';
import { encodeBatch } from '../../lambda/domain/events/batch';
import { LIMITS, type RuntimeEvent } from '../../lambda/domain/events/runtime-event';
import { DETAIL_TYPE_FINDING, FINDING_SOURCE } from '../../lambda/domain/findings/finding';
import { FINDINGS_TABLE, STATE_TABLE } from './fake-dynamo';
import { commandOrder, dynamo, ec2Mock, eventsMock, newDetector, publishedEntries, publishedFindings, resetMocks, serveIntel, settings } from './harness';
import { ACCOUNT, INSTANCE_A, INSTANCE_B, batchRecord, captureEvents, eventBridgeEvent, instanceArn, sqsEvent, sqsRecord } from './records';

const INSTANCE_C = 'i-0ccccccccccccccc3';
const reverseShell = captureEvents('reverse-shell-bash', INSTANCE_A);
const miner = captureEvents('crypto-miner-executed', INSTANCE_B);

beforeEach(() => resetMocks());

/** A copy of the events `offsetMs` later in time and `seqOffset` further in the sequence (a later repeat). */
function later(events: readonly RuntimeEvent[], offsetMs: number, seqOffset: number): RuntimeEvent[] {
  return events.map((e) => ({ ...e, seq: e.seq + seqOffset, ts: new Date(Date.parse(e.ts) + offsetMs).toISOString() }) as RuntimeEvent);
}

function mixedBatch() {
  // Forged: a record whose source names instance A of ANOTHER account (the account EventBridge filled in differs).
  const forged = batchRecord(INSTANCE_A, reverseShell.slice(0, 20), 'forged', { account: '999988887777' });
  // Schema violation and oversized event inside B's otherwise good batch.
  const broken = { ...miner[0]!, process: { ...miner[0]!.process, pid: 'not-a-number' } } as unknown as RuntimeEvent;
  const huge = { ...miner[1]!, process: { ...miner[1]!.process, argv: ['x'.repeat(LIMITS.maxEventBytes + 10)] } } as RuntimeEvent;
  const withBad = batchRecord(INSTANCE_B, [broken, huge, ...miner.slice(2)], 'miner-with-bad-events');
  // A body that is not even an agent event.
  const garbage = sqsRecord('{"not": "an EventBridge event"', 'garbage');
  return { forged, withBad, garbage };
}

test('a mixed batch: good events raise findings, forged/schema/oversized are rejected with reasons, nothing is retried', async () => {
  const { detector, metrics, log } = newDetector();
  const { forged, withBad, garbage } = mixedBatch();
  const good = batchRecord(INSTANCE_A, reverseShell, 'reverse-shell');
  const response = await detector.handle(sqsEvent([good, forged, withBad, garbage]));

  expect(response.batchItemFailures).toEqual([]);
  const types = publishedFindings().map((f) => `${f.resource.instanceDetails.instanceId} ${f.type}`);
  expect(types).toEqual(expect.arrayContaining([`${INSTANCE_A} Execution:Runtime/ReverseShell`, `${INSTANCE_B} Impact:Runtime/CryptoMinerExecuted`]));
  for (const entry of publishedEntries()) {
    expect(entry).toMatchObject({ Source: FINDING_SOURCE, DetailType: DETAIL_TYPE_FINDING, EventBusName: 'picket-findings' });
    expect(Buffer.byteLength(entry.Detail!, 'utf8')).toBeLessThan(256 * 1024);
  }
  // Instance details from DescribeInstances fill resource.instanceDetails (the responder needs ENIs and SGs).
  const shell = publishedFindings().find((f) => f.type === 'Execution:Runtime/ReverseShell')!;
  expect(shell.resource.instanceDetails).toMatchObject({ instanceId: INSTANCE_A, networkInterfaces: [{ networkInterfaceId: 'eni-0123', securityGroups: [{ groupId: 'sg-1' }] }], tags: [{ key: 'PicketManaged', value: 'true' }] });
  expect(ec2Mock.commandCalls(DescribeInstancesCommand).map((c) => c.args[0].input.InstanceIds)).toEqual(expect.arrayContaining([[INSTANCE_A], [INSTANCE_B]]));

  expect(metrics.sum('EventsRejected', { Reason: 'forged-source' })).toBe(20);
  expect(metrics.sum('EventsRejected', { Reason: 'schema' })).toBe(1);
  expect(metrics.sum('EventsRejected', { Reason: 'oversized' })).toBe(1);
  expect(metrics.sum('EventsRejected', { Reason: 'bad-json' })).toBe(1);
  expect(metrics.sum('EventsAccepted')).toBe(reverseShell.length + miner.length - 2);
  expect(metrics.sum('Findings', { Type: 'Execution:Runtime/ReverseShell', Severity: 'High' })).toBe(1);
  const rejectedLogs = log.lines.filter((l) => /rejected/.test(l.message));
  expect(rejectedLogs.map((l) => l.extra['reason'])).toEqual(expect.arrayContaining(['forged-source', 'schema', 'oversized', 'bad-json']));
  expect(String(rejectedLogs.find((l) => l.extra['reason'] === 'forged-source')!.extra['detail'])).toMatch(/account "999988887777" differs/);

  // Stored: findings table with the attribute names the CLI reads, state per instance with a version.
  const stored = dynamo.findings().find((i) => i['type'] === 'Execution:Runtime/ReverseShell')!;
  expect(stored).toMatchObject({ instanceId: INSTANCE_A, accountId: ACCOUNT, archived: false, severityLabel: 'High' });
  expect(JSON.parse(String(stored['finding'])).id).toBe(stored['id']);
  expect(dynamo.tables.get(STATE_TABLE)!.get(INSTANCE_A)).toMatchObject({ version: 1, expiresAt: expect.any(Number) });
});

test('a record of an instance in another account (source and account agree) is refused as foreign', async () => {
  const { detector, metrics } = newDetector();
  const other = '444455556666';
  const record = batchRecord(INSTANCE_A, reverseShell.slice(0, 5), 'foreign', { account: other, source: `picket.agent/${instanceArn(INSTANCE_A, other)}` });
  const response = await detector.handle(sqsEvent([record, batchRecord(INSTANCE_B, miner, 'ok')]));
  expect(response.batchItemFailures).toEqual([]);
  expect(metrics.sum('EventsRejected', { Reason: 'foreign-account' })).toBe(5);
  expect(publishedFindings().every((f) => f.resource.instanceDetails.instanceId === INSTANCE_B)).toBe(true);
});

test('only the records of the instance whose processing failed are reported for retry', async () => {
  const { detector } = newDetector();
  dynamo.mock.on(GetCommand, { Key: { instanceId: INSTANCE_C } }).rejects(Object.assign(new Error('slow down'), { name: 'ProvisionedThroughputExceededException' }));
  const cEvents = captureEvents('reverse-shell-bash', INSTANCE_C);
  const { forged } = mixedBatch();
  const response = await detector.handle(sqsEvent([batchRecord(INSTANCE_A, reverseShell, 'a'), batchRecord(INSTANCE_C, cEvents.slice(0, 100), 'c1'), forged, batchRecord(INSTANCE_C, cEvents.slice(100), 'c2')]));
  expect(response.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(['c1', 'c2']);
  expect(publishedFindings().map((f) => f.resource.instanceDetails.instanceId)).not.toContain(INSTANCE_C);
});

test('a redelivered batch in a new execution environment raises no new finding and changes no count', async () => {
  const batch = sqsEvent([batchRecord(INSTANCE_A, reverseShell, 'a'), batchRecord(INSTANCE_B, miner, 'b')]);
  await newDetector().detector.handle(batch);
  const publishedBefore = publishedEntries().length;
  const before = JSON.stringify(dynamo.findings());
  const stateBefore = dynamo.tables.get(STATE_TABLE)!.get(INSTANCE_A)!['version'];
  expect(publishedBefore).toBeGreaterThan(0);

  const fresh = newDetector(); // a cold start: nothing cached in memory, everything from DynamoDB
  const response = await fresh.detector.handle(batch);
  expect(response.batchItemFailures).toEqual([]);
  expect(publishedEntries().length).toBe(publishedBefore);
  expect(JSON.stringify(dynamo.findings())).toBe(before);
  expect(dynamo.tables.get(STATE_TABLE)!.get(INSTANCE_A)!['version']).toBe(stateBefore);
  expect(fresh.metrics.sum('DuplicatesDropped')).toBe(reverseShell.length + miner.length);
  expect(fresh.metrics.sum('Findings')).toBe(0);
});

test('new events after a cold start update the stored finding (count grows) instead of creating it again', async () => {
  await newDetector().detector.handle(sqsEvent([batchRecord(INSTANCE_A, reverseShell, 'a')]));
  const id = publishedFindings()[0]!.id;
  const countAfterFirst = JSON.parse(String(dynamo.tables.get(FINDINGS_TABLE)!.get(id)!['finding'])).service.count as number;
  const { detector, metrics } = newDetector();
  await detector.handle(sqsEvent([batchRecord(INSTANCE_A, later(reverseShell, 60_000, 10_000), 'a2')]));
  const item = dynamo.tables.get(FINDINGS_TABLE)!.get(id)!;
  expect(item['count']).toBe(countAfterFirst * 2);
  expect(metrics.sum('Findings')).toBe(0);
});

test('throttled PutEvents (a throttled request, then a failed entry) is retried until every entry is in', async () => {
  eventsMock
    .on(PutEventsCommand)
    .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }))
    .callsFakeOnce((input: { Entries: unknown[] }) => ({
      FailedEntryCount: 1,
      Entries: input.Entries.map((_, i) => (i === 0 ? { ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded' } : { EventId: `ok-${i}` })),
    }))
    .callsFake((input: { Entries: unknown[] }) => ({ FailedEntryCount: 0, Entries: input.Entries.map((_, i) => ({ EventId: `ok-${i}` })) }));
  const { detector } = newDetector();
  const response = await detector.handle(sqsEvent([batchRecord(INSTANCE_A, reverseShell, 'a')]));
  expect(response.batchItemFailures).toEqual([]);
  const calls = eventsMock.commandCalls(PutEventsCommand);
  expect(calls).toHaveLength(3);
  expect(calls[2]!.args[0].input.Entries).toEqual([calls[1]!.args[0].input.Entries![0]]);
  // Published before the commit, so a failure can never leave a committed but unpublished finding.
  expect(commandOrder().filter((n) => n === 'PutEventsCommand' || n === 'TransactWriteCommand')).toEqual(['PutEventsCommand', 'PutEventsCommand', 'PutEventsCommand', 'TransactWriteCommand']);
});

test('PutEvents failing past every retry fails only that instance’s records and commits nothing', async () => {
  eventsMock.on(PutEventsCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
  const { detector } = newDetector({ publishAttempts: 3 });
  await expect(detector.handle(sqsEvent([batchRecord(INSTANCE_A, reverseShell, 'a')]))).rejects.toThrow(/All records failed/);
  expect(eventsMock.commandCalls(PutEventsCommand)).toHaveLength(3);
  expect(dynamo.mock.commandCalls(TransactWriteCommand)).toHaveLength(0);
});

test('updates are published at most once per interval; the throttled one waits in the table and goes out when due', async () => {
  await newDetector().detector.handle(sqsEvent([batchRecord(INSTANCE_A, reverseShell, 'a1')]));
  const first = publishedFindings();
  const id = first.find((f) => f.type === 'Execution:Runtime/ReverseShell')!.id;
  expect(first.filter((f) => f.id === id)).toHaveLength(1);

  // One minute later: the finding's count grows but no update is published (interval 5 min).
  await newDetector().detector.handle(sqsEvent([batchRecord(INSTANCE_A, later(reverseShell, 60_000, 1_000), 'a2')]));
  expect(publishedFindings().filter((f) => f.id === id)).toHaveLength(1);
  expect(dynamo.tables.get(FINDINGS_TABLE)!.get(id)).toMatchObject({ publishPending: true });

  // Ten minutes later: the update goes out with the aggregated count.
  await newDetector().detector.handle(sqsEvent([batchRecord(INSTANCE_A, later(reverseShell, 600_000, 2_000), 'a3')]));
  const updates = publishedFindings().filter((f) => f.id === id);
  expect(updates).toHaveLength(2);
  expect(updates[1]!.service.count).toBeGreaterThan(updates[0]!.service.count * 2);
  // Repeats later in the same batch are inside the new interval again: stored, waiting.
  expect(dynamo.tables.get(FINDINGS_TABLE)!.get(id)!['count']).toBeGreaterThanOrEqual(updates[1]!.service.count);
  expect(Date.parse(updates[1]!.service.eventLastSeen) - Date.parse(updates[0]!.service.eventLastSeen)).toBeGreaterThan(5 * 60_000);
});

test('a quiet instance’s pending update is published by the scheduled flush once its interval has passed, and only once', async () => {
  await newDetector().detector.handle(sqsEvent([batchRecord(INSTANCE_A, reverseShell, 'a1')]));
  await newDetector().detector.handle(sqsEvent([batchRecord(INSTANCE_A, later(reverseShell, 60_000, 1_000), 'a2')]));
  const id = publishedFindings().find((f) => f.type === 'Execution:Runtime/ReverseShell')!.id;
  const stored = dynamo.tables.get(FINDINGS_TABLE)!.get(id)!;
  expect(stored).toMatchObject({ publishPending: true, pendingShard: 'pending' });
  const scheduled = { 'detail-type': 'Scheduled Event', source: 'aws.events', id: 's', account: ACCOUNT, region: 'eu-west-1', time: '', version: '0', resources: [], detail: {} } as const;

  // Too early (wall clock = the last publication + 1 min): nothing goes out.
  const early = newDetector({ now: () => (stored['lastPublishedAt'] as number) + 60_000 });
  await early.detector.handle(scheduled as never);
  expect(publishedFindings().filter((f) => f.id === id)).toHaveLength(1);

  const due = newDetector({ now: () => (stored['lastPublishedAt'] as number) + 6 * 60_000 });
  await due.detector.handle(scheduled as never);
  const updates = publishedFindings().filter((f) => f.id === id);
  expect(updates).toHaveLength(2);
  expect(updates[1]!.service.count).toBe(stored['count']);
  expect(dynamo.tables.get(FINDINGS_TABLE)!.get(id)).toMatchObject({ publishPending: false });
  expect(dynamo.tables.get(FINDINGS_TABLE)!.get(id)!['pendingShard']).toBeUndefined();

  await due.detector.handle(scheduled as never);
  expect(publishedFindings().filter((f) => f.id === id)).toHaveLength(2);
});

test('a lost DynamoDB race (conditional check failed) is retried from fresh state, without double counting', async () => {
  const batch = sqsEvent([batchRecord(INSTANCE_A, reverseShell, 'a')]);
  // Reference: the same batch without a race.
  await newDetector().detector.handle(batch);
  const countOf = () => dynamo.findings().find((i) => i['type'] === 'Execution:Runtime/ReverseShell')!['count'];
  const expected = countOf();
  resetMocks();

  // Another invocation commits instance A's state between our read and our write.
  let raced = false;
  dynamo.beforeTransaction = () => {
    if (raced) return;
    raced = true;
    dynamo.tables.get(STATE_TABLE)!.set(INSTANCE_A, { instanceId: INSTANCE_A, version: 1, state: gzipSync(JSON.stringify({ v: 1, instanceId: INSTANCE_A, learningPeriodMs: 86_400_000, namespaces: {} })) });
  };
  const { detector, metrics } = newDetector();
  const response = await detector.handle(batch);
  expect(response.batchItemFailures).toEqual([]);
  const order = commandOrder().filter((n) => n !== 'PutEventsCommand');
  expect(order).toEqual(['GetCommand', 'QueryCommand', 'TransactWriteCommand', 'GetCommand', 'QueryCommand', 'BatchGetCommand', 'TransactWriteCommand']);
  expect(dynamo.mock.commandCalls(GetCommand).every((g) => g.args[0].input.ConsistentRead === true)).toBe(true);
  expect(dynamo.tables.get(STATE_TABLE)!.get(INSTANCE_A)!['version']).toBe(2);
  expect(metrics.sum('ConcurrentUpdateRetries')).toBe(1);
  expect(countOf()).toBe(expected);
});

test('threat lists from the intel bucket are used (a loopback C2 entry raises C&CActivity.B)', async () => {
  serveIntel({ 'intel/threat/c2/test-c2.txt': '# test list\n127.0.0.1\n', 'intel/readme.md': 'ignored' });
  const { detector } = newDetector();
  await detector.handle(sqsEvent([batchRecord(INSTANCE_A, reverseShell, 'a')]));
  const c2 = publishedFindings().find((f) => f.type === 'Backdoor:Runtime/C&CActivity.B');
  expect(c2).toBeDefined();
  expect(JSON.stringify(c2)).toContain('127.0.0.1');
});

test('a batch detail that is not gzip is rejected as bad-encoding; an envelope for another instance as instance-mismatch', async () => {
  const { detector, metrics } = newDetector();
  const detail = { ...encodeBatch(reverseShell.slice(0, 3)), data: Buffer.from('not gzip at all').toString('base64') };
  const badGzip = sqsRecord(eventBridgeEvent(INSTANCE_A, detail), 'bad-gzip');
  const otherBody = sqsRecord(eventBridgeEvent(INSTANCE_A, encodeBatch(captureEvents('crypto-miner-executed', INSTANCE_B))), 'about-b');
  const response = await detector.handle(sqsEvent([badGzip, otherBody, batchRecord(INSTANCE_B, miner, 'good')]));
  expect(response.batchItemFailures).toEqual([]);
  expect(metrics.sum('EventsRejected', { Reason: 'bad-encoding' })).toBe(3);
  expect(metrics.sum('EventsRejected', { Reason: 'instance-mismatch' })).toBe(miner.length);
  expect(publishedFindings().map((f) => f.type)).toContain('Impact:Runtime/CryptoMinerExecuted');
});

test('suppressed findings are stored archived and counted, never published', async () => {
  const { detector, metrics } = newDetector({
    settings: settings({ suppression: { central: [{ name: 'lab-miners', action: 'ARCHIVE', criterion: { type: { eq: ['Impact:Runtime/CryptoMinerExecuted'] } } }] } }),
  });
  await detector.handle(sqsEvent([batchRecord(INSTANCE_B, miner, 'b')]));
  expect(publishedFindings().map((f) => f.type)).not.toContain('Impact:Runtime/CryptoMinerExecuted');
  expect(dynamo.findings().find((i) => i['type'] === 'Impact:Runtime/CryptoMinerExecuted')).toMatchObject({ archived: true });
  expect(metrics.sum('FindingsArchived')).toBeGreaterThan(0);
});
