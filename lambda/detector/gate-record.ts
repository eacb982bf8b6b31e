/**
 * One SQS record (the body is the EventBridge event an agent put) through the ingest gate, with a
 * short reason code for metrics. A record that can never become valid — a body that is not JSON, a
 * forged or foreign source, a broken envelope — is "rejected": counted, logged and dropped, never
 * retried (retrying cannot fix it, and a retry loop would only push it to the DLQ later). Single bad
 * events inside a good batch are rejected alone; the rest of the batch is processed.
 */
import type { SQSRecord } from 'aws-lambda';
import { type IngestSender, gateIngestEvent } from '../domain/events/ingest-gate';
import { DETAIL_TYPE_EVENTS, type RuntimeEvent } from '../domain/events/runtime-event';

/** Low-cardinality reason codes (the `Reason` dimension of EventsRejected). */
export const REJECT_REASONS = [
  'bad-json',
  'forged-source',
  'foreign-account',
  'instance-mismatch',
  'bad-detail-type',
  'bad-envelope',
  'bad-encoding',
  'schema',
  'oversized',
  'wrong-kind',
] as const;
export type RejectReasonCode = (typeof REJECT_REASONS)[number];

export interface Rejection {
  readonly code: RejectReasonCode;
  /** The full reason (names the event id, field and what was expected); attacker text is JSON-quoted and cut. */
  readonly reason: string;
  /** Position of the event in its batch, for single-event rejections. */
  readonly index?: number;
}

export type GatedRecord =
  | {
      readonly ok: true;
      readonly messageId: string;
      readonly sender: IngestSender;
      readonly firstSeq: number;
      readonly events: readonly RuntimeEvent[];
      /** Events of this record refused one by one. */
      readonly rejected: readonly Rejection[];
    }
  | {
      readonly ok: false;
      readonly messageId: string;
      /** Every event of the record is lost with this one reason; `events` is how many the envelope claimed, when known. */
      readonly rejection: Rejection;
      readonly events: number;
      readonly sender?: IngestSender;
    };

function envelopeCode(reason: string): RejectReasonCode {
  if (/: source: /.test(reason) || /: (account|region) .* differs from .* in source/.test(reason)) return 'forged-source';
  if (/: detail\.instanceId .* differs from the sender/.test(reason)) return 'instance-mismatch';
  if (/: detail-type: /.test(reason)) return 'bad-detail-type';
  if (/: detail\.data: /.test(reason)) return 'bad-encoding';
  return 'bad-envelope';
}

function eventCode(reason: string): RejectReasonCode {
  if (/differs from the sender/.test(reason)) return 'instance-mismatch';
  if (/bytes serialised, expected at most/.test(reason)) return 'oversized';
  if (/does not belong in a/.test(reason)) return 'wrong-kind';
  return 'schema';
}

function claimedCount(body: unknown): number {
  const count = (body as { detail?: { count?: unknown } } | null)?.detail?.count;
  return typeof count === 'number' && Number.isInteger(count) && count > 0 ? count : 1;
}

/** Gates one SQS record for the detector serving `accountId`. Never throws. */
export function gateRecord(record: Pick<SQSRecord, 'messageId' | 'body'>, accountId: string): GatedRecord {
  const messageId = record.messageId;
  let body: unknown;
  try {
    body = JSON.parse(record.body);
  } catch {
    return { ok: false, messageId, events: 1, rejection: { code: 'bad-json', reason: `SQS message ${messageId}: body is not JSON (${record.body.length} characters)` } };
  }
  const gated = gateIngestEvent(body);
  if (!gated.ok) {
    return {
      ok: false,
      messageId,
      events: claimedCount(body),
      rejection: { code: envelopeCode(gated.reason), reason: gated.reason },
      ...(gated.sender ? { sender: gated.sender } : {}),
    };
  }
  const sender = gated.sender;
  if (sender.accountId !== accountId) {
    return {
      ok: false,
      messageId,
      events: gated.accepted.length + gated.rejected.length,
      sender,
      rejection: { code: 'foreign-account', reason: `SQS message ${messageId}: instance ${sender.instanceArn} is not in account ${accountId}, the account this detector serves` },
    };
  }
  if (gated.detailType !== DETAIL_TYPE_EVENTS) {
    return {
      ok: false,
      messageId,
      events: gated.accepted.length + gated.rejected.length,
      sender,
      rejection: { code: 'bad-detail-type', reason: `SQS message ${messageId}: detail-type ${JSON.stringify(gated.detailType)} is not for the detector (expected "${DETAIL_TYPE_EVENTS}")` },
    };
  }
  return {
    ok: true,
    messageId,
    sender,
    firstSeq: gated.batch.firstSeq,
    events: gated.accepted,
    rejected: gated.rejected.map((r) => ({ code: eventCode(r.reason), reason: r.reason, index: r.index })),
  };
}
