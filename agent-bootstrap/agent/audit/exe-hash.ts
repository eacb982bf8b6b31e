/**
 * SHA-256 of executables, cached by device + inode + mtime + size so a binary is read once however often it runs,
 * and re-read when it is replaced. Synchronous on purpose: the pipeline is synchronous and a cache hit costs one
 * stat(). Files over `maxBytes` (default 64 MiB) are not hashed at all (no sha256 rather than a stalled agent);
 * reads go in 1 MiB chunks so memory stays flat. Non-regular files (memfd, deleted images, /proc paths) are
 * skipped unless readable through procRoot/<pid>/exe.
 */
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { LruMap } from '../../../lambda/domain/detection/lru';

const CHUNK = 1024 * 1024;

export class ExeHasher {
  private readonly cache: LruMap<string, string | null>;
  private readonly buffer = Buffer.allocUnsafe(CHUNK);
  hashed = 0;
  cacheHits = 0;

  constructor(
    readonly maxBytes = 64 * 1024 * 1024,
    cacheEntries = 4096,
  ) {
    this.cache = new LruMap(cacheEntries);
  }

  /** Hex SHA-256 of the file at `path`, or undefined when it cannot be read, is not regular, or is too big. */
  hash(path: string): string | undefined {
    try {
      const st = statSync(path, { throwIfNoEntry: false });
      if (!st?.isFile()) return undefined;
      const key = `${st.dev}:${st.ino}:${st.mtimeMs}:${st.size}`;
      const cached = this.cache.get(key);
      if (cached !== undefined) {
        this.cacheHits++;
        return cached ?? undefined;
      }
      const digest = st.size > this.maxBytes ? null : this.read(path);
      this.cache.set(key, digest);
      return digest ?? undefined;
    } catch {
      return undefined;
    }
  }

  private read(path: string): string | null {
    let fd = -1;
    try {
      fd = openSync(path, 'r');
      if (fstatSync(fd).size > this.maxBytes) return null;
      const h = createHash('sha256');
      let total = 0;
      for (;;) {
        const n = readSync(fd, this.buffer, 0, CHUNK, null);
        if (n <= 0) break;
        total += n;
        if (total > this.maxBytes) return null;
        h.update(this.buffer.subarray(0, n));
      }
      this.hashed++;
      return h.digest('hex');
    } catch {
      return null;
    } finally {
      if (fd >= 0) closeSync(fd);
    }
  }
}
