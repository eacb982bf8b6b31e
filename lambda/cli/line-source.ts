/**
 * Streams the lines of a file (or stdin for "-") with their numbers, in constant memory, and reports
 * progress by bytes read so `picket detect` can draw a progress bar on a terminal.
 */
import { createReadStream, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { InputError } from './usage-error';

export interface NumberedLine {
  readonly text: string;
  readonly lineNo: number;
}

export interface LineSource {
  /** The name used in messages: the path, or "<stdin>". */
  readonly name: string;
  /** Size in bytes when known (regular files), for progress. */
  readonly size?: number;
  /** Bytes read so far. */
  bytesRead(): number;
  lines(): AsyncIterable<NumberedLine>;
}

export function openLineSource(path: string, stdin: Readable = process.stdin): LineSource {
  if (path === '-') return fromStream('<stdin>', stdin);
  let size: number;
  try {
    const stat = statSync(path);
    if (stat.isDirectory()) throw new InputError(`${path}: is a directory, expected a file`);
    size = stat.size;
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(`${path}: cannot read input (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, { cause: error });
  }
  return fromStream(path, createReadStream(path), size);
}

function fromStream(name: string, stream: Readable, size?: number): LineSource {
  let bytes = 0;
  stream.on('data', (chunk: Buffer | string) => {
    bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
  });
  return {
    name,
    ...(size !== undefined ? { size } : {}),
    bytesRead: () => bytes,
    async *lines() {
      const reader = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
      let lineNo = 0;
      try {
        for await (const text of reader) {
          lineNo++;
          yield { text, lineNo };
        }
      } catch (error) {
        throw new InputError(`${name}:${lineNo + 1}: read failed (${(error as Error).message})`, { cause: error });
      }
    },
  };
}
