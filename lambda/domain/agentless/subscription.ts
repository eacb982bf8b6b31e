/**
 * CloudWatch Logs subscription payloads: `awslogs.data` is base64(gzip(JSON)) of
 * {messageType, owner, logGroup, logStream, subscriptionFilters, logEvents[{id, timestamp, message}]}.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/SubscriptionFilters.html
 * Pure (node:zlib only): the handler, tests and the benchmark decode the same way.
 */
import { gunzipSync, gzipSync } from 'node:zlib';

export interface LogEvent {
  readonly id: string;
  readonly timestamp: number;
  readonly message: string;
}

export interface CloudWatchLogsData {
  /** DATA_MESSAGE carries log events; CONTROL_MESSAGE is CloudWatch checking the destination is reachable. */
  readonly messageType: 'DATA_MESSAGE' | 'CONTROL_MESSAGE';
  readonly owner: string;
  readonly logGroup: string;
  readonly logStream: string;
  readonly subscriptionFilters: readonly string[];
  readonly logEvents: readonly LogEvent[];
}

/** The subscription payload could not be decoded (nothing in it is usable). */
export class SubscriptionPayloadError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SubscriptionPayloadError';
  }
}

/** Decodes `event.awslogs.data`. Throws SubscriptionPayloadError saying which step failed. */
export function decodeSubscriptionData(data: unknown): CloudWatchLogsData {
  if (typeof data !== 'string' || data.length === 0) throw new SubscriptionPayloadError('awslogs.data is missing or not a string');
  let json: string;
  try {
    json = gunzipSync(Buffer.from(data, 'base64')).toString('utf8');
  } catch (error) {
    throw new SubscriptionPayloadError('awslogs.data is not base64 of gzip data', { cause: error });
  }
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new SubscriptionPayloadError('awslogs.data does not hold JSON', { cause: error });
  }
  const v = value as Partial<CloudWatchLogsData> | null;
  if (!v || typeof v !== 'object' || (v.messageType !== 'DATA_MESSAGE' && v.messageType !== 'CONTROL_MESSAGE')) {
    throw new SubscriptionPayloadError(`awslogs.data: messageType must be DATA_MESSAGE or CONTROL_MESSAGE, got ${JSON.stringify(v?.messageType)}`);
  }
  if (typeof v.logGroup !== 'string' || typeof v.logStream !== 'string' || !Array.isArray(v.logEvents)) {
    throw new SubscriptionPayloadError('awslogs.data lacks logGroup, logStream or logEvents');
  }
  return v as CloudWatchLogsData;
}

/** Builds the payload CloudWatch Logs would send (tests, the benchmark and `picket` replays). */
export function encodeSubscriptionData(data: CloudWatchLogsData): string {
  return gzipSync(Buffer.from(JSON.stringify(data), 'utf8')).toString('base64');
}
