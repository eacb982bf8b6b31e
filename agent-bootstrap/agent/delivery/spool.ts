/**
 * The on-disk spool: where entries wait while the endpoint is unreachable, in order, across agent restarts.
 *
 * Layout (in `<stateDir>/spool/`): append-only segment files `000000000001.seg`, … each holding one record
 * per line, `<crc32 hex> <entry JSON>\n`, plus `cursor.json` (segment and byte offset of the first record not
 * yet acknowledged by EventBridge). Whole segments are deleted once read past; the bound (default 256 MB) is
 * kept by deleting the OLDEST segment, and what it held is counted in `droppedEntries` / `droppedEvents`
 * (reported in the heartbeat, so coverage shows "events dropped").
 *
 * Crash safety (fsync policy):
 * - `fsync: 'interval'` (default): records are written with write(2) at once (they survive an agent crash,
 *   which is the common case: the page cache outlives the process) and fsync'd at most `fsyncIntervalMs` later,
 *   on segment rotation and on close. A host crash (power loss, kernel panic) can lose the last interval.
 * - `fsync: 'always'`: fsync after every record (one per batch, not per event). `'never'` leaves it to the OS.
 * - A record torn by a crash fails its CRC or lacks its newline: it is skipped and counted (`corruptRecords`).
 *   After a restart, writing always starts a new segment, so a torn tail is never appended to.
 * - The cursor is written without fsync after every acknowledgement: after a host crash it may point a little
 *   back, which means redelivery (allowed: the detector drops duplicates by seq), never loss.
 */
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { readJsonIfExists, writeJsonAtomic } from '../state/atomic-file';
import { crc32 } from '../util/crc32';
import { type AgentLogger, silentLogger } from '../util/log';
import type { OutgoingEntry } from './entry';

export type FsyncPolicy = 'always' | 'interval' | 'never';

export interface SpoolOptions {
  /** The spool directory (created when missing). */
  readonly dir: string;
  /** Bound on the bytes kept. @default 268435456 (256 MB) */
  readonly maxBytes?: number;
  /** Size at which a new segment starts. @default min(8 MB, maxBytes / 4) */
  readonly segmentBytes?: number;
  /** @default 'interval' */
  readonly fsync?: FsyncPolicy;
  /** @default 1000 */
  readonly fsyncIntervalMs?: number;
  readonly logger?: AgentLogger;
}

export interface SpoolPosition {
  readonly segment: number;
  readonly offset: number;
}

export interface SpoolRecord {
  readonly entry: OutgoingEntry;
  /** Position just after this record: acknowledge it to consume the record and all before it. */
  readonly end: SpoolPosition;
}

export interface SpoolStats {
  /** Bytes not yet acknowledged (what the heartbeat reports as spool bytes). */
  readonly pendingBytes: number;
  readonly segments: number;
  readonly appendedEntries: number;
  readonly droppedEntries: number;
  readonly droppedEvents: number;
  readonly corruptRecords: number;
}

interface Segment {
  readonly index: number;
  readonly path: string;
  size: number;
}

const SEGMENT_RE = /^(\d{12})\.seg$/;
const READ_WINDOW = 512 * 1024;

export class Spool {
  readonly dir: string;
  private readonly maxBytes: number;
  private readonly segmentBytes: number;
  private readonly fsyncPolicy: FsyncPolicy;
  private readonly fsyncIntervalMs: number;
  private readonly logger: AgentLogger;
  private readonly cursorFile: string;
  private segments: Segment[] = [];
  private cursor: SpoolPosition;
  private writeFd: number | undefined;
  private dirty = false;
  private fsyncTimer: NodeJS.Timeout | undefined;
  private counters = { appendedEntries: 0, droppedEntries: 0, droppedEvents: 0, corruptRecords: 0 };

  constructor(options: SpoolOptions) {
    this.dir = options.dir;
    this.maxBytes = options.maxBytes ?? 256 * 1024 * 1024;
    this.segmentBytes = options.segmentBytes ?? Math.min(8 * 1024 * 1024, Math.floor(this.maxBytes / 4));
    this.fsyncPolicy = options.fsync ?? 'interval';
    this.fsyncIntervalMs = options.fsyncIntervalMs ?? 1000;
    this.logger = options.logger ?? silentLogger;
    if (!(this.maxBytes >= 1024)) throw new RangeError(`Spool: maxBytes must be >= 1024, got ${this.maxBytes}`);
    if (!(this.segmentBytes >= 1 && this.segmentBytes <= this.maxBytes / 2)) {
      throw new RangeError(`Spool: segmentBytes must be within 1..maxBytes/2 (${this.maxBytes / 2}), got ${this.segmentBytes}`);
    }
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    this.cursorFile = join(this.dir, 'cursor.json');
    for (const name of readdirSync(this.dir).sort()) {
      const match = SEGMENT_RE.exec(name);
      if (!match) continue;
      const path = join(this.dir, name);
      this.segments.push({ index: Number(match[1]), path, size: statSync(path).size });
    }
    const saved = readJsonIfExists<SpoolPosition>(this.cursorFile);
    const first = this.segments[0];
    if (!first) this.cursor = { segment: 1, offset: 0 };
    else if (saved && saved.segment >= first.index) this.cursor = saved;
    else this.cursor = { segment: first.index, offset: 0 };
    // Segments wholly before the cursor were consumed before a crash could delete them.
    while (this.segments[0] && this.segments[0].index < this.cursor.segment) this.deleteOldest();
  }

  /** Whether anything waits to be sent. */
  get hasPending(): boolean {
    return this.pendingBytes > 0;
  }

  get pendingBytes(): number {
    let total = 0;
    for (const segment of this.segments) total += segment.size;
    if (this.segments[0]?.index === this.cursor.segment) total -= Math.min(this.cursor.offset, this.segments[0].size);
    return total;
  }

  stats(): SpoolStats {
    return { pendingBytes: this.pendingBytes, segments: this.segments.length, ...this.counters };
  }

  /** Appends one entry (synchronously, so it can be used from a SIGTERM handler), then enforces the bound. */
  append(entry: OutgoingEntry): void {
    const json = JSON.stringify(entry);
    const body = Buffer.from(json);
    const line = Buffer.from(`${crc32(body).toString(16).padStart(8, '0')} ${json}\n`);
    const segment = this.writableSegment(line.length);
    writeSync(this.writeFd!, line);
    segment.size += line.length;
    this.counters.appendedEntries++;
    if (this.fsyncPolicy === 'always') fsyncSync(this.writeFd!);
    else if (this.fsyncPolicy === 'interval') this.scheduleFsync();
    this.enforceBound();
  }

  /** Up to `maxEntries` records (and about `maxBytes` of entries) from the cursor on, in order. */
  peek(maxEntries: number, maxBytes: number): SpoolRecord[] {
    const records: SpoolRecord[] = [];
    let bytes = 0;
    let position = this.cursor;
    while (records.length < maxEntries) {
      const segment = this.segments.find((s) => s.index >= position.segment);
      if (!segment) break;
      if (segment.index !== position.segment) position = { segment: segment.index, offset: 0 };
      if (position.offset >= segment.size) {
        const next = this.segments.find((s) => s.index > segment.index);
        if (!next) break;
        position = { segment: next.index, offset: 0 };
        if (records.length === 0) this.ack(position); // nothing read from the finished segment: drop it now
        continue;
      }
      const window = this.read(segment, position.offset, READ_WINDOW);
      let start = 0;
      let progressed = false;
      for (let nl = window.indexOf(10, start); nl !== -1 && records.length < maxEntries; nl = window.indexOf(10, start)) {
        const end: SpoolPosition = { segment: segment.index, offset: position.offset + nl + 1 };
        const entry = this.decode(window.subarray(start, nl), segment, position.offset + start);
        start = nl + 1;
        progressed = true;
        if (!entry) {
          if (records.length === 0) this.ack(end);
          continue;
        }
        const size = entry.detail.length + entry.detailType.length;
        if (records.length > 0 && bytes + size > maxBytes) return records;
        records.push({ entry, end });
        bytes += size;
      }
      position = { segment: segment.index, offset: position.offset + start };
      if (!progressed) {
        // No newline in a whole window, or a torn tail: unreadable to the end of the segment.
        this.counters.corruptRecords++;
        this.logger.warn('spool segment has a torn or oversized record; skipping to its end', { segment: segment.path, offset: position.offset });
        position = { segment: segment.index, offset: segment.size };
        if (records.length === 0) this.ack(position);
      }
      if (records.length > 0 && position.offset >= segment.size) continue;
      if (records.length > 0) break;
    }
    return records;
  }

  /** Marks everything before `position` as delivered; deletes finished segments. */
  ack(position: SpoolPosition): void {
    this.cursor = position;
    for (let oldest = this.segments[0]; oldest; oldest = this.segments[0]) {
      if (oldest.index < this.cursor.segment) {
        this.deleteOldest();
        continue;
      }
      if (oldest.index > this.cursor.segment || this.cursor.offset < oldest.size) break;
      // The cursor is at the end of the oldest segment: it is finished.
      this.deleteOldest();
      const next = this.segments[0];
      // When it was the last one everything is delivered; the next append starts a fresh segment.
      this.cursor = next ? { segment: next.index, offset: 0 } : { segment: oldest.index + 1, offset: 0 };
      if (!next) break;
    }
    writeJsonAtomic(this.cursorFile, this.cursor, false);
  }

  /** fsync and close. Safe to call twice. */
  close(): void {
    clearTimeout(this.fsyncTimer);
    this.fsyncTimer = undefined;
    this.closeWriter();
    writeJsonAtomic(this.cursorFile, this.cursor, true);
  }

  private writableSegment(lineBytes: number): Segment {
    const last = this.segments[this.segments.length - 1];
    if (this.writeFd !== undefined && last && last.size + lineBytes <= this.segmentBytes) return last;
    if (this.writeFd !== undefined && last && last.size === 0) return last;
    this.closeWriter();
    const index = Math.max(last ? last.index + 1 : 1, this.cursor.segment);
    const path = join(this.dir, `${String(index).padStart(12, '0')}.seg`);
    this.writeFd = openSync(path, 'a', 0o600);
    const segment: Segment = { index, path, size: 0 };
    this.segments.push(segment);
    if (this.segments.length === 1) this.cursor = { segment: index, offset: 0 };
    return segment;
  }

  private closeWriter(): void {
    if (this.writeFd === undefined) return;
    if (this.fsyncPolicy !== 'never') fsyncSync(this.writeFd);
    closeSync(this.writeFd);
    this.writeFd = undefined;
    this.dirty = false;
  }

  private scheduleFsync(): void {
    this.dirty = true;
    if (this.fsyncTimer) return;
    this.fsyncTimer = setTimeout(() => {
      this.fsyncTimer = undefined;
      if (this.dirty && this.writeFd !== undefined) fsyncSync(this.writeFd);
      this.dirty = false;
    }, this.fsyncIntervalMs);
    this.fsyncTimer.unref();
  }

  /** Oldest-first drop until the unacknowledged bytes fit the bound again. */
  private enforceBound(): void {
    while (this.pendingBytes > this.maxBytes && this.segments.length > 1) {
      const oldest = this.segments[0]!;
      const from = oldest.index === this.cursor.segment ? this.cursor.offset : 0;
      const { entries, events } = this.countRecords(oldest, from);
      this.counters.droppedEntries += entries;
      this.counters.droppedEvents += events;
      this.logger.warn('spool full: dropped oldest segment', { segment: oldest.path, entries, events, maxBytes: this.maxBytes });
      this.deleteOldest();
      this.cursor = { segment: this.segments[0]!.index, offset: 0 };
      writeJsonAtomic(this.cursorFile, this.cursor, false);
    }
  }

  private countRecords(segment: Segment, from: number): { entries: number; events: number } {
    let entries = 0;
    let events = 0;
    let offset = from;
    while (offset < segment.size) {
      const window = this.read(segment, offset, READ_WINDOW);
      let start = 0;
      for (let nl = window.indexOf(10, start); nl !== -1; nl = window.indexOf(10, start)) {
        const entry = this.decode(window.subarray(start, nl), segment, offset + start, false);
        if (entry) {
          entries++;
          events += entry.detailType === 'Picket Agent Heartbeat' ? 0 : entry.count;
        }
        start = nl + 1;
      }
      if (start === 0) break;
      offset += start;
    }
    return { entries, events };
  }

  private read(segment: Segment, offset: number, length: number): Buffer {
    const fd = openSync(segment.path, 'r');
    try {
      const buffer = Buffer.allocUnsafe(Math.min(length, segment.size - offset));
      const bytesRead = readSync(fd, buffer, 0, buffer.length, offset);
      return buffer.subarray(0, bytesRead);
    } finally {
      closeSync(fd);
    }
  }

  private decode(line: Buffer, segment: Segment, offset: number, count = true): OutgoingEntry | undefined {
    const space = line.indexOf(32);
    const body = space === 8 ? line.subarray(9) : undefined;
    if (body && Number.parseInt(line.subarray(0, 8).toString('latin1'), 16) === crc32(body)) {
      try {
        return JSON.parse(body.toString('utf8')) as OutgoingEntry;
      } catch {
        // fall through: counted below
      }
    }
    if (count) {
      this.counters.corruptRecords++;
      this.logger.warn('spool record failed its checksum; skipped', { segment: segment.path, offset });
    }
    return undefined;
  }

  private deleteOldest(): void {
    const oldest = this.segments.shift();
    if (!oldest) return;
    if (this.writeFd !== undefined && this.segments.length === 0) this.closeWriter();
    try {
      unlinkSync(oldest.path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
}
