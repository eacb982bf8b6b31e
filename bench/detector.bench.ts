/**
 * Detector Lambda: p99 per-batch latency of the SQS handler on a 10 MB batch (10 SQS records, each
 * one agent batch of ~1 MB of decoded runtime events, gzip+base64 under EventBridge's 256 KB entry
 * limit), AWS clients mocked (aws-sdk-client-mock: no network), against the time it takes merely to
 * decode (JSON.parse body, base64, gunzip) and JSON.parse every event of the same batch.
 *
 * Events are real: every committed attack and benign audit capture parsed by the agent's parser,
 * repeated with fresh seq numbers and later timestamps until each record holds ~1 MB (so the engine
 * sees the real mix of kinds, lineage and the findings they raise). State and findings start empty
 * each run (the worst case: every finding is new and published).
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { BatchGetCommand, BatchWriteCommand, DynamoDBDocumentClient, GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { parseAuditText } from '../agent-bootstrap/agent/audit/index';
import { Detector } from '../lambda/detector/detector';
import { SILENT_LOG } from '../lambda/detector/ports';
import { EVENTBRIDGE_MAX_ENTRY_BYTES, encodeBatch } from '../lambda/domain/events/batch';
import { AGENT_SOURCE_PREFIX, DETAIL_TYPE_EVENTS, type RuntimeEvent } from '../lambda/domain/events/runtime-event';
import { BUILTIN_RULES } from '../lambda/domain/detection/rules/index';
import type { Reporter } from './harness';

const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';
const RECORDS = 10;
const RAW_BYTES_PER_RECORD = 1024 * 1024;
const RUNS = 25;

function captures(): RuntimeEvent[] {
  const root = path.resolve(__dirname, '../test/fixtures');
  const out: RuntimeEvent[] = [];
  for (const dir of ['attacks', 'benign']) {
    for (const f of readdirSync(path.join(root, dir)).filter((n) => n.endsWith('.log')).sort()) {
      const { events } = parseAuditText(readFileSync(path.join(root, dir, f), 'utf8'), { instanceId: 'i-00000000000000000', procRoot: null });
      out.push(...events.filter((e) => e.kind !== 'heartbeat'));
    }
  }
  return out;
}

function recordFor(instanceId: string, pool: readonly RuntimeEvent[], index: number): { record: SQSRecord; rawBytes: number; events: number } {
  const events: RuntimeEvent[] = [];
  let raw = 0;
  for (let round = 0; raw < RAW_BYTES_PER_RECORD; round++) {
    for (const e of pool) {
      const copy = { ...e, instanceId, seq: events.length + 1, ts: new Date(Date.parse(e.ts) + round * 1000).toISOString() } as RuntimeEvent;
      events.push(copy);
      raw += Buffer.byteLength(JSON.stringify(copy)) + 1;
      if (raw >= RAW_BYTES_PER_RECORD) break;
    }
  }
  const detail = encodeBatch(events);
  const body = JSON.stringify({
    version: '0',
    id: `bench-${index}`,
    'detail-type': DETAIL_TYPE_EVENTS,
    source: `${AGENT_SOURCE_PREFIX}arn:aws:ec2:${REGION}:${ACCOUNT}:instance/${instanceId}`,
    account: ACCOUNT,
    time: new Date().toISOString(),
    region: REGION,
    resources: [],
    detail,
  });
  if (Buffer.byteLength(JSON.stringify(detail)) > EVENTBRIDGE_MAX_ENTRY_BYTES) throw new Error(`record ${index}: entry over 256 KB`);
  const record = { messageId: `m-${index}`, receiptHandle: 'rh', body, attributes: {}, messageAttributes: {}, md5OfBody: '', eventSource: 'aws:sqs', eventSourceARN: 'arn', awsRegion: REGION } as unknown as SQSRecord;
  return { record, rawBytes: raw, events: events.length };
}

/** The baseline: what any consumer must do anyway — parse the body, base64, gunzip, JSON.parse each event. */
function decodeOnly(event: SQSEvent): number {
  let n = 0;
  for (const r of event.Records) {
    const eb = JSON.parse(r.body) as { detail: { data: string } };
    const text = gunzipSync(Buffer.from(eb.detail.data, 'base64')).toString('utf8');
    for (const line of text.split('\n')) if (line) n += (JSON.parse(line) as { seq: number }).seq > 0 ? 1 : 0;
  }
  return n;
}

function p(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

export default async function run(r: Reporter): Promise<void> {
  const pool = captures();
  const built = Array.from({ length: RECORDS }, (_, i) => recordFor(`i-0${String(i).padStart(16, '0')}`, pool, i));
  const event: SQSEvent = { Records: built.map((b) => b.record) };
  const rawMb = built.reduce((a, b) => a + b.rawBytes, 0) / 1024 / 1024;
  const wireKb = built.reduce((a, b) => a + Buffer.byteLength(b.record.body), 0) / 1024;
  const eventCount = built.reduce((a, b) => a + b.events, 0);

  const dynamo = mockClient(DynamoDBDocumentClient);
  dynamo.on(GetCommand).resolves({});
  dynamo.on(QueryCommand).resolves({ Items: [] });
  dynamo.on(BatchGetCommand).resolves({ Responses: {} });
  dynamo.on(BatchWriteCommand).resolves({ UnprocessedItems: {} });
  dynamo.on(TransactWriteCommand).resolves({});
  const events = mockClient(EventBridgeClient);
  events.on(PutEventsCommand).callsFake((input: { Entries: unknown[] }) => ({ FailedEntryCount: 0, Entries: input.Entries.map(() => ({ EventId: 'e' })) }));
  const ec2 = mockClient(EC2Client);
  ec2.on(DescribeInstancesCommand).resolves({ Reservations: [] });
  const s3 = mockClient(S3Client);
  s3.on(ListObjectsV2Command).resolves({ Contents: [] });

  const metrics = { count: () => {} };
  const detector = new Detector({
    settings: {
      accountId: ACCOUNT,
      region: REGION,
      partition: 'aws',
      detectorId: 'bench',
      stateTable: 'state',
      findingsTable: 'findings',
      findingsBus: 'bus',
      updateIntervalMs: 300_000,
      securityHubExport: false,
      intelLocations: [],
      intelTtlMs: 3_600_000,
      suppression: {},
    },
    clients: { dynamo: DynamoDBDocumentClient.from(new DynamoDBClient({ region: REGION })), events: new EventBridgeClient({ region: REGION }), ec2: new EC2Client({ region: REGION }), s3: new S3Client({ region: REGION }) },
    rules: BUILTIN_RULES,
    log: SILENT_LOG,
    metrics,
    sleep: async () => {},
  });

  // Warm-up (loads the seed intel once, as a warm Lambda environment has).
  const warm = await detector.handle(event);
  if (warm.batchItemFailures.length > 0) throw new Error(`bench batch failed: ${JSON.stringify(warm.batchItemFailures)}`);
  if (decodeOnly(event) !== eventCount) throw new Error('baseline decoded a different number of events');

  const handlerMs: number[] = [];
  const decodeMs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    let t0 = process.hrtime.bigint();
    decodeOnly(event);
    decodeMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
    t0 = process.hrtime.bigint();
    await detector.handle(event);
    handlerMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  handlerMs.sort((a, b) => a - b);
  decodeMs.sort((a, b) => a - b);
  const p99 = p(handlerMs, 0.99);
  const decodeP99 = p(decodeMs, 0.99);
  const published = events.commandCalls(PutEventsCommand).length;
  r.record({
    name: `detector handler p99 per-batch latency (${RECORDS} SQS records, ${rawMb.toFixed(1)} MB decoded / ${eventCount} events, ${wireKb.toFixed(0)} KB on the wire; AWS mocked)`,
    value: p99,
    unit: 'ms',
    baseline: `decode + JSON.parse of the same batch: p99 ${decodeP99.toFixed(1)} ms (ratio = baseline / handler)`,
    ratio: decodeP99 / p99,
  });
  r.record({
    name: 'detector handler p50 per-batch latency (same batch)',
    value: p(handlerMs, 0.5),
    unit: 'ms',
    baseline: `decode + JSON.parse p50 ${p(decodeMs, 0.5).toFixed(1)} ms`,
    ratio: p(decodeMs, 0.5) / p(handlerMs, 0.5),
  });
  r.record({
    name: 'detector p99 latency against the 60 s function timeout',
    value: p99 / 1000,
    unit: 's',
    baseline: `60 s timeout (${published} PutEvents calls over ${RUNS + 1} batches)`,
    ratio: null,
    target: '< 60 s',
    met: p99 < 60_000,
  });
  dynamo.restore();
  events.restore();
  ec2.restore();
  s3.restore();
}
