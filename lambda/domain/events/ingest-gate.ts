/**
 * The consumer-side gate every EventBridge event from an agent passes before detection or coverage sees it.
 *
 * Trust model (docs/events.md, "What the detector verifies about source versus body"): the only thing
 * about the sender that AWS vouches for is `source`, because the instance-role policy lets PutEvents
 * through only when `events:source` equals `picket.agent/${ec2:SourceInstanceARN}`; EventBridge itself
 * fills `account` and `region` with the caller's. Everything in `detail` is written by the instance and
 * may be forged. So the gate takes the sender from `source`, checks it agrees with `account`/`region`,
 * and accepts only events that are about that very instance. A compromised instance can then lie about
 * itself, but never get another instance's findings raised (or that instance isolated).
 *
 * Envelope problems reject the whole EventBridge event with one reason; problems with single events
 * reject only those, and the good events of the same batch are still accepted.
 */
import { decodeCheckedBatch } from './batch';
import { errorMessage } from './error-message';
import {
  AGENT_SOURCE_PREFIX,
  DETAIL_TYPE_EVENTS,
  DETAIL_TYPE_HEARTBEAT,
  type EventBatchDetail,
  type RuntimeEvent,
} from './runtime-event';
import { parseRuntimeEvent, validateEventBatchDetail } from './validate';

/** The instance that sent a batch, as named by `source` (the only part IAM vouches for). */
export interface IngestSender {
  readonly instanceId: string;
  readonly accountId: string;
  readonly region: string;
  readonly partition: string;
  /** `arn:<partition>:ec2:<region>:<account>:instance/<instanceId>` */
  readonly instanceArn: string;
}

export interface RejectedEvent {
  /** Position of the event (line) in the batch, from 0. */
  readonly index: number;
  readonly reason: string;
}

export type AgentDetailType = typeof DETAIL_TYPE_EVENTS | typeof DETAIL_TYPE_HEARTBEAT;

export type IngestGateResult =
  | {
      readonly ok: true;
      readonly sender: IngestSender;
      readonly detailType: AgentDetailType;
      /** The batch's envelope fields (without its data). */
      readonly batch: Omit<EventBatchDetail, 'data'>;
      readonly accepted: RuntimeEvent[];
      readonly rejected: RejectedEvent[];
      /** Envelope oddities that cost no event (e.g. `count` differs from the events found). */
      readonly warnings: readonly string[];
    }
  | {
      readonly ok: false;
      /** One reason for the whole EventBridge event: names the event id, the field and what was expected. */
      readonly reason: string;
      /** The sender, when `source` was valid (for logging and metrics per instance). */
      readonly sender?: IngestSender;
    };

// Partitions: aws, aws-cn, aws-us-gov, aws-iso, aws-iso-b/e/f, aws-eusc. Regions: us-east-1, us-gov-west-1,
// cn-north-1, us-isob-east-1, eusc-de-east-1, …
const INSTANCE_ARN = /^arn:(aws(?:-[a-z]+){0,2}):ec2:([a-z]{2,4}(?:-[a-z]+)+-[0-9]{1,2}):([0-9]{12}):instance\/(i-[0-9a-f]{8,17})$/;

function quote(value: unknown): string {
  if (typeof value !== 'string') return value === undefined ? 'nothing' : typeof value;
  return value.length > 120 ? `${JSON.stringify(value.slice(0, 120))}…` : JSON.stringify(value);
}

/** The sender named by an agent `source` (`picket.agent/<EC2 instance ARN>`), or why it is not one. */
export function parseAgentSource(source: unknown): { ok: true; sender: IngestSender } | { ok: false; reason: string } {
  if (typeof source !== 'string' || !source.startsWith(AGENT_SOURCE_PREFIX)) {
    return { ok: false, reason: `source: expected "${AGENT_SOURCE_PREFIX}<EC2 instance ARN>", got ${quote(source)}` };
  }
  const arn = source.slice(AGENT_SOURCE_PREFIX.length);
  const m = INSTANCE_ARN.exec(arn);
  if (m === null) {
    return {
      ok: false,
      reason: `source: expected "${AGENT_SOURCE_PREFIX}arn:<partition>:ec2:<region>:<12-digit account>:instance/i-<8 to 17 hex>", got ${quote(source)}`,
    };
  }
  return { ok: true, sender: { partition: m[1]!, region: m[2]!, accountId: m[3]!, instanceId: m[4]!, instanceArn: arn } };
}

function isDetailType(value: unknown): value is AgentDetailType {
  return value === DETAIL_TYPE_EVENTS || value === DETAIL_TYPE_HEARTBEAT;
}

/**
 * Check one EventBridge event from an agent (as delivered to the consumer: parsed JSON, e.g. an SQS body)
 * and return the runtime events it may act on. Never throws.
 */
export function gateIngestEvent(event: unknown): IngestGateResult {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    return { ok: false, reason: `EventBridge event: expected an object, got ${event === null ? 'null' : Array.isArray(event) ? 'an array' : typeof event}` };
  }
  const envelope = event as Record<string, unknown>;
  const label = typeof envelope['id'] === 'string' ? `EventBridge event ${quote(envelope['id'])}` : 'EventBridge event (no id)';
  const fail = (reason: string, sender?: IngestSender): IngestGateResult =>
    sender === undefined ? { ok: false, reason: `${label}: ${reason}` } : { ok: false, reason: `${label}: ${reason}`, sender };

  const parsed = parseAgentSource(envelope['source']);
  if (!parsed.ok) return fail(parsed.reason);
  const sender = parsed.sender;

  const detailType = envelope['detail-type'];
  if (!isDetailType(detailType)) {
    return fail(`detail-type: expected "${DETAIL_TYPE_EVENTS}" or "${DETAIL_TYPE_HEARTBEAT}", got ${quote(detailType)}`, sender);
  }
  // EventBridge sets account and region to the caller's; a source naming another account or region is forged.
  if (envelope['account'] !== sender.accountId) {
    return fail(`account ${quote(envelope['account'])} differs from account ${sender.accountId} in source: source names an instance of another account`, sender);
  }
  if (envelope['region'] !== sender.region) {
    return fail(`region ${quote(envelope['region'])} differs from region ${sender.region} in source`, sender);
  }

  const checked = validateEventBatchDetail(envelope['detail']);
  if (!checked.ok) return fail(checked.reason.replace(/^\$/, () => 'detail'), sender);
  if (checked.detail.instanceId !== sender.instanceId) {
    return fail(`detail.instanceId ${checked.detail.instanceId} differs from the sender ${sender.instanceId} named in source: an instance may only report about itself`, sender);
  }

  let decoded: ReturnType<typeof decodeCheckedBatch>;
  try {
    decoded = decodeCheckedBatch(checked.detail);
  } catch (error) {
    return fail(`detail.data: ${errorMessage(error)}`, sender);
  }

  const accepted: RuntimeEvent[] = [];
  const rejected: RejectedEvent[] = [];
  const heartbeats = detailType === DETAIL_TYPE_HEARTBEAT;
  decoded.lines.forEach((line, index) => {
    const result = parseRuntimeEvent(line);
    if (!result.ok) {
      rejected.push({ index, reason: `event ${index}: ${result.reason}` });
    } else if (result.event.instanceId !== sender.instanceId) {
      rejected.push({
        index,
        reason: `event ${index}: instanceId ${result.event.instanceId} differs from the sender ${sender.instanceId} named in source (an instance may only report about itself)`,
      });
    } else if ((result.event.kind === 'heartbeat') !== heartbeats) {
      rejected.push({
        index,
        reason: `event ${index}: kind ${result.event.kind} does not belong in a "${detailType}" batch (heartbeats go in "${DETAIL_TYPE_HEARTBEAT}", everything else in "${DETAIL_TYPE_EVENTS}")`,
      });
    } else {
      accepted.push(result.event);
    }
  });
  return { ok: true, sender, detailType, batch: decoded.detail, accepted, rejected, warnings: decoded.warnings };
}
