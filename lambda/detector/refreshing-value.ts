/**
 * A value loaded from S3 (intel lists, custom rules) and reused for `ttlMs` in the execution
 * environment. Concurrent callers share one load; a failed reload keeps the value loaded before
 * (logged) so a transient S3 error never blinds detection; with nothing loaded yet it throws and the
 * batch is retried.
 */
import type { DetectorLog } from './ports';

export class RefreshingValue<T> {
  private current: { value: T; loadedAt: number } | undefined;
  private loading: Promise<T> | undefined;
  /** Loads started (for tests and logs). */
  loads = 0;

  constructor(
    /** What the value is, for the log line of a failed reload ("intel", "custom rules"). */
    private readonly what: string,
    private readonly ttlMs: number,
    private readonly load: () => Promise<T>,
    private readonly log: DetectorLog,
  ) {}

  async get(nowMs: number): Promise<T> {
    const cur = this.current;
    if (cur && nowMs - cur.loadedAt < this.ttlMs) return cur.value;
    this.loading ??= this.startLoad().finally(() => {
      this.loading = undefined;
    });
    try {
      const value = await this.loading;
      this.current = { value, loadedAt: nowMs };
      return value;
    } catch (error) {
      if (cur) {
        this.log.error(`${this.what} reload failed; keeping what was loaded before`, { error: (error as Error).message, loadedAt: new Date(cur.loadedAt).toISOString() });
        this.current = { value: cur.value, loadedAt: nowMs };
        return cur.value;
      }
      throw error;
    }
  }

  private startLoad(): Promise<T> {
    this.loads++;
    return this.load();
  }
}
