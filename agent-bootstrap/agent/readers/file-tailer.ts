/**
 * Follows /var/log/audit/audit.log the way `tail -F` does, without losing lines across auditd's rotation:
 *
 * - rotation by rename (auditd's `max_log_file_action = ROTATE`: audit.log -> audit.log.1, new audit.log):
 *   when the path names a new inode, the old file is read to its end before the new one is opened at 0;
 * - truncation in place (copytruncate): when the file is shorter than our offset, reading restarts at 0
 *   (lines written between our last read and the truncation cannot be recovered: a copytruncate limit);
 * - restart: `checkpoint()` stores device+inode+offset+line number in the state directory; on start the tailer
 *   resumes there, first finishing `audit.log.1` when the saved inode has been rotated to it meanwhile.
 *
 * Polling (default every 250 ms, and at once while there is more to read) rather than inotify: it works on
 * every filesystem, and one fstat per poll costs nothing measurable. RAW and ENRICHED lines are passed as is.
 */
import { type FileHandle, open, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { readJsonIfExists, writeJsonAtomic } from '../state/atomic-file';
import { sleep } from '../util/backoff';
import { type AgentLogger, describeError, silentLogger } from '../util/log';
import { AsyncQueue } from './async-queue';
import type { AuditLine, LineSource } from './types';

export const DEFAULT_AUDIT_LOG = '/var/log/audit/audit.log';

export interface FileTailerOptions {
  /** @default '/var/log/audit/audit.log' */
  readonly path?: string;
  /** Where the read position is kept across restarts; without it the tailer does not persist. */
  readonly stateDir?: string;
  /** Where to start when there is no saved position. @default 'end' (do not replay old history on first start) */
  readonly startAt?: 'end' | 'beginning';
  /** @default 250 */
  readonly pollIntervalMs?: number;
  /** Name the file has after one rotation. @default `${path}.1` */
  readonly rotatedPath?: string;
  /** Bytes per read. @default 262144 */
  readonly chunkBytes?: number;
  /** @default 20000 */
  readonly highWaterLines?: number;
  readonly logger?: AgentLogger;
}

export interface TailPosition {
  readonly path: string;
  readonly dev: number;
  readonly ino: number;
  /** Byte offset just after the last line handed to the consumer. */
  readonly offset: number;
  readonly lineNo: number;
}

export interface FileTailerStats {
  readonly linesRead: number;
  readonly rotations: number;
  readonly truncations: number;
  readonly position: TailPosition | undefined;
}

interface QueuedLine {
  readonly auditLine: AuditLine;
  readonly position: TailPosition;
}

interface OpenFile {
  readonly handle: FileHandle;
  readonly path: string;
  readonly dev: number;
  readonly ino: number;
  offset: number;
  lineNo: number;
  carry: Buffer;
}

export class FileTailer implements LineSource {
  readonly path: string;
  private readonly rotatedPath: string;
  private readonly stateFile: string | undefined;
  private readonly startAt: 'end' | 'beginning';
  private readonly pollIntervalMs: number;
  private readonly chunkBytes: number;
  private readonly logger: AgentLogger;
  private readonly queue: AsyncQueue<QueuedLine>;
  private readonly abort = new AbortController();
  private paused = false;
  private resumeWaiter: (() => void) | undefined;
  private consumed: TailPosition | undefined;
  private linesRead = 0;
  private rotations = 0;
  private truncations = 0;
  private readonly done: Promise<void>;

  constructor(options: FileTailerOptions = {}) {
    this.path = options.path ?? DEFAULT_AUDIT_LOG;
    this.rotatedPath = options.rotatedPath ?? `${this.path}.1`;
    this.stateFile = options.stateDir ? join(options.stateDir, `tail-${basename(this.path)}.json`) : undefined;
    this.startAt = options.startAt ?? 'end';
    this.pollIntervalMs = options.pollIntervalMs ?? 250;
    this.chunkBytes = options.chunkBytes ?? 256 * 1024;
    this.logger = options.logger ?? silentLogger;
    this.queue = new AsyncQueue<QueuedLine>(options.highWaterLines ?? 20_000, (pause) => {
      this.paused = pause;
      if (!pause) {
        const waiter = this.resumeWaiter;
        this.resumeWaiter = undefined;
        waiter?.();
      }
    });
    this.done = this.run().then(
      () => this.queue.end(),
      (error) => this.queue.end(error),
    );
  }

  async *[Symbol.asyncIterator](): AsyncIterator<AuditLine> {
    for await (const item of this.queue) {
      this.consumed = item.position;
      yield item.auditLine;
    }
  }

  async *lineBatches(): AsyncIterable<readonly AuditLine[]> {
    for await (const batch of this.queue.batches()) {
      // Recorded before the consumer processes the batch, as the per-line iterator does for its line.
      this.consumed = batch[batch.length - 1]!.position;
      yield batch.map((item) => item.auditLine);
    }
  }

  stats(): FileTailerStats {
    return { linesRead: this.linesRead, rotations: this.rotations, truncations: this.truncations, position: this.consumed };
  }

  /** Position just after the last line handed out (undefined before the first). */
  get position(): TailPosition | undefined {
    return this.consumed;
  }

  /** Persist `position` (default: the last line handed out). Call it once the events of those lines are safe. */
  checkpoint(position: TailPosition | undefined = this.consumed): void {
    if (this.stateFile && position) writeJsonAtomic(this.stateFile, position, false);
  }

  async stop(): Promise<void> {
    this.abort.abort();
    const waiter = this.resumeWaiter;
    this.resumeWaiter = undefined;
    waiter?.();
    await this.done;
  }

  private get stopped(): boolean {
    return this.abort.signal.aborted;
  }

  private async run(): Promise<void> {
    let file = await this.openInitial();
    while (!this.stopped && file) {
      const more = await this.readAvailable(file);
      if (this.stopped) break;
      if (more) continue;
      const next = await this.checkRotation(file);
      if (next === file) {
        await sleep(this.pollIntervalMs, this.abort.signal);
      } else {
        await file.handle.close();
        file = next;
      }
    }
    await file?.handle.close();
  }

  /** Where to begin: the saved position (possibly in the rotated file), else the start or end of the file. */
  private async openInitial(): Promise<OpenFile | undefined> {
    const saved = this.stateFile ? readJsonIfExists<TailPosition>(this.stateFile) : undefined;
    for (;;) {
      const current = await this.openPath(this.path);
      if (current) {
        if (saved && saved.dev === current.dev && saved.ino === current.ino) {
          if (saved.offset <= (await current.handle.stat()).size) {
            current.offset = saved.offset;
            current.lineNo = saved.lineNo;
          } else {
            this.truncations++;
          }
          return current;
        }
        if (saved) {
          // The saved file was rotated while we were down: finish it first, then the new file from its start.
          const rotated = await this.openPath(this.rotatedPath);
          if (rotated && rotated.dev === saved.dev && rotated.ino === saved.ino) {
            await current.handle.close();
            rotated.offset = saved.offset;
            rotated.lineNo = saved.lineNo;
            return rotated;
          }
          await rotated?.handle.close();
          return current; // saved file is gone: everything in the new file is newer than our checkpoint
        }
        if (this.startAt === 'end') await this.seekToEnd(current);
        return current;
      }
      await sleep(this.pollIntervalMs, this.abort.signal);
      if (this.stopped) return undefined;
    }
  }

  private async openPath(path: string): Promise<OpenFile | undefined> {
    try {
      const handle = await open(path, 'r');
      const st = await handle.stat();
      return { handle, path, dev: st.dev, ino: st.ino, offset: 0, lineNo: 0, carry: Buffer.alloc(0) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.logger.warn('cannot open audit log', { path, error: describeError(error) });
      }
      return undefined;
    }
  }

  /** Start at the end, numbering lines as they are in the file (one pass over what is there). */
  private async seekToEnd(file: OpenFile): Promise<void> {
    const size = (await file.handle.stat()).size;
    const buffer = Buffer.allocUnsafe(this.chunkBytes);
    let offset = 0;
    let lastNewlineEnd = 0;
    let lines = 0;
    while (offset < size) {
      const { bytesRead } = await file.handle.read(buffer, 0, Math.min(buffer.length, size - offset), offset);
      if (bytesRead === 0) break;
      for (let i = buffer.indexOf(10, 0); i !== -1 && i < bytesRead; i = buffer.indexOf(10, i + 1)) {
        lines++;
        lastNewlineEnd = offset + i + 1;
      }
      offset += bytesRead;
    }
    file.offset = lastNewlineEnd; // a partial last line is read once its newline arrives
    file.lineNo = lines;
  }

  /** Reads what is there now. Returns true when a full chunk was read (more may follow at once). */
  private async readAvailable(file: OpenFile): Promise<boolean> {
    if (this.paused) {
      await new Promise<void>((resolve) => {
        this.resumeWaiter = resolve;
      });
      if (this.stopped) return false;
    }
    const buffer = Buffer.allocUnsafe(this.chunkBytes);
    const readAt = file.offset + file.carry.length;
    const { bytesRead } = await file.handle.read(buffer, 0, buffer.length, readAt);
    if (bytesRead === 0) return false;
    const data = file.carry.length > 0 ? Buffer.concat([file.carry, buffer.subarray(0, bytesRead)]) : buffer.subarray(0, bytesRead);
    let start = 0;
    for (let nl = data.indexOf(10, start); nl !== -1; nl = data.indexOf(10, start)) {
      const end = nl > start && data[nl - 1] === 13 ? nl - 1 : nl;
      const line = data.toString('utf8', start, end);
      start = nl + 1;
      file.lineNo++;
      const position: TailPosition = { path: file.path, dev: file.dev, ino: file.ino, offset: file.offset + start, lineNo: file.lineNo };
      if (line.length === 0) {
        this.consumed = position;
        continue;
      }
      this.linesRead++;
      this.queue.push({ auditLine: { line, lineNo: file.lineNo, source: file.path }, position });
    }
    file.offset += start;
    file.carry = Buffer.from(data.subarray(start));
    return bytesRead === buffer.length;
  }

  /** The file to read next: the same one (nothing changed), from 0 after truncation, or the new file after rotation. */
  private async checkRotation(file: OpenFile): Promise<OpenFile> {
    const size = (await file.handle.stat()).size;
    if (size < file.offset + file.carry.length) {
      this.truncations++;
      this.logger.warn('audit log truncated, reading from its start', { path: file.path, previousOffset: file.offset, size });
      file.offset = 0;
      file.lineNo = 0;
      file.carry = Buffer.alloc(0);
      return file;
    }
    if (file.path !== this.path) {
      // We were finishing the rotated file: it is complete, move on to the live one from its start.
      const next = await this.openPath(this.path);
      if (!next) return file;
      this.rotations++;
      return next;
    }
    let current: { dev: number; ino: number };
    try {
      current = await stat(this.path);
    } catch {
      return file; // mid-rotation: the new file is not there yet
    }
    if (current.ino === file.ino && current.dev === file.dev) return file;
    // Rotated: drain whatever the writer appended to the old file before it let go, then switch.
    while (await this.readAvailable(file)) {
      if (this.stopped) return file;
    }
    if (file.carry.length > 0) {
      this.logger.warn('rotated audit log ended without a newline; last partial line dropped', { path: file.path, bytes: file.carry.length });
    }
    const next = await this.openPath(this.path);
    if (!next) return file;
    this.rotations++;
    this.logger.info('audit log rotated', { path: this.path, oldInode: file.ino, newInode: next.ino });
    return next;
  }
}
