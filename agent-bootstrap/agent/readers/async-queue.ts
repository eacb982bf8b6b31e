/**
 * A bounded push/pull queue: a producer (socket or file reader) pushes items, one consumer pulls them with
 * `for await`. When more than `highWater` items wait, `onPressure(true)` asks the producer to pause; it is
 * resumed with `onPressure(false)` once the consumer has drained to half.
 */
export class AsyncQueue<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private head = 0;
  private ended = false;
  private failure: unknown;
  private waiter: (() => void) | undefined;
  private paused = false;

  constructor(
    private readonly highWater = 10_000,
    private readonly onPressure: (pause: boolean) => void = () => {},
  ) {}

  push(item: T): void {
    if (this.ended) return;
    this.items.push(item);
    if (!this.paused && this.size > this.highWater) {
      this.paused = true;
      this.onPressure(true);
    }
    this.wake();
  }

  end(error?: unknown): void {
    if (this.ended) return;
    this.ended = true;
    this.failure = error;
    this.wake();
  }

  get size(): number {
    return this.items.length - this.head;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for await (const batch of this.batches(1)) yield batch[0]!;
  }

  /**
   * Everything waiting, up to `max` items per array: one await per batch instead of one per item, which is
   * what keeps the per-line cost of a busy audit stream low.
   */
  async *batches(max = 4096): AsyncGenerator<T[]> {
    for (;;) {
      if (this.head < this.items.length) {
        const end = Math.min(this.items.length, this.head + max);
        const batch = this.items.slice(this.head, end);
        this.head = end;
        if (this.head === this.items.length) {
          this.items.length = 0;
          this.head = 0;
        } else if (this.head > 4096 && this.head * 2 > this.items.length) {
          this.items.splice(0, this.head);
          this.head = 0;
        }
        if (this.paused && this.size <= this.highWater / 2) {
          this.paused = false;
          this.onPressure(false);
        }
        yield batch;
        continue;
      }
      if (this.ended) {
        if (this.failure !== undefined) throw this.failure;
        return;
      }
      await new Promise<void>((resolve) => {
        this.waiter = resolve;
      });
    }
  }

  private wake(): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.();
  }
}
