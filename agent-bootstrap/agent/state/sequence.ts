/**
 * Per-instance sequence numbers that stay strictly increasing across agent restarts, so the detector can
 * drop redeliveries (at-least-once delivery) by (instanceId, seq).
 *
 * Writing the state file for every event would cost an fsync per event, so numbers are reserved in blocks:
 * the file records the end of the current block, written durably before any number of the block is used.
 * After a crash the agent starts after the recorded block end: some numbers are skipped (gaps are allowed),
 * none is reused. The first number is also never below the wall clock in microseconds, so a wiped state
 * directory (re-install) does not restart at 1 (this holds while the clock does not go back; the file covers
 * that case for as long as it exists). Microseconds stay below 2^53 until the year 2255.
 */
import { join } from 'node:path';
import { readJsonIfExists, StateFileError, writeJsonAtomic } from './atomic-file';

interface SequenceState {
  readonly reservedThrough: number;
}

export interface SequenceAllocatorOptions {
  readonly stateDir: string;
  /** Numbers reserved per durable write. @default 10000 */
  readonly blockSize?: number;
  /** Clock, for tests. @default Date.now */
  readonly now?: () => number;
}

export class SequenceAllocator {
  private readonly file: string;
  private readonly blockSize: number;
  private nextValue: number;
  private reservedThrough: number;

  constructor(options: SequenceAllocatorOptions) {
    this.file = join(options.stateDir, 'sequence.json');
    this.blockSize = options.blockSize ?? 10_000;
    if (!Number.isInteger(this.blockSize) || this.blockSize < 1) {
      throw new RangeError(`SequenceAllocator: blockSize must be a positive integer, got ${this.blockSize}`);
    }
    const saved = readJsonIfExists<SequenceState>(this.file);
    if (saved !== undefined && !Number.isSafeInteger(saved.reservedThrough)) {
      throw new StateFileError(`state file ${this.file}: reservedThrough must be a safe integer, got ${String(saved.reservedThrough)}`);
    }
    const clockFloor = Math.floor((options.now ?? Date.now)() * 1000);
    this.nextValue = Math.max((saved?.reservedThrough ?? 0) + 1, clockFloor);
    this.reservedThrough = this.nextValue - 1;
  }

  /** The next sequence number. Synchronous: the pipeline calls it per event. */
  next(): number {
    if (this.nextValue > this.reservedThrough) {
      this.reservedThrough = this.nextValue + this.blockSize - 1;
      writeJsonAtomic(this.file, { reservedThrough: this.reservedThrough } satisfies SequenceState, true);
    }
    return this.nextValue++;
  }

  /** The last number handed out (or the one before the first, when none was). */
  get last(): number {
    return this.nextValue - 1;
  }
}
