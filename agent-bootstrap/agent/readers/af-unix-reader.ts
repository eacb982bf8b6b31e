/**
 * Reads audit events from auditd's af_unix plugin (`/etc/audit/plugins.d/af_unix.conf`: `active = yes`,
 * `args = 0640 /var/run/audispd_events`, `format = string`): auditd listens on a UNIX stream socket and
 * writes every record to every connected client as one text line. This is the preferred source: no disk
 * round trip, and records arrive as the kernel emits them.
 *
 * auditd restarts (rotation does not affect the socket, but upgrades and `service auditd restart` do), so
 * the reader reconnects with exponential backoff and full jitter. A line cut by a disconnect is dropped and
 * counted; records emitted while no client is connected are not queued by auditd (they are still in
 * audit.log, which is why the tailer exists).
 */
import { createConnection, type Socket } from 'node:net';
import { type AgentLogger, describeError, silentLogger } from '../util/log';
import { type BackoffPolicy, fullJitterDelayMs } from '../util/backoff';
import { AsyncQueue } from './async-queue';
import { LineSplitter } from './line-splitter';
import type { AuditLine, LineSource } from './types';

export const DEFAULT_AF_UNIX_SOCKET = '/var/run/audispd_events';

export interface AfUnixReaderOptions {
  /** @default '/var/run/audispd_events' */
  readonly socketPath?: string;
  /** Reconnect backoff. @default { baseDelayMs: 100, maxDelayMs: 10000 } */
  readonly reconnect?: BackoffPolicy;
  /** Lines buffered before the socket is paused (kernel-side, auditd then queues up to its q_depth). @default 20000 */
  readonly highWaterLines?: number;
  readonly logger?: AgentLogger;
}

export interface AfUnixReaderStats {
  readonly linesRead: number;
  readonly connects: number;
  readonly disconnects: number;
  /** Bytes of partial lines lost when a connection dropped mid-line. */
  readonly partialBytesDropped: number;
  readonly connected: boolean;
}

export class AfUnixReader implements LineSource {
  readonly socketPath: string;
  private readonly reconnect: BackoffPolicy;
  private readonly logger: AgentLogger;
  private readonly queue: AsyncQueue<AuditLine>;
  private readonly splitter = new LineSplitter();
  private socket: Socket | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private attempt = 0;
  private stopped = false;
  private lineNo = 0;
  private counters = { connects: 0, disconnects: 0, partialBytesDropped: 0 };

  constructor(options: AfUnixReaderOptions = {}) {
    this.socketPath = options.socketPath ?? DEFAULT_AF_UNIX_SOCKET;
    this.reconnect = options.reconnect ?? { baseDelayMs: 100, maxDelayMs: 10_000 };
    this.logger = options.logger ?? silentLogger;
    this.queue = new AsyncQueue<AuditLine>(options.highWaterLines ?? 20_000, (pause) => {
      if (pause) this.socket?.pause();
      else this.socket?.resume();
    });
    this.connect();
  }

  [Symbol.asyncIterator](): AsyncIterator<AuditLine> {
    return this.queue[Symbol.asyncIterator]();
  }

  lineBatches(): AsyncIterable<readonly AuditLine[]> {
    return this.queue.batches();
  }

  stats(): AfUnixReaderStats {
    return { linesRead: this.lineNo, ...this.counters, connected: this.socket !== undefined && !this.socket.connecting };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.socket?.destroy();
    this.socket = undefined;
    this.queue.end();
  }

  private connect(): void {
    if (this.stopped) return;
    const socket = createConnection({ path: this.socketPath });
    this.socket = socket;
    socket.on('connect', () => {
      this.attempt = 0;
      this.counters.connects++;
      this.logger.info('connected to audit socket', { socketPath: this.socketPath });
    });
    socket.on('data', (chunk: Buffer) => {
      const { lines } = this.splitter.push(chunk);
      for (const line of lines) {
        if (line.length === 0) continue;
        this.queue.push({ line, lineNo: ++this.lineNo, source: this.socketPath });
      }
    });
    socket.on('error', (error) => {
      // 'close' follows; log once per failed attempt at debug to keep a missing socket from flooding the journal.
      this.logger.debug('audit socket error', { socketPath: this.socketPath, error: describeError(error) });
    });
    socket.on('close', () => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      if (this.splitter.heldBytes > 0) this.counters.partialBytesDropped += this.splitter.heldBytes;
      this.splitter.reset();
      if (this.stopped) return;
      this.counters.disconnects++;
      const delay = fullJitterDelayMs(this.attempt++, this.reconnect);
      if (this.attempt === 1 || this.attempt % 20 === 0) {
        this.logger.warn('audit socket unavailable, reconnecting', { socketPath: this.socketPath, attempt: this.attempt, delayMs: delay });
      }
      this.retryTimer = setTimeout(() => this.connect(), delay);
    });
  }
}
