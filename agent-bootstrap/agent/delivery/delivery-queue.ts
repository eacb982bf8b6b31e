/**
 * Ordered, at-least-once delivery of PutEvents entries.
 *
 * - Entries go out in the order they were enqueued (= sequence order), at most `maxEntriesPerCall` per call
 *   and under EventBridge's 256 KB request limit; the next call starts only when every entry of the previous
 *   one is delivered (or dropped as malformed). Within one call, a partial failure retries only the failed
 *   entries, so those arrive after their successful neighbours: consumers order by `seq`, which EventBridge
 *   (no ordering guarantee to targets) makes necessary anyway.
 * - Retries use exponential backoff with full jitter, on throttling, 5xx, network and permission errors.
 * - Direct path: while the spool is empty, entries wait in memory. When a call has not succeeded after
 *   `directAttempts` tries, or memory holds more than `maxMemoryEntries`, every waiting entry moves to the
 *   spool in order, and from then on new entries are appended to the spool too, until it has been replayed
 *   (oldest first) — so order holds across the switch, and across restarts (the spool is on disk).
 * - `stop()` aborts the call in flight and writes whatever is still in memory to the spool.
 */
import { type AgentLogger, describeError, silentLogger } from '../util/log';
import { type BackoffPolicy, fullJitterDelayMs, sleep } from '../util/backoff';
import { DETAIL_TYPE_HEARTBEAT } from '../../../lambda/domain/events/runtime-event';
import { MAX_PUT_EVENTS_ENTRIES, MAX_PUT_EVENTS_REQUEST_BYTES, type OutgoingEntry, entryBytes } from './entry';
import { PutEventsCallError, type PutEventsTransport } from './put-events-transport';
import type { Spool } from './spool';

export interface DeliveryQueueOptions {
  readonly transport: PutEventsTransport;
  readonly spool: Spool;
  /** The Source string (only to size requests). */
  readonly source: string;
  /** @default { baseDelayMs: 200, maxDelayMs: 30000 } */
  readonly backoff?: BackoffPolicy;
  /** Tries of a call before its entries move to the spool. @default 3 */
  readonly directAttempts?: number;
  /** Entries held in memory before spilling to the spool. @default 256 */
  readonly maxMemoryEntries?: number;
  /** @default 4 (EventBridge allows 10; with ~64 KB entries the 256 KB request limit binds first) */
  readonly maxEntriesPerCall?: number;
  readonly logger?: AgentLogger;
}

export interface DeliveryStats {
  readonly callsMade: number;
  readonly entriesSent: number;
  /** Runtime events (heartbeats excluded) accepted by EventBridge, counting redeliveries once per acceptance. */
  readonly eventsSent: number;
  /** Runtime events dropped because EventBridge rejected them as malformed. */
  readonly eventsRejected: number;
  readonly retries: number;
  readonly throttled: number;
  readonly spilledEntries: number;
  readonly memoryEntries: number;
}

export class DeliveryQueue {
  private readonly transport: PutEventsTransport;
  private readonly spool: Spool;
  private readonly source: string;
  private readonly backoff: BackoffPolicy;
  private readonly directAttempts: number;
  private readonly maxMemoryEntries: number;
  private readonly maxEntriesPerCall: number;
  private readonly logger: AgentLogger;
  private memory: OutgoingEntry[] = [];
  /** Bumped when memory is spilled: a call in flight from before must not touch the new memory queue. */
  private generation = 0;
  private readonly abort = new AbortController();
  private wakeUp: (() => void) | undefined;
  private idleWaiters: (() => void)[] = [];
  private running: Promise<void> | undefined;
  private counters = { callsMade: 0, entriesSent: 0, eventsSent: 0, eventsRejected: 0, retries: 0, throttled: 0, spilledEntries: 0 };

  constructor(options: DeliveryQueueOptions) {
    this.transport = options.transport;
    this.spool = options.spool;
    this.source = options.source;
    this.backoff = options.backoff ?? { baseDelayMs: 200, maxDelayMs: 30_000 };
    this.directAttempts = options.directAttempts ?? 3;
    this.maxMemoryEntries = options.maxMemoryEntries ?? 256;
    this.maxEntriesPerCall = Math.min(options.maxEntriesPerCall ?? 4, MAX_PUT_EVENTS_ENTRIES);
    this.logger = options.logger ?? silentLogger;
  }

  /** Starts the sending loop (idempotent). */
  start(): void {
    this.running ??= this.loop().catch((error) => {
      this.logger.error('delivery loop failed', { error: describeError(error) });
    });
  }

  enqueue(entry: OutgoingEntry): void {
    if (this.abort.signal.aborted || this.spool.hasPending) {
      this.spool.append(entry);
    } else {
      this.memory.push(entry);
      if (this.memory.length > this.maxMemoryEntries) this.spill('memory queue full');
    }
    this.wake();
  }

  stats(): DeliveryStats {
    return { ...this.counters, memoryEntries: this.memory.length };
  }

  /** Resolves when nothing waits in memory or in the spool (tests, drain before exit). */
  whenIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Aborts the call in flight, moves what is in memory to the spool (synchronously written) and closes it. */
  async stop(): Promise<void> {
    this.abort.abort();
    this.wake();
    await this.running;
    this.spill('shutdown');
    this.spool.close();
  }

  private isIdle(): boolean {
    return this.memory.length === 0 && !this.spool.hasPending;
  }

  private wake(): void {
    const wakeUp = this.wakeUp;
    this.wakeUp = undefined;
    wakeUp?.();
  }

  private spill(reason: string): void {
    if (this.memory.length === 0) return;
    const moved = this.memory;
    this.memory = [];
    this.generation++;
    for (const entry of moved) this.spool.append(entry);
    this.counters.spilledEntries += moved.length;
    this.logger.warn('entries moved to the spool', { reason, entries: moved.length, spoolBytes: this.spool.pendingBytes });
  }

  private async loop(): Promise<void> {
    const signal = this.abort.signal;
    while (!signal.aborted) {
      if (this.spool.hasPending) {
        const records = this.spool.peek(this.maxEntriesPerCall, this.requestBudget());
        if (records.length === 0) {
          // peek skipped corrupt records or finished segments; never spin if the spool state is odd
          await sleep(10, signal);
          continue;
        }
        const done = await this.sendUntilSettled(records.map((r) => r.entry), Number.POSITIVE_INFINITY);
        if (!done) break; // stopped: the cursor stays, the records are replayed next start
        this.spool.ack(records[records.length - 1]!.end);
        continue;
      }
      if (this.memory.length > 0) {
        const generation = this.generation;
        const batch = this.takeForCall(this.memory);
        const done = await this.sendUntilSettled(batch.entries, this.directAttempts, batch.settled);
        if (generation !== this.generation) continue; // spilled meanwhile: the spool has these entries
        if (done) this.memory.splice(0, batch.entries.length);
        else {
          // Keep order: entries of this call that did get through leave, the rest and everything after spill.
          this.memory = [...batch.entries.filter((e) => !batch.settled.has(e)), ...this.memory.slice(batch.entries.length)];
          if (!signal.aborted) this.spill('endpoint unavailable');
        }
        continue;
      }
      for (const resolve of this.idleWaiters.splice(0)) resolve();
      await new Promise<void>((resolve) => {
        this.wakeUp = resolve;
      });
    }
  }

  private requestBudget(): number {
    return MAX_PUT_EVENTS_REQUEST_BYTES - 8 * 1024;
  }

  private takeForCall(queue: readonly OutgoingEntry[]): { entries: OutgoingEntry[]; settled: Set<OutgoingEntry> } {
    const entries: OutgoingEntry[] = [];
    let bytes = 0;
    for (const entry of queue) {
      const size = entryBytes(this.source, entry);
      if (entries.length >= this.maxEntriesPerCall || (entries.length > 0 && bytes + size > this.requestBudget())) break;
      entries.push(entry);
      bytes += size;
    }
    return { entries, settled: new Set() };
  }

  /**
   * Sends `entries`, retrying only the ones not yet accepted, until all are settled (true) or `maxAttempts`
   * calls were made or the queue stopped (false). `settled` collects entries accepted or dropped as malformed.
   */
  private async sendUntilSettled(entries: readonly OutgoingEntry[], maxAttempts: number, settled = new Set<OutgoingEntry>()): Promise<boolean> {
    const signal = this.abort.signal;
    let pending = [...entries];
    for (let attempt = 0; ; attempt++) {
      if (signal.aborted) return false;
      this.counters.callsMade++;
      try {
        const outcomes = await this.transport.put(pending, signal);
        const failed: OutgoingEntry[] = [];
        outcomes.forEach((outcome, i) => {
          const entry = pending[i]!;
          if (outcome.status === 'ok') this.recordSent(entry);
          else if (outcome.status === 'drop') this.recordRejected(entry, outcome.code, outcome.message);
          else {
            failed.push(entry);
            if (outcome.code === 'ThrottlingException') this.counters.throttled++;
            return;
          }
          settled.add(entry);
        });
        if (failed.length > 0) this.logger.debug('PutEvents partial failure', { failed: failed.length, of: pending.length });
        pending = failed;
      } catch (error) {
        if (signal.aborted) return false;
        const callError = error instanceof PutEventsCallError ? error : new PutEventsCallError(String(error), { code: 'UnknownError', retryable: true, cause: error });
        if (callError.throttled) this.counters.throttled++;
        if (!callError.retryable) {
          for (const entry of pending) {
            this.recordRejected(entry, callError.code, callError.message);
            settled.add(entry);
          }
          pending = [];
        } else if (attempt === 0 || attempt % 10 === 9) {
          this.logger.warn('PutEvents call failed, will retry', { error: describeError(callError), attempt: attempt + 1 });
        }
      }
      if (pending.length === 0) return true;
      if (attempt + 1 >= maxAttempts) return false;
      this.counters.retries++;
      await sleep(fullJitterDelayMs(attempt, this.backoff), signal);
    }
  }

  private recordSent(entry: OutgoingEntry): void {
    this.counters.entriesSent++;
    if (entry.detailType !== DETAIL_TYPE_HEARTBEAT) this.counters.eventsSent += entry.count;
  }

  private recordRejected(entry: OutgoingEntry, code: string, message: string | undefined): void {
    if (entry.detailType !== DETAIL_TYPE_HEARTBEAT) this.counters.eventsRejected += entry.count;
    this.logger.error('PutEvents rejected an entry as malformed; dropped', { code, message, firstSeq: entry.firstSeq, lastSeq: entry.lastSeq });
  }
}
