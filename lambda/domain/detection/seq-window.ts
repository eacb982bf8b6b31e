/**
 * Redelivery filter for one instance's event sequence numbers: a high-water mark plus a bitmap of
 * the last `WINDOW` numbers below it. SQS may redeliver a batch, and batches may arrive out of
 * order, so "seq <= high-water mark" alone would drop late but new events; the bitmap tells them
 * apart. Anything older than the window is treated as already seen (counted as stale).
 *
 * Serialises to `{hwm, bits}` (bits base64, 128 bytes) so it fits in the per-instance state item.
 */

export const SEQ_WINDOW = 1024;

export type SeqVerdict = 'new' | 'duplicate' | 'stale';

export interface SeqWindowJson {
  readonly hwm: number;
  readonly bits: string;
}

export class SeqWindow {
  private hwm = -1;
  private readonly bits = new Uint8Array(SEQ_WINDOW / 8);

  /** Records `seq` and says whether it was new. */
  check(seq: number): SeqVerdict {
    if (seq > this.hwm) {
      const advance = seq - this.hwm;
      if (this.hwm < 0 || advance >= SEQ_WINDOW) this.bits.fill(0);
      else for (let s = this.hwm + 1; s < seq; s++) this.clear(s);
      this.hwm = seq;
      this.set(seq);
      return 'new';
    }
    if (seq <= this.hwm - SEQ_WINDOW) return 'stale';
    if (this.has(seq)) return 'duplicate';
    this.set(seq);
    return 'new';
  }

  toJSON(): SeqWindowJson {
    return { hwm: this.hwm, bits: Buffer.from(this.bits).toString('base64') };
  }

  static fromJSON(json: unknown): SeqWindow {
    const w = new SeqWindow();
    if (typeof json === 'object' && json !== null) {
      const o = json as Partial<SeqWindowJson>;
      if (typeof o.hwm === 'number' && typeof o.bits === 'string') {
        w.hwm = o.hwm;
        w.bits.set(Buffer.from(o.bits, 'base64').subarray(0, w.bits.length));
      }
    }
    return w;
  }

  private index(seq: number): number {
    // seq mod SEQ_WINDOW, negatives included: SEQ_WINDOW is a power of two dividing 2^32, so the
    // low bits of the 32-bit integer are the remainder (one AND instead of two remainders).
    return seq & (SEQ_WINDOW - 1);
  }
  private set(seq: number): void {
    const i = this.index(seq);
    this.bits[i >> 3] |= 1 << (i & 7);
  }
  private clear(seq: number): void {
    const i = this.index(seq);
    this.bits[i >> 3] &= ~(1 << (i & 7));
  }
  private has(seq: number): boolean {
    const i = this.index(seq);
    return (this.bits[i >> 3] & (1 << (i & 7))) !== 0;
  }
}
