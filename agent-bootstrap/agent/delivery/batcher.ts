/**
 * Collects runtime events into PutEvents entries, encoded by the shared encoder (lambda/domain/events/batch.ts:
 * gzip+base64 JSON lines in an EventBatchDetail). An entry leaves when
 * - the events waiting would fill about one billed EventBridge chunk (64 KB; the estimate uses the encoded
 *   bytes per event seen so far, and `packBatches` splits anything that still comes out too big),
 * - `flushIntervalMs` after its first event (default 1000: the latency bound),
 * - an urgent event arrives (see urgency.ts), at most once per `urgentMinGapMs`,
 * - or `flush()` is called (before a heartbeat, at shutdown).
 * Entries are handed to the sink in sequence order.
 *
 * Pending events are kept serialised (one JSON string and a seq each): at 1,000 events/s hundreds of them wait
 * for the flush, long enough to survive young-generation collections, and a flat string costs the garbage
 * collector far less to copy and mark than the event's object graph (process, argv, lineage…).
 */
import { BatchEncodeError, EVENTBRIDGE_BILLING_CHUNK_BYTES, EVENTBRIDGE_MAX_ENTRY_BYTES, encodeBatch, packSerialised } from '../../../lambda/domain/events/batch';
import { DETAIL_TYPE_EVENTS, DETAIL_TYPE_HEARTBEAT, type HeartbeatEvent, type RuntimeEvent } from '../../../lambda/domain/events/runtime-event';
import type { OutgoingEntry } from './entry';
import { serialiseEvent } from './serialise';
import { isUrgentEvent } from './urgency';

export interface BatcherOptions {
  /** The Source the entries will carry (counts toward the entry size). */
  readonly source: string;
  /** Where finished entries go, in order. */
  readonly sink: (entry: OutgoingEntry) => void;
  /** @default 1000 */
  readonly flushIntervalMs?: number;
  /** Entry size to stay under. @default 65536 (one billed chunk) */
  readonly targetEntryBytes?: number;
  /** Flush at once on urgent events. @default true */
  readonly urgentFlush?: boolean;
  /** @default 100 */
  readonly urgentMinGapMs?: number;
  /**
   * Fraction of `targetEntryBytes` the size estimate must reach to flush. Below 1 so the batch nearly always
   * fits in one gzip pass: an overshoot makes the encoder split it, which costs two more gzip passes and two
   * half-full (separately billed) entries. @default 0.8
   */
  readonly fillRatio?: number;
  /** Called when events cannot be encoded (an event too big for any entry); they are dropped and counted. */
  readonly onEncodeError?: (error: BatchEncodeError, events: number) => void;
}

export interface BatcherStats {
  readonly eventsIn: number;
  readonly entriesOut: number;
  /** Encoded entry bytes (what EventBridge sizes), heartbeats excluded. */
  readonly entryBytes: number;
  readonly encodeDropped: number;
}

export class Batcher {
  private readonly flushIntervalMs: number;
  private readonly targetEntryBytes: number;
  private readonly urgentMinGapMs: number;
  private readonly urgentFlush: boolean;
  private readonly fillRatio: number;
  /** The instance of the pending events (a batch carries one instance's events). */
  private pendingInstance = '';
  private pendingSeqs: number[] = [];
  private pendingLines: string[] = [];
  /** Entry bytes per event (EMA); starts pessimistic so the first entries are small rather than split. */
  private bytesPerEvent = 600;
  private timer: NodeJS.Timeout | undefined;
  private firstPendingAt = 0;
  private lastFlushAt = 0;
  private counters = { eventsIn: 0, entriesOut: 0, entryBytes: 0, encodeDropped: 0 };

  constructor(private readonly options: BatcherOptions) {
    this.flushIntervalMs = options.flushIntervalMs ?? 1000;
    this.targetEntryBytes = options.targetEntryBytes ?? EVENTBRIDGE_BILLING_CHUNK_BYTES;
    this.urgentMinGapMs = options.urgentMinGapMs ?? 100;
    this.urgentFlush = options.urgentFlush ?? true;
    this.fillRatio = options.fillRatio ?? 0.8;
    if (!(this.flushIntervalMs >= 1)) throw new RangeError(`Batcher: flushIntervalMs must be >= 1, got ${this.flushIntervalMs}`);
    if (!(this.targetEntryBytes >= 4096 && this.targetEntryBytes <= EVENTBRIDGE_MAX_ENTRY_BYTES)) {
      throw new RangeError(`Batcher: targetEntryBytes must be within 4096..${EVENTBRIDGE_MAX_ENTRY_BYTES}, got ${this.targetEntryBytes}`);
    }
  }

  add(event: RuntimeEvent): void {
    // Another instance's event (never the case for one agent) closes the batch first.
    if (this.pendingLines.length > 0 && event.instanceId !== this.pendingInstance) this.flush();
    if (this.pendingLines.length === 0) {
      this.firstPendingAt = Date.now();
      this.pendingInstance = event.instanceId;
      this.arm(this.flushIntervalMs);
    }
    this.pendingSeqs.push(event.seq);
    this.pendingLines.push(serialiseEvent(event));
    this.counters.eventsIn++;
    if (this.urgentFlush && isUrgentEvent(event)) {
      const wait = this.lastFlushAt + this.urgentMinGapMs - Date.now();
      if (wait <= 0) this.flush();
      else this.arm(wait);
      return;
    }
    if (this.pendingLines.length * this.bytesPerEvent >= this.targetEntryBytes * this.fillRatio) this.flush(true);
  }

  /** A heartbeat goes out as its own entry (DetailType `Picket Agent Heartbeat`), after the events before it. */
  addHeartbeat(event: HeartbeatEvent): void {
    this.flush();
    const detail = encodeBatch([event], { encoding: 'json' });
    this.emit({ detailType: DETAIL_TYPE_HEARTBEAT, detail: JSON.stringify(detail), count: 1, firstSeq: event.seq, lastSeq: event.seq });
  }

  /**
   * Send what is pending now. `bySize` (the size trigger): when the encoder had to split the batch, the last,
   * partly filled piece is not sent but kept pending, so entries stay near one full billed chunk; its events
   * still leave within flushIntervalMs of their arrival.
   */
  flush(bySize = false): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pendingLines.length === 0) return;
    const pending = { instanceId: this.pendingInstance, seqs: this.pendingSeqs, lines: this.pendingLines };
    const firstAt = this.firstPendingAt;
    this.pendingSeqs = [];
    this.pendingLines = [];
    this.lastFlushAt = Date.now();
    let packed: ReturnType<typeof packSerialised>;
    try {
      packed = packSerialised(pending, { source: this.options.source, detailType: DETAIL_TYPE_EVENTS, targetEntryBytes: this.targetEntryBytes });
    } catch (error) {
      if (!(error instanceof BatchEncodeError)) throw error;
      this.salvage(pending, error);
      return;
    }
    if (bySize && packed.length > 1) {
      const rest = packed.pop()!;
      const keep = pending.lines.length - rest.detail.count;
      this.pendingSeqs = pending.seqs.slice(keep);
      this.pendingLines = pending.lines.slice(keep);
      this.firstPendingAt = firstAt;
      this.arm(Math.max(0, firstAt + this.flushIntervalMs - Date.now()));
    }
    let bytes = 0;
    let sent = 0;
    for (const batch of packed) {
      sent += batch.detail.count;
      bytes += batch.entryBytes;
      this.counters.entryBytes += batch.entryBytes;
      this.emit({ detailType: DETAIL_TYPE_EVENTS, detail: batch.detailJson, count: batch.detail.count, firstSeq: batch.detail.firstSeq, lastSeq: batch.detail.lastSeq });
    }
    if (sent >= 16) this.bytesPerEvent = this.bytesPerEvent * 0.6 + (bytes / sent) * 0.4;
  }

  get pendingEvents(): number {
    return this.pendingLines.length;
  }

  stats(): BatcherStats {
    return { ...this.counters };
  }

  private arm(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), ms);
    this.timer.unref();
  }

  /** One event could not be encoded (too big even alone): send the others one by one, drop and count that one. */
  private salvage(pending: { instanceId: string; seqs: readonly number[]; lines: readonly string[] }, firstError: BatchEncodeError): void {
    let dropped = 0;
    pending.lines.forEach((line, i) => {
      const seq = pending.seqs[i]!;
      try {
        const [batch] = packSerialised({ instanceId: pending.instanceId, seqs: [seq], lines: [line] }, { source: this.options.source, detailType: DETAIL_TYPE_EVENTS, targetEntryBytes: this.targetEntryBytes });
        this.emit({ detailType: DETAIL_TYPE_EVENTS, detail: batch!.detailJson, count: 1, firstSeq: seq, lastSeq: seq });
      } catch {
        dropped++;
      }
    });
    this.counters.encodeDropped += dropped;
    this.options.onEncodeError?.(firstError, dropped);
  }

  private emit(entry: OutgoingEntry): void {
    this.counters.entriesOut++;
    this.options.sink(entry);
  }
}
