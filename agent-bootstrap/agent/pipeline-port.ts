/**
 * What the collector needs from the audit parser (agent-bootstrap/agent/audit, `AuditPipeline`): lines in,
 * runtime events out. Declared here structurally so the reading and delivery side can be built and tested
 * independently of the parser; main.ts and local.ts plug the real AuditPipeline in.
 */
import type { RuntimeEvent } from '../../lambda/domain/events/runtime-event';

export interface PipelineOptions {
  readonly instanceId: string;
  /** @default '/proc' */
  readonly procRoot?: string;
  /** @default true */
  readonly hashExecutables?: boolean;
  /** Hands out the per-instance sequence numbers. */
  readonly nextSeq: () => number;
  /** Processes whose activity is not reported (the agent itself). */
  readonly excludePids?: readonly number[];
}

export interface EventPipeline {
  /** Feeds one audit line (RAW or ENRICHED); returns the events it completed. Never throws on bad input. */
  pushLine(line: string, lineNo?: number): RuntimeEvent[];
  /** Emits every event still being assembled (shutdown). */
  flush(): RuntimeEvent[];
  /** Emits events whose last record never came within the pipeline's reassembly window, as of `nowMs`. */
  flushExpired?(nowMs: number): RuntimeEvent[];
  stats(): unknown;
}

export type PipelineFactory = (options: PipelineOptions) => EventPipeline;
