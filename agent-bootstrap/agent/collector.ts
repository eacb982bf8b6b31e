/**
 * The collector: an audit line reader feeding the audit pipeline, handing each runtime event to a callback.
 * The shipping agent (agent.ts) passes a callback that batches and sends; `picket watch` passes one that runs
 * the detector in the same process (see local.ts).
 */
import { statSync } from 'node:fs';
import type { RuntimeEvent } from '../../lambda/domain/events/runtime-event';
import { type DnsCapture, type DnsCaptureMode, type DnsCaptureStats, startDnsCapture } from './dns/dns-capture';
import type { PipelineFactory } from './pipeline-port';
import { AfUnixReader, DEFAULT_AF_UNIX_SOCKET } from './readers/af-unix-reader';
import { DEFAULT_AUDIT_LOG, FileTailer } from './readers/file-tailer';
import type { AuditLine, LineSource } from './readers/types';
import { type AgentLogger, describeError, silentLogger } from './util/log';

export interface CollectorOptions {
  readonly instanceId: string;
  /** Sequence numbers (a SequenceAllocator's `next`, or a counter in local mode). */
  readonly nextSeq: () => number;
  readonly pipelineFactory: PipelineFactory;
  /** `auto`: the af_unix socket when it exists, else tail the log. @default 'auto' */
  readonly reader?: 'auto' | 'af_unix' | 'file';
  /** @default '/var/run/audispd_events' */
  readonly socketPath?: string;
  /** @default '/var/log/audit/audit.log' */
  readonly auditLogPath?: string;
  /** @default 'end' */
  readonly startAt?: 'end' | 'beginning';
  /** Where the tailer keeps its position; without it the position is not kept across restarts. */
  readonly stateDir?: string;
  /** @default '/proc' */
  readonly procRoot?: string;
  /** @default true */
  readonly hashExecutables?: boolean;
  /** @default [process.pid] */
  readonly excludePids?: readonly number[];
  /** Without `flushExpired` in the pipeline: flush it after this long without a line. @default 2000 */
  readonly idleFlushMs?: number;
  /** The tail position is saved this often, lagging one interval so what it covers has been sent or spooled. @default 5000 */
  readonly checkpointIntervalMs?: number;
  /** Use this reader instead of building one (tests, other sensors). */
  readonly lineSource?: LineSource;
  /**
   * Host DNS capture through systemd-resolved (dns/dns-capture.ts): its `dns_query` events go to the same
   * callback, and the audit events feed its attribution. @default off
   */
  readonly dns?: { readonly mode: DnsCaptureMode; readonly resolvectlPath?: string };
  readonly logger?: AgentLogger;
}

export interface CollectorStats {
  readonly linesRead: number;
  readonly eventsEmitted: number;
  /** Lines on which the pipeline or the callback threw (counted, skipped). */
  readonly lineErrors: number;
  readonly reader: string;
  readonly readerStats: unknown;
  readonly pipelineStats: unknown;
  /** Present when DNS capture runs. */
  readonly dns?: DnsCaptureStats;
}

export interface Collector {
  /** Settles when the reader ends (after `stop()`). */
  readonly done: Promise<void>;
  /** Stops reading and flushes the pipeline: every event of the lines read has reached the callback on return. */
  stop(): Promise<void>;
  /** Saves the read position of the file reader now (no-op for the socket reader). */
  checkpoint(): void;
  stats(): CollectorStats;
}

/** Starts reading at once; `onEvent` is called synchronously for each runtime event, in order. */
export function startCollector(options: CollectorOptions, onEvent: (event: RuntimeEvent) => void): Collector {
  const logger = options.logger ?? silentLogger;
  const source = options.lineSource ?? createReader(options, logger);
  const pipeline = options.pipelineFactory({
    instanceId: options.instanceId,
    procRoot: options.procRoot ?? '/proc',
    hashExecutables: options.hashExecutables ?? true,
    nextSeq: options.nextSeq,
    excludePids: options.excludePids ?? [process.pid],
  });
  let linesRead = 0;
  let eventsEmitted = 0;
  let lineErrors = 0;
  let lastLineAt = Date.now();
  let dirty = false;
  // DNS results join the audit events on the same callback (same batching and delivery).
  const dns: DnsCapture | undefined = options.dns
    ? startDnsCapture({ instanceId: options.instanceId, nextSeq: options.nextSeq, mode: options.dns.mode, resolvectlPath: options.dns.resolvectlPath, logger }, (event) => {
        eventsEmitted++;
        onEvent(event);
      })
    : undefined;

  const emit = (events: RuntimeEvent[]) => {
    for (const event of events) {
      eventsEmitted++;
      dns?.observeAuditEvent(event);
      onEvent(event);
    }
  };
  const flushPipeline = () => {
    try {
      emit(pipeline.flush());
    } catch (error) {
      lineErrors++;
      logger.error('audit pipeline flush failed', { error: describeError(error) });
    }
    dirty = false;
  };

  // Events whose closing record never came. Only while the stream is idle: auditd writes the records of one
  // event together, so an idle stream has nothing half-written, and a replay of an old file (audit times far in
  // the past) is not cut into pieces mid-read. Briefly idle: let the pipeline emit what its window expired;
  // idle for idleFlushMs: flush everything.
  const idleFlushMs = options.idleFlushMs ?? 2000;
  const idleTimer = setInterval(() => {
    if (!dirty) return;
    const idleFor = Date.now() - lastLineAt;
    if (idleFor >= idleFlushMs) {
      flushPipeline();
    } else if (idleFor >= Math.min(500, idleFlushMs / 2) && pipeline.flushExpired) {
      try {
        emit(pipeline.flushExpired(Date.now()));
      } catch (error) {
        lineErrors++;
        logger.error('audit pipeline flushExpired failed', { error: describeError(error) });
      }
    }
  }, Math.max(50, Math.floor(idleFlushMs / 4)));
  idleTimer.unref();

  const tailer = source instanceof FileTailer ? source : undefined;
  // Every interval, save the position read one interval earlier: by then its events have left the batcher
  // (flushIntervalMs) and been sent or spooled, so a crash re-reads a little rather than skipping anything.
  let previousPosition = tailer?.position;
  const checkpointTimer = setInterval(() => {
    if (!tailer) return;
    if (previousPosition) tailer.checkpoint(previousPosition);
    previousPosition = tailer.position;
  }, options.checkpointIntervalMs ?? 5000);
  checkpointTimer.unref();

  const processLine = ({ line, lineNo, source: from }: AuditLine) => {
    linesRead++;
    try {
      emit(pipeline.pushLine(line, lineNo));
    } catch (error) {
      lineErrors++;
      if (lineErrors <= 10 || lineErrors % 1000 === 0) {
        logger.error('audit line could not be processed; skipped', { source: from, lineNo, lineErrors, error: describeError(error) });
      }
    }
  };
  const done = (async () => {
    if (source.lineBatches) {
      for await (const batch of source.lineBatches()) {
        lastLineAt = Date.now();
        dirty = true;
        for (const line of batch) processLine(line);
      }
    } else {
      for await (const line of source) {
        lastLineAt = Date.now();
        dirty = true;
        processLine(line);
      }
    }
  })();
  done.catch(() => undefined); // observed by stop() and by the agent; never an unhandled rejection

  return {
    done,
    async stop() {
      clearInterval(idleTimer);
      clearInterval(checkpointTimer);
      await source.stop();
      await done.catch((error) => logger.error('audit reader failed', { error: describeError(error) }));
      flushPipeline();
      await dns?.stop();
    },
    checkpoint() {
      tailer?.checkpoint();
    },
    stats() {
      const readerStats = (source as { stats?: () => unknown }).stats?.();
      return {
        linesRead,
        eventsEmitted,
        lineErrors,
        reader: source instanceof AfUnixReader ? `af_unix:${source.socketPath}` : tailer ? `file:${tailer.path}` : 'custom',
        readerStats,
        pipelineStats: pipeline.stats(),
        ...(dns ? { dns: dns.stats() } : {}),
      };
    },
  };
}

function createReader(options: CollectorOptions, logger: AgentLogger): LineSource {
  const socketPath = options.socketPath ?? DEFAULT_AF_UNIX_SOCKET;
  const kind = options.reader ?? 'auto';
  const useSocket = kind === 'af_unix' || (kind === 'auto' && isSocket(socketPath));
  if (useSocket) {
    logger.info('reading audit events from the af_unix plugin socket', { socketPath });
    return new AfUnixReader({ socketPath, logger });
  }
  const path = options.auditLogPath ?? DEFAULT_AUDIT_LOG;
  logger.info('tailing the audit log', { path, startAt: options.startAt ?? 'end' });
  return new FileTailer({ path, stateDir: options.stateDir, startAt: options.startAt, logger });
}

function isSocket(path: string): boolean {
  try {
    return statSync(path).isSocket();
  } catch {
    return false;
  }
}
