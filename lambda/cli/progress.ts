/** A one-line progress indicator on stderr while a terminal is watching; silent otherwise. */
import type { Writable } from 'node:stream';
import type { LineSource } from './line-source';

export interface Progress {
  /** Erase the line so a message can be written cleanly. */
  clear(): void;
  stop(): void;
}

export function startProgress(source: LineSource, out: Writable, intervalMs = 250): Progress {
  const started = Date.now();
  const draw = () => {
    const read = source.bytesRead();
    const seconds = Math.max(0.001, (Date.now() - started) / 1000);
    const rate = `${(read / 1e6 / seconds).toFixed(1)} MB/s`;
    const text = source.size
      ? `${Math.min(100, (100 * read) / source.size).toFixed(1)}% of ${(source.size / 1e6).toFixed(1)} MB, ${rate}`
      : `${(read / 1e6).toFixed(1)} MB, ${rate}`;
    out.write(`\r\x1b[2K${source.name}: ${text}`);
  };
  const timer = setInterval(draw, intervalMs);
  timer.unref();
  return {
    clear: () => out.write('\r\x1b[2K'),
    stop() {
      clearInterval(timer);
      out.write('\r\x1b[2K');
    },
  };
}
