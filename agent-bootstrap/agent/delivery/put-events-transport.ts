/**
 * One PutEvents call and what came of each entry. Retrying is the delivery queue's job: the SDK's own retries
 * are turned off (maxAttempts 1) so that backoff, spooling and ordering are decided in one place.
 */
import { EventBridgeClient, PutEventsCommand, type PutEventsCommandOutput } from '@aws-sdk/client-eventbridge';
import type { OutgoingEntry } from './entry';

export type EntryOutcome =
  | { readonly status: 'ok'; readonly eventId?: string }
  | { readonly status: 'retry'; readonly code: string; readonly message?: string }
  | { readonly status: 'drop'; readonly code: string; readonly message?: string };

/** A whole call failed. `retryable` false means the entries can never succeed (malformed), so retrying is pointless. */
export class PutEventsCallError extends Error {
  readonly retryable: boolean;
  readonly code: string;
  readonly throttled: boolean;
  constructor(message: string, options: { code: string; retryable: boolean; throttled?: boolean; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.name = 'PutEventsCallError';
    this.code = options.code;
    this.retryable = options.retryable;
    this.throttled = options.throttled ?? false;
  }
}

export interface PutEventsTransport {
  /** Outcomes in the order of `entries`; throws PutEventsCallError when the call as a whole failed. */
  put(entries: readonly OutgoingEntry[], signal?: AbortSignal): Promise<EntryOutcome[]>;
}

/** Error codes (call-level or per entry) that no retry can fix: the entry itself is wrong. */
const PERMANENT_CODES = new Set(['ValidationException', 'MalformedDetail', 'InvalidArgument', 'SerializationException']);

export interface EventBridgeTransportOptions {
  readonly client: EventBridgeClient;
  /** `picket.agent/<instance ARN>` */
  readonly source: string;
  /** Name or ARN of the runtime event bus. */
  readonly eventBusName: string;
}

export class EventBridgeTransport implements PutEventsTransport {
  constructor(private readonly options: EventBridgeTransportOptions) {}

  async put(entries: readonly OutgoingEntry[], signal?: AbortSignal): Promise<EntryOutcome[]> {
    const command = new PutEventsCommand({
      Entries: entries.map((entry) => ({
        Source: this.options.source,
        DetailType: entry.detailType,
        Detail: entry.detail,
        EventBusName: this.options.eventBusName,
      })),
    });
    let output: PutEventsCommandOutput;
    try {
      output = await this.options.client.send(command, { abortSignal: signal });
    } catch (error) {
      throw classifyCallError(error);
    }
    const results = output.Entries ?? [];
    return entries.map((_, i): EntryOutcome => {
      const result = results[i];
      if (!result) return { status: 'retry', code: 'MissingResult', message: 'PutEvents response had no result for this entry' };
      if (!result.ErrorCode) return { status: 'ok', eventId: result.EventId };
      return PERMANENT_CODES.has(result.ErrorCode)
        ? { status: 'drop', code: result.ErrorCode, message: result.ErrorMessage }
        : { status: 'retry', code: result.ErrorCode, message: result.ErrorMessage };
    });
  }
}

/** Throttling, 5xx, network and credential/permission errors are retryable (the spool holds entries meanwhile). */
export function classifyCallError(error: unknown): PutEventsCallError {
  const e = error as { name?: string; code?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const code = e?.name && e.name !== 'Error' ? e.name : (e?.code ?? 'UnknownError');
  const status = e?.$metadata?.httpStatusCode;
  const throttled = code === 'ThrottlingException' || code === 'TooManyRequestsException' || status === 429;
  const permanent = PERMANENT_CODES.has(code) || status === 413;
  return new PutEventsCallError(`PutEvents failed: ${code}${status ? ` (HTTP ${status})` : ''}: ${e?.message ?? String(error)}`, {
    code,
    retryable: !permanent,
    throttled,
    cause: error,
  });
}

export interface EventBridgeClientOptions {
  readonly region: string;
  /** Endpoint override: a VPC endpoint's DNS name, or a local test server. */
  readonly endpoint?: string;
  /** Static credentials (tests); the default provider chain (instance role) otherwise. */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string; readonly sessionToken?: string };
  /** @default 10000 */
  readonly requestTimeoutMs?: number;
}

export function createEventBridgeClient(options: EventBridgeClientOptions): EventBridgeClient {
  return new EventBridgeClient({
    region: options.region,
    endpoint: options.endpoint,
    credentials: options.credentials,
    maxAttempts: 1,
    requestHandler: { requestTimeout: options.requestTimeoutMs ?? 10_000, connectionTimeout: 3000 },
  });
}
