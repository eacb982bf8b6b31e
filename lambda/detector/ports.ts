/**
 * What the detector's core needs from its surroundings, as small interfaces: the handler wires the
 * real ones (Powertools Logger and Metrics, AWS SDK clients); tests and the benchmark pass their own.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SecurityHubClient } from '@aws-sdk/client-securityhub';

export interface DetectorClients {
  readonly dynamo: DynamoDBDocumentClient;
  readonly events: EventBridgeClient;
  readonly ec2: EC2Client;
  readonly s3: S3Client;
  /** Only when Security Hub export is on. */
  readonly securityHub?: SecurityHubClient;
}

/** Structured log lines (Powertools Logger in Lambda: JSON, values escaped by the encoder). */
export interface DetectorLog {
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

/** Metric names the detector emits (namespace `Picket`). */
export const METRIC = {
  eventsAccepted: 'EventsAccepted',
  eventsRejected: 'EventsRejected',
  findings: 'Findings',
  findingsArchived: 'FindingsArchived',
  ruleErrors: 'RuleErrors',
  duplicatesDropped: 'DuplicatesDropped',
  findingsPublished: 'FindingsPublished',
  concurrentUpdateRetries: 'ConcurrentUpdateRetries',
  securityHubExportFailures: 'SecurityHubExportFailures',
  customRulesSkipped: 'CustomRulesSkipped',
} as const;
export type MetricName = (typeof METRIC)[keyof typeof METRIC];

/** Counts, optionally with dimensions (one metric line per distinct dimension set). */
export interface DetectorMetrics {
  count(name: MetricName, value: number, dimensions?: Readonly<Record<string, string>>): void;
}

export const SILENT_LOG: DetectorLog = { info: () => {}, warn: () => {}, error: () => {} };

/** Waits `ms` (injected so tests and retries need not sleep for real). */
export type Sleep = (ms: number) => Promise<void>;
export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Exponential backoff with full jitter: attempt 1 → up to base, 2 → up to 2·base… capped. */
export function backoffMs(attempt: number, baseMs = 50, capMs = 2000, random: () => number = Math.random): number {
  return Math.floor(random() * Math.min(capMs, baseMs * 2 ** (attempt - 1)));
}
