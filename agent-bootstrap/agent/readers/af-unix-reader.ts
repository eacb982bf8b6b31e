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
 *
 * Reading in bursts: auditd writes every record with its own write(), about 8 per exec, and reading each as it
 * comes costs a wake-up, a read() and a stream chunk per record — at 1,000 execs/s that alone is several % of a
 * core. So after a read the socket rests `burstMs` (default 10 ms) and the next read takes everything that
 * queued meanwhile, into one reused buffer. The rest must stay short: auditd 3.0.9's af_unix plugin does not
 * wait for a slow client — with 50 ms rests at 1,000 execs/s about 30 % of the records never arrived
 * (bench/agent.bench.ts), and each queued write holds ~1 KB of socket memory (208 KB by default), so the socket
 * holds only some 30 ms of records at that rate. Hence a read that comes back large (RESTLESS_READ_BYTES: the
 * stream is fast) is followed by the next read at once, without a rest; at 1,000 execs/s a 10 ms rest gathers
 * about 20 KB and loses nothing (kernel lost +0, every load exec shipped).
 */
import { createConnection, type Socket } from 'node:net';
import { type BackoffPolicy, fullJitterDelayMs } from '../util/backoff';
import { type AgentLogger, describeError, silentLogger } from '../util/log';
import { AsyncQueue } from './async-queue';
import { LineSplitter } from './line-splitter';
import type { AuditLine, LineSource } from './types';

export const DEFAULT_AF_UNIX_SOCKET = '/var/run/audispd_events';
/** How long the socket rests after a read (see the file comment). */
export const DEFAULT_BURST_MS = 10;

export interface AfUnixReaderOptions {
  /** @default '/var/run/audispd_events' */
  readonly socketPath?: string;
  /** Reconnect backoff. @default { baseDelayMs: 100, maxDelayMs: 10000 } */
  readonly reconnect?: BackoffPolicy;
  /** Lines buffered before the socket is paused (kernel-side, auditd then queues up to its q_depth). @default 20000 */
  readonly highWaterLines?: number;
  /** How long the socket rests after each read so records gather for one read (0: read on every wake-up). @default 10 */
  readonly burstMs?: number;
  readonly logger?: AgentLogger;
}

export interface AfUnixReaderStats {
  readonly linesRead: number;
  readonly connects: number;
  readonly disconnects: number;
  /** Bytes of partial lines lost when a connection dropped mid-line. */
  readonly partialBytesDropped: number;
  readonly connected: boolean;
  /** Reads done (each takes every record that queued since the last one). */
  readonly reads: number;
}

/** A read at least this large means the stream is fast: read again at once instead of resting. */
export const RESTLESS_READ_BYTES = 32 * 1024;
/** One read takes up to this much; a burst larger than that is simply read in several goes. */
const READ_BUFFER_BYTES = 256 * 1024;

export class AfUnixReader implements LineSource {
  readonly socketPath: string;
  private readonly reconnect: BackoffPolicy;
  private readonly logger: AgentLogger;
  private readonly queue: AsyncQueue<AuditLine>;
  private readonly splitter = new LineSplitter();
  private readonly burstMs: number;
  /** Reused by every read (the lines are copied out as strings before the next one). */
  private readonly readBuffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);
  private socket: Socket | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private restTimer: NodeJS.Timeout | undefined;
  /** Paused because the consumer is behind (the queue's high water), not just resting. */
  private heldBack = false;
  private attempt = 0;
  private stopped = false;
  private lineNo = 0;
  private counters = { connects: 0, disconnects: 0, partialBytesDropped: 0, reads: 0 };

  constructor(options: AfUnixReaderOptions = {}) {
    this.socketPath = options.socketPath ?? DEFAULT_AF_UNIX_SOCKET;
    this.reconnect = options.reconnect ?? { baseDelayMs: 100, maxDelayMs: 10_000 };
    this.logger = options.logger ?? silentLogger;
    this.burstMs = options.burstMs ?? DEFAULT_BURST_MS;
    this.queue = new AsyncQueue<AuditLine>(options.highWaterLines ?? 20_000, (pause) => {
      this.heldBack = pause;
      if (pause) this.socket?.pause();
      else if (this.restTimer === undefined) this.socket?.resume();
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
    clearTimeout(this.restTimer);
    this.restTimer = undefined;
    this.socket?.destroy();
    this.socket = undefined;
    this.queue.end();
  }

  private connect(): void {
    if (this.stopped) return;
    // `onread`: Node reads into our buffer and calls back, no Buffer or stream chunk per read; returning false
    // stops reading until resume().
    const socket: Socket = createConnection({
      path: this.socketPath,
      onread: { buffer: this.readBuffer, callback: (bytes: number, buffer: Uint8Array): boolean => this.onRead(socket, bytes, buffer) },
    });
    this.socket = socket;
    socket.on('connect', () => {
      this.attempt = 0;
      this.counters.connects++;
      this.logger.info('connected to audit socket', { socketPath: this.socketPath });
    });
    socket.on('error', (error) => {
      // 'close' follows; log once per failed attempt at debug to keep a missing socket from flooding the journal.
      this.logger.debug('audit socket error', { socketPath: this.socketPath, error: describeError(error) });
    });
    socket.on('close', () => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      clearTimeout(this.restTimer);
      this.restTimer = undefined;
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

  /**
   * Lines of one read go to the queue; then the socket rests `burstMs` so the next read takes a whole burst,
   * unless this read was already large (a fast stream must not back up in the socket).
   */
  private onRead(socket: Socket, bytes: number, buffer: Uint8Array): boolean {
    this.counters.reads++;
    const chunk = Buffer.from(buffer.buffer, buffer.byteOffset, bytes);
    const { lines } = this.splitter.push(chunk);
    for (const line of lines) {
      if (line.length === 0) continue;
      this.queue.push({ line, lineNo: ++this.lineNo, source: this.socketPath });
    }
    if (this.burstMs <= 0 || this.stopped || bytes >= RESTLESS_READ_BYTES) return true;
    this.restTimer ??= setTimeout(() => {
      this.restTimer = undefined;
      if (this.socket === socket && !this.heldBack) socket.resume();
    }, this.burstMs);
    return false;
  }
}
