/**
 * Groups records into events by (timestamp, serial). An event is complete at its EOE record, or as soon as it has
 * both its SYSCALL and its PROCTITLE record (the kernel writes PROCTITLE last, and auditd 3 never logs EOE);
 * otherwise (single-record events, lost records, old kernels) it is released once audit time has moved
 * `windowMs` past its first record, at `expire(now)`, or at flush. Records arriving for an event already released are
 * counted as lost (a second half-event would be worse than none). Out-of-order records are fine as long as they
 * arrive within the window.
 */
import type { AuditRecord } from './record';
import { detach } from './values';

function isProctitle(r: AuditRecord): boolean {
  return r.type === 'PROCTITLE';
}

/**
 * The records of one event. A class (one hidden class for every event) that keeps the record it was opened by, so
 * the timestamp text is compared in place and cut out only when someone asks for it.
 */
export class AssembledEvent {
  /** The serial: unique per boot and host; a different timestamp under the same serial is another event. */
  readonly key: number;
  readonly timeMs: number;
  readonly serial: number;
  readonly records: AuditRecord[];
  hasSyscall = false;

  constructor(
    /** The event's first record (possibly an EOE, which is not kept in `records`): its time is the event's. */
    readonly origin: AuditRecord,
    records: AuditRecord[],
  ) {
    this.key = origin.serial;
    this.timeMs = origin.timeMs;
    this.serial = origin.serial;
    this.records = records;
  }

  get timeText(): string {
    return this.origin.timeText;
  }
}

/** isStandalone per record type seen: a log has a few dozen types, and this runs for every record. */
const STANDALONE = new Map<string, boolean>();

function isStandalone(type: string): boolean {
  // No standalone type starts with B, E or P: BPRM_FCAPS, EXECVE, EOE, PATH and PROCTITLE, most of the records,
  // are answered without the map.
  const first = type.charCodeAt(0);
  if (first === 0x42 || first === 0x45 || first === 0x50) return false;
  let known = STANDALONE.get(type);
  if (known === undefined) {
    known = computeStandalone(type);
    // Bounded: odd logs could carry many distinct UNKNOWN[n] / numeric types.
    if (STANDALONE.size < 1024) STANDALONE.set(type, known);
  }
  return known;
}

/** Records that never belong to a multi-record syscall event: emitted alone, at once. */
function computeStandalone(type: string): boolean {
  return (
    type.startsWith('USER_') ||
    type.startsWith('DAEMON_') ||
    type.startsWith('ANOM_') ||
    type.startsWith('CRYPTO_') ||
    type.startsWith('SERVICE_') ||
    type.startsWith('SYSTEM_') ||
    type === 'LOGIN' ||
    type === 'CRED_ACQ' ||
    type === 'CRED_DISP' ||
    type === 'CRED_REFR' ||
    type === 'ADD_USER' ||
    type === 'DEL_USER' ||
    type === 'ADD_GROUP' ||
    type === 'DEL_GROUP' ||
    type === 'GRP_MGMT' ||
    type === 'USYS_CONFIG' ||
    type === 'TIME_ADJNTPVAL' ||
    type === 'TIME_INJOFFSET'
  );
}

export class Reassembler {
  /**
   * Events waiting for more records, in the order they were opened, except the newest, which sits in `newest`.
   * Nearly every event is complete before the next one starts (SYSCALL … PROCTITLE in a row), so most events never
   * enter the Map: a Map that goes 0 → 1 → 0 entries per event reallocates its table every time.
   */
  private readonly pending = new Map<number, AssembledEvent>();
  private newest: AssembledEvent | undefined;
  /**
   * Serials released recently, to recognise late records: serial → its slot in a ring of the last
   * `releasedMemory` releases. A slot holds the event's timestamp: its timeMs when the text is the canonical
   * "SECONDS.mmm" (then the number says the same as the text), else a detached copy of the text. Kept in typed
   * and plain arrays by slot rather than as Map values: a number value would be a heap box per event, each living
   * through 4096 events (long enough to be copied by the young-generation GC and promoted).
   */
  private readonly released = new Map<number, number>();
  private readonly releasedOrder: number[] = [];
  private readonly releasedTimes: Float64Array;
  private readonly releasedTexts: (string | undefined)[] = [];
  private releasedHead = 0;
  /** The highest serial ever remembered (some may have left `released` since: then the Map answers). */
  private maxReleasedKey = -Infinity;
  private latestMs = 0;
  /** Audit time of the last expiry scan: scanning on every record would cost more than the parsing. */
  private lastScanMs = -Infinity;
  lateRecords = 0;

  constructor(
    private readonly windowMs: number,
    private readonly maxPending = 4096,
    private readonly releasedMemory = 4096,
  ) {
    this.releasedTimes = new Float64Array(releasedMemory);
  }

  get pendingCount(): number {
    return this.pending.size + (this.newest ? 1 : 0);
  }

  /** Adds a record; returns events completed by it (its own, expired ones, or evicted ones). */
  push(record: AuditRecord, out: AssembledEvent[]): void {
    if (record.timeMs > this.latestMs) this.latestMs = record.timeMs;
    const key = record.serial;
    if (isStandalone(record.type)) {
      out.push(new AssembledEvent(record, [record]));
      this.releaseExpired(out);
      return;
    }
    let event = this.pendingEvent(key);
    if (event && !record.sameTimeAs(event.origin)) {
      // Same serial, other time: logs merged from several hosts or a serial wrap. Close the older one.
      this.release(event, out);
      event = undefined;
    }
    if (!event) {
      if (this.wasReleased(key, record)) {
        if (record.type !== 'EOE') this.lateRecords++;
        return;
      }
      event = new AssembledEvent(record, []);
      if (this.newest) this.pending.set(this.newest.key, this.newest);
      this.newest = event;
    }
    if (record.type === 'EOE') {
      this.release(event, out);
    } else {
      event.records.push(record);
      if (record.type === 'SYSCALL') event.hasSyscall = true;
      // auditd 3 does not write EOE to its log. The kernel writes PROCTITLE last among a syscall event's records,
      // so SYSCALL + PROCTITLE means complete: release now instead of a window later.
      if ((record.type === 'PROCTITLE' && event.hasSyscall) || (record.type === 'SYSCALL' && event.records.some(isProctitle))) {
        this.release(event, out);
      }
    }
    this.releaseExpired(out);
    if (this.pendingCount > this.maxPending) {
      const oldest = this.pending.size > 0 ? this.pending.values().next().value : this.newest;
      if (oldest) this.release(oldest, out);
    }
  }

  /** Releases events whose window has passed at audit time `nowMs` (for live use when no new records arrive). */
  expire(nowMs: number, out: AssembledEvent[]): void {
    if (nowMs > this.latestMs) this.latestMs = nowMs;
    this.lastScanMs = -Infinity;
    this.releaseExpired(out);
  }

  /** Releases everything pending. */
  flush(out: AssembledEvent[]): void {
    this.lastScanMs = -Infinity;
    for (const event of [...this.pending.values()]) this.release(event, out);
    if (this.newest) this.release(this.newest, out);
  }

  private pendingEvent(key: number): AssembledEvent | undefined {
    if (this.newest !== undefined && this.newest.key === key) return this.newest;
    return this.pending.size > 0 ? this.pending.get(key) : undefined;
  }

  /** Whether an event with this serial and the record's timestamp was released recently. */
  private wasReleased(key: number, record: AuditRecord): boolean {
    // Serials only grow within a boot: a serial above every one released needs no lookup.
    if (key > this.maxReleasedKey) return false;
    const slot = this.released.get(key);
    if (slot === undefined) return false;
    const text = this.releasedTexts[slot];
    return text === undefined ? this.releasedTimes[slot] === record.timeMs && record.canonicalTime : text === record.timeText;
  }

  private releaseExpired(out: AssembledEvent[]): void {
    if (this.latestMs - this.lastScanMs < this.windowMs / 4 || this.pendingCount === 0) return;
    this.lastScanMs = this.latestMs;
    // Insertion order ≈ time order, so only the head needs checking.
    for (const event of this.pending.values()) {
      if (this.latestMs - event.timeMs <= this.windowMs) return;
      this.release(event, out);
    }
    const newest = this.newest;
    if (newest && this.latestMs - newest.timeMs > this.windowMs) this.release(newest, out);
  }

  private release(event: AssembledEvent, out: AssembledEvent[]): void {
    if (event === this.newest) this.newest = undefined;
    else this.pending.delete(event.key);
    this.remember(event.key, event.origin);
    if (event.records.length > 0) out.push(event);
  }

  private remember(key: number, origin: AuditRecord): void {
    if (key > this.maxReleasedKey) this.maxReleasedKey = key;
    let slot: number;
    if (this.releasedOrder.length < this.releasedMemory) {
      slot = this.releasedOrder.length;
      this.releasedOrder.push(key);
    } else {
      slot = this.releasedHead;
      this.released.delete(this.releasedOrder[slot]!);
      this.releasedOrder[slot] = key;
      this.releasedHead = (slot + 1) % this.releasedMemory;
    }
    this.releasedTimes[slot] = origin.timeMs;
    // Never the text as cut from the line: 4096 remembered timestamps must not each keep their audit line (or read
    // chunk) alive.
    this.releasedTexts[slot] = origin.canonicalTime ? undefined : detach(origin.timeText);
    this.released.set(key, slot);
  }
}
