/**
 * Host DNS capture, live: resolvectl monitor (resolvectl-source.ts) -> DnsPipeline (parse, hold, attribute,
 * normalise) -> the same callback as audit events, so `dns_query` events take the same batching, spool and
 * delivery. The collector starts it (collector.ts, option `dns`) and feeds it every audit event for attribution.
 *
 * `mode`: `off`; `on` (start resolvectl whatever happens, restarting it while it fails); `auto` (the default:
 * only when resolvectl is on PATH and resolved's monitor socket exists, i.e. systemd-resolved runs, as on
 * Amazon Linux 2023 and Ubuntu). docs/agent-dns.md says what is and is not seen.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import type { RuntimeEvent } from '../../../lambda/domain/events/runtime-event';
import { type AgentLogger, describeError, silentLogger } from '../util/log';
import type { AttributionOptions } from './attribution';
import { DnsPipeline, type DnsPipelineStats, type ResolvedDnsEvent } from './dns-pipeline';
import { ResolvectlSource, type ResolvectlSourceOptions, type ResolvectlSourceStats } from './resolvectl-source';

export type DnsCaptureMode = 'auto' | 'on' | 'off';

export const DEFAULT_MONITOR_SOCKET = '/run/systemd/resolve/io.systemd.Resolve.Monitor';

export interface DnsCaptureOptions {
  readonly instanceId: string;
  readonly nextSeq: () => number;
  /** @default 'auto' */
  readonly mode?: DnsCaptureMode;
  /** @default 'resolvectl' */
  readonly resolvectlPath?: string;
  /** Checked by `auto`. @default DEFAULT_MONITOR_SOCKET */
  readonly monitorSocket?: string;
  /** See DnsPipelineOptions.holdMs. @default 1000 */
  readonly holdMs?: number;
  readonly attribution?: AttributionOptions;
  /** Arguments and restart policy of resolvectl (tests pass a fake command). */
  readonly source?: Omit<ResolvectlSourceOptions, 'command' | 'logger' | 'now'>;
  readonly logger?: AgentLogger;
  /** @default process.env.PATH */
  readonly searchPath?: string;
  /** @default Date.now */
  readonly now?: () => number;
}

export interface DnsCaptureStats {
  readonly source: ResolvectlSourceStats;
  readonly pipeline: DnsPipelineStats;
  /** Callback failures (counted, skipped). */
  readonly eventErrors: number;
}

export interface DnsCapture {
  /** Feeds one audit-path event (for attribution). Cheap; call it for every event. */
  observeAuditEvent(event: RuntimeEvent): void;
  /** Stops resolvectl and emits every result still held. */
  stop(): Promise<void>;
  stats(): DnsCaptureStats;
}

export type DnsAvailability = { readonly available: true; readonly resolvectl: string } | { readonly available: false; readonly reason: string };

/** Whether `auto` would start: resolvectl found and resolved's monitor socket present. */
export function dnsCaptureAvailability(options: { resolvectlPath?: string; monitorSocket?: string; searchPath?: string } = {}): DnsAvailability {
  const resolvectl = findExecutable(options.resolvectlPath ?? 'resolvectl', options.searchPath ?? process.env.PATH ?? '');
  if (!resolvectl) return { available: false, reason: `${options.resolvectlPath ?? 'resolvectl'} not found (systemd-resolved not installed)` };
  const socket = options.monitorSocket ?? DEFAULT_MONITOR_SOCKET;
  if (!isSocket(socket)) return { available: false, reason: `${socket} is not there (systemd-resolved not running)` };
  return { available: true, resolvectl };
}

/**
 * Starts DNS capture when the mode and the host allow; undefined when it stays off (the reason is logged).
 * `onEvent` gets each `dns_query` event, synchronously, in monitor order.
 */
export function startDnsCapture(options: DnsCaptureOptions, onEvent: (event: ResolvedDnsEvent) => void): DnsCapture | undefined {
  const logger = options.logger ?? silentLogger;
  const mode = options.mode ?? 'auto';
  if (mode === 'off') {
    logger.info('DNS capture off (config)');
    return undefined;
  }
  let command = options.resolvectlPath ?? 'resolvectl';
  if (mode === 'auto') {
    const availability = dnsCaptureAvailability(options);
    if (!availability.available) {
      logger.info('DNS capture off: systemd-resolved not available', { reason: availability.reason });
      return undefined;
    }
    command = availability.resolvectl;
  }
  const now = options.now ?? Date.now;
  const holdMs = options.holdMs ?? 1000;
  const pipeline = new DnsPipeline({ instanceId: options.instanceId, nextSeq: options.nextSeq, holdMs, attribution: options.attribution });
  let eventErrors = 0;
  const deliver = (events: readonly ResolvedDnsEvent[]) => {
    for (const event of events) {
      try {
        onEvent(event);
      } catch (error) {
        eventErrors++;
        if (eventErrors <= 10 || eventErrors % 1000 === 0) logger.error('DNS event could not be handed on; skipped', { eventErrors, error: describeError(error) });
      }
    }
  };
  let issues = 0;
  const source = new ResolvectlSource(
    ({ line, lineNo, run, readAtMs }) => {
      const { issue, overflow } = pipeline.pushLine(line, lineNo, readAtMs);
      deliver(overflow);
      if (issue) {
        issues++;
        if (issues <= 10 || issues % 1000 === 0) logger.warn('resolvectl monitor line not understood; skipped', { run, line: issue.line, message: issue.message, issues });
      }
    },
    { ...options.source, command, logger, now },
  );
  const drainTimer = setInterval(() => deliver(pipeline.drain(now())), Math.max(20, Math.min(250, Math.floor(holdMs / 2))));
  drainTimer.unref();
  source.start();
  logger.info('DNS capture on (systemd-resolved monitor)', { resolvectl: command, holdMs });

  return {
    observeAuditEvent: (event) => pipeline.observeAudit(event),
    async stop() {
      clearInterval(drainTimer);
      await source.stop();
      deliver(pipeline.flush());
    },
    stats: () => ({ source: source.stats(), pipeline: pipeline.stats(), eventErrors }),
  };
}

function findExecutable(command: string, searchPath: string): string | undefined {
  const candidates = isAbsolute(command) || command.includes('/') ? [command] : searchPath.split(delimiter).filter((d) => d.length > 0).map((d) => join(d, command));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not here; next directory
    }
  }
  return undefined;
}

function isSocket(path: string): boolean {
  try {
    return statSync(path).isSocket();
  } catch {
    return false;
  }
}
