/**
 * The whole test suite's wall time (the README's `npm test`: type-check, lint, unit and real-audit tests),
 * beside the 3-minute target and jest's own start-up in the same run. Skipped with
 * PICKET_BENCH_SKIP_TESTS=1 (the suite takes minutes).
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import type { Reporter } from './harness';

const ROOT = path.resolve(__dirname, '..');
const TARGET_S = 180;

function timed(command: string, args: readonly string[]): { seconds: number; ok: boolean } {
  const started = process.hrtime.bigint();
  const result = spawnSync(command, [...args], { cwd: ROOT, stdio: 'ignore', env: process.env });
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, ok: result.status === 0 };
}

export default async function (r: Reporter): Promise<void> {
  if (process.env.PICKET_BENCH_SKIP_TESTS === '1') {
    console.log('test-suite bench skipped (PICKET_BENCH_SKIP_TESTS=1)');
    return;
  }
  const startup = timed('npx', ['jest', '--listTests']);
  const suite = timed('npm', ['test']);
  r.record({
    name: `whole test suite, npm test (type-check, lint, unit, real audit)${suite.ok ? '' : ' — FAILED'}`,
    value: suite.seconds,
    unit: 's',
    baseline: `jest start-up alone (--listTests): ${startup.seconds.toFixed(1)} s; ratio = ${TARGET_S} s target / measured`,
    ratio: TARGET_S / suite.seconds,
    target: `< ${TARGET_S} s`,
    met: suite.ok && suite.seconds < TARGET_S,
  });
}
