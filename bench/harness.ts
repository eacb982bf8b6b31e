/**
 * The benchmark harness. Every figure is printed beside what it is compared against in the same run
 * (these machines are shared and noisy, so ratios mean more than bare times).
 * A benchmark file is `bench/<area>.bench.ts` exporting `default async function (r: Reporter)`.
 */
export interface BenchResult {
  /** What was measured, e.g. `audit parse+normalise throughput`. */
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  /** What it is compared with, e.g. `ausearch -i on the same file: 41000 lines/s`. */
  readonly baseline: string;
  /** value relative to the baseline (higher is better unless the name says otherwise); null when a target, not a ratio. */
  readonly ratio: number | null;
  /** The target the issue sets, when any, e.g. `>= 3`. */
  readonly target?: string;
  /** Whether the target was met (informational: timings never fail a build). */
  readonly met?: boolean;
}

export interface Reporter {
  record(result: BenchResult): void;
}

/** Wall time of fn in ms, median of `runs` runs after one warm-up. */
export async function timeMs(fn: () => unknown | Promise<unknown>, runs = 5): Promise<number> {
  await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    await fn();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}
