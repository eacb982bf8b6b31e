/** What the coverage run needs besides AWS clients: a logger and a metrics sink (Powertools in Lambda, fakes in tests). */
import type { HeartbeatDeltas } from '../domain/coverage/heartbeat-state';
import type { CoverageSummary } from '../domain/coverage/summary';

export type LogAttributes = Record<string, unknown>;

export interface LoggerPort {
  info(message: string, attributes?: LogAttributes): void;
  warn(message: string, attributes?: LogAttributes): void;
  error(message: string, attributes?: LogAttributes): void;
}

export interface CoverageMetricsPort {
  /** After a scheduled evaluation: covered %, counts, events/s, vCPU-hours per account. */
  coverage(summary: CoverageSummary): void;
  /** After a heartbeat: counter growth since the previous one. */
  heartbeat(deltas: HeartbeatDeltas): void;
  /** Heartbeat events (or events inside them) the ingest gate refused. */
  rejected(count: number): void;
}

export const silentLogger: LoggerPort = { info: () => undefined, warn: () => undefined, error: () => undefined };
