/**
 * SQS records built the way production builds them: a committed real audit capture → the agent's
 * audit parser (parseAuditText) → encodeBatch (gzip+base64, as the agent packs) → the EventBridge
 * event the runtime rule delivers to SQS.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { parseAuditText } from '../../agent-bootstrap/agent/audit/index';
import { encodeBatch } from '../../lambda/domain/events/batch';
import { AGENT_SOURCE_PREFIX, DETAIL_TYPE_EVENTS, type EventBatchDetail, type RuntimeEvent } from '../../lambda/domain/events/runtime-event';

export const ACCOUNT = '111122223333';
export const REGION = 'eu-west-1';
export const INSTANCE_A = 'i-0aaaaaaaaaaaaaaa1';
export const INSTANCE_B = 'i-0bbbbbbbbbbbbbbb2';
export const ATTACKS = path.resolve(__dirname, '../fixtures/attacks');

export function instanceArn(instanceId: string, account = ACCOUNT, region = REGION): string {
  return `arn:aws:ec2:${region}:${account}:instance/${instanceId}`;
}

/** Activity events of a real capture, as the agent on `instanceId` would send them. */
export function captureEvents(capture: string, instanceId: string): RuntimeEvent[] {
  const { events } = parseAuditText(readFileSync(path.join(ATTACKS, `${capture}.log`), 'utf8'), { instanceId, procRoot: null });
  return events.filter((e) => e.kind !== 'heartbeat');
}

export interface EnvelopeOptions {
  readonly source?: string;
  readonly account?: string;
  readonly region?: string;
  readonly detailType?: string;
  readonly id?: string;
}

/** The EventBridge event an agent's PutEvents entry becomes. */
export function eventBridgeEvent(instanceId: string, detail: EventBatchDetail | unknown, o: EnvelopeOptions = {}): Record<string, unknown> {
  return {
    version: '0',
    id: o.id ?? `eb-${instanceId}`,
    'detail-type': o.detailType ?? DETAIL_TYPE_EVENTS,
    source: o.source ?? `${AGENT_SOURCE_PREFIX}${instanceArn(instanceId)}`,
    account: o.account ?? ACCOUNT,
    time: '2026-11-29T05:00:00Z',
    region: o.region ?? REGION,
    resources: [],
    detail,
  };
}

let counter = 0;
export function sqsRecord(body: unknown, messageId = `msg-${++counter}`): SQSRecord {
  return {
    messageId,
    receiptHandle: `rh-${messageId}`,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    attributes: { ApproximateReceiveCount: '1', SentTimestamp: '1795929453000', SenderId: 'events', ApproximateFirstReceiveTimestamp: '1795929453000' },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:${REGION}:${ACCOUNT}:picket-detector`,
    awsRegion: REGION,
  };
}

/** One record carrying `events` of one instance (gzip+base64 batch). */
export function batchRecord(instanceId: string, events: readonly RuntimeEvent[], messageId?: string, o: EnvelopeOptions = {}): SQSRecord {
  return sqsRecord(eventBridgeEvent(instanceId, encodeBatch(events), o), messageId);
}

export function sqsEvent(records: SQSRecord[]): SQSEvent {
  return { Records: records };
}
