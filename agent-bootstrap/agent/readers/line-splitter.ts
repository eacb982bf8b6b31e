/**
 * Turns chunks of bytes into complete lines. A line split across chunks is held until its newline arrives,
 * and a multi-byte UTF-8 character split across chunks is never cut (we split on the byte 0x0a, which never
 * occurs inside a UTF-8 sequence, and decode whole lines only).
 */
export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(private readonly maxLineBytes = 1024 * 1024) {}

  /** Complete lines in `chunk` (joined with what was pending), and how many bytes they consumed in total. */
  push(chunk: Buffer): { lines: string[]; consumedBytes: number } {
    const lines: string[] = [];
    let consumedBytes = 0;
    let start = 0;
    for (let nl = chunk.indexOf(10, start); nl !== -1; nl = chunk.indexOf(10, start)) {
      // Decoded straight from the chunk (no view object per line) unless a piece of the line is pending.
      const text = this.pendingBytes > 0 ? Buffer.concat([...this.pending, chunk.subarray(start, nl)]).toString('utf8') : chunk.toString('utf8', start, nl);
      consumedBytes += this.pendingBytes + (nl - start) + 1;
      this.pending = [];
      this.pendingBytes = 0;
      lines.push(stripCr(text));
      start = nl + 1;
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      this.pending.push(Buffer.from(rest));
      this.pendingBytes += rest.length;
      if (this.pendingBytes > this.maxLineBytes) {
        // A line this long is not audit text: hand it over cut rather than grow without bound.
        const whole = Buffer.concat(this.pending).toString('utf8');
        consumedBytes += this.pendingBytes;
        this.pending = [];
        this.pendingBytes = 0;
        lines.push(whole);
      }
    }
    return { lines, consumedBytes };
  }

  /** Bytes of an incomplete last line held back. */
  get heldBytes(): number {
    return this.pendingBytes;
  }

  /** Forget a held partial line (after a reconnect or a truncated file). */
  reset(): void {
    this.pending = [];
    this.pendingBytes = 0;
  }
}

function stripCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}
