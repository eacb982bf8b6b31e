/**
 * Detection engine costs, each against a baseline measured in the same run:
 * - throughput of JSON.parse + DetectionEngine.process (intel rules on ~200k JSON lines; all built-in
 *   rules, full seed intel plus a custom list, on the first ~100k) against JSON.parse alone on the
 *   same lines (target: ratio ≥ 0.5, i.e. detection costs no more than parsing). Measured as the
 *   product runs: an esbuild bundle of the engine and rules built with the detector Lambda's options,
 *   run by plain node in a worker process that times both sides (bench/detect-worker.ts), fastest of
 *   the warm runs each side; the all-rules figure is the median of three such processes (the ratio
 *   of one process moved by up to a quarter between back-to-back processes on identical code). The
 *   same all-rules figure under tsx (the dev loop) follows it, no target;
 * - resident memory of a process that loaded the full seed intel and streamed the events through an
 *   engine, against the same process before loading anything (target: under 256 MB) — measured in a
 *   child process so this process's copies of the stream do not count;
 * - p99 latency per 10 MB batch (parse + detect) against JSON.parse alone per batch;
 * - intel lookup cost with a 100-entry list against the full seed lists (target: ratio ≈ 1, the
 *   lookup cost does not depend on list size).
 * The stream is generated with a fixed seed to look like a busy host: execs with lineage, outbound
 * connections, DNS lookups, file writes, a few listed addresses and names (documentation ranges and
 * .test names only).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { DetectionEngine } from '../lambda/domain/detection/engine';
import type { DetectionRule } from '../lambda/domain/detection/rule';
import { BUILTIN_RULES } from '../lambda/domain/detection/rules/index';
import type { ActivityEvent } from '../lambda/domain/events/runtime-event';
import type { IntelIndex } from '../lambda/domain/intel/intel-index';
import { DEFAULT_SEED_DIR } from '../lambda/domain/intel/load-files';
import { loadIntelFromStrings } from '../lambda/domain/intel/loader';
import { eventLines, prng } from './detect-stream';
import { benchEngine, benchIntel, CHUNK_LINES, DETECT_WORKER_FLAG, type DetectWorkerRequest, type DetectWorkerResult, measureThroughput, type RuleSetName } from './detect-worker';
import type { Reporter } from './harness';

const EVENTS = 200_000;
/** SQS batch payload limit the detector Lambda sees at most. */
const BATCH_BYTES = 10 * 1024 * 1024;
const CUSTOM_THREATS = '203.0.113.0/24\n2001:db8:c2::/48\nc2.example.test\npool.example.test\n';

/** The full seed lists plus a small custom list of documentation addresses and .test names. */
function fullIntel(): IntelIndex {
  return benchIntel(DEFAULT_SEED_DIR, CUSTOM_THREATS);
}

function newEngine(intel: IntelIndex, rules: readonly DetectionRule[] = BUILTIN_RULES): DetectionEngine {
  return benchEngine(intel, rules);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function timeOnce(fn: () => void): number {
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

function gc(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

/** Child-process mode: report RSS before and after loading intel and streaming the events. */
function memoryChild(): void {
  gc();
  const before = process.memoryUsage().rss;
  const engine = newEngine(fullIntel());
  let findings = 0;
  for (const line of eventLines(EVENTS / 2)) findings += engine.process(JSON.parse(line) as ActivityEvent).length;
  findings += engine.takeFolded().length;
  gc();
  const { rss: after, heapUsed } = process.memoryUsage();
  // Touch the engine after measuring so the collector cannot have freed it (and its intel) before.
  const cached = engine.cachedFindings().length;
  process.stdout.write(JSON.stringify({ before, after, heapUsed, findings, cached }));
}

export default async function detectBench(r: Reporter): Promise<void> {
  // The product's figures first, from the bundle in a worker process: the engine with its own intel
  // rules, then with every built-in rule (behaviour rules included), so a slow rule family shows up
  // as the gap between the two. Behaviour rules are much slower per event: half the stream keeps
  // the bench under a minute.
  await bundledThroughput(r, [
    { ruleSet: 'intel', events: EVENTS, label: 'engine + intel rules', processes: 1 },
    { ruleSet: 'builtin', events: EVENTS / 2, label: 'engine + all built-in rules', processes: 3 },
  ]);
  const intel = fullIntel();
  const half = [...eventLines(EVENTS / 2)];
  // The same all-rules figure under tsx (per-module transpiled code, as in tests and the dev loop).
  record(r, measureThroughput(half, intel, BUILTIN_RULES, RUNS), 'engine + all built-in rules, under tsx (dev loop, not the product)', false);
  batchLatency(r, intel, half);
  half.length = 0;
  memory(r);
  gc(); // drop the stream before timing lookups
  lookups(r, intel);
}

/**
 * Runs: the first warms the JIT; the ratio is the median of the other five. Each run times both
 * sides in paired chunks (detect-worker.ts), so a run's ratio is one paired sample of the same work
 * under the same load, and the median of an odd count is one of them.
 */
const RUNS = 6;

/** Bundles bench/detect-worker.ts as the detector Lambda is bundled and runs each measurement in a fresh node process. */
async function bundledThroughput(r: Reporter, figures: readonly { ruleSet: RuleSetName; events: number; label: string; processes: number }[]): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'picket-detect-bench-'));
  try {
    // Imported here only: the bundle must not contain esbuild.
    const { build } = require('esbuild') as typeof import('esbuild');
    const bundle = join(dir, 'detect-worker.js');
    // lib/detector.ts's bundling options (minified, names kept, CJS, module entry points first), with
    // the node here as target instead of the Lambda's node22 runtime.
    await build({
      entryPoints: [join(__dirname, 'detect-worker.ts')],
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      minify: true,
      keepNames: true,
      mainFields: ['module', 'main'],
      outfile: bundle,
      logLevel: 'silent',
    });
    for (const figure of figures) {
      const request: DetectWorkerRequest = { seedDir: DEFAULT_SEED_DIR, customThreats: CUSTOM_THREATS, ruleSet: figure.ruleSet, events: figure.events, runs: RUNS };
      const results: DetectWorkerResult[] = [];
      for (let p = 0; p < figure.processes; p++) {
        const child = spawnSync(process.execPath, [bundle, DETECT_WORKER_FLAG, JSON.stringify(request)], { encoding: 'utf8', maxBuffer: 1 << 20 });
        if (child.status !== 0) throw new Error(`detect worker failed (${child.status}): ${child.stderr.slice(-1000)}`);
        results.push(JSON.parse(child.stdout.trim().split('\n').pop() ?? '{}') as DetectWorkerResult);
      }
      // The process whose ratio is the median: one process's figure moved by up to a quarter on
      // identical code between back-to-back processes of this shared machine (both sides together,
      // the detect side more), so one process is one sample, not the measurement.
      const byRatio = [...results].sort((a, b) => throughput(a).ratio - throughput(b).ratio);
      const median = byRatio[Math.floor(byRatio.length / 2)] as DetectWorkerResult;
      const spread = results.length > 1 ? `, median of ${results.length} processes (ratios ${byRatio.map((x) => throughput(x).ratio.toFixed(2)).join(', ')})` : '';
      record(r, median, `${figure.label}, esbuild bundle as deployed`, true, spread);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The warm run with the median ratio (each run's two sides were timed in paired chunks, so a run's
 * ratio is one paired sample), its events/s on each side, and that ratio.
 */
function throughput(result: DetectWorkerResult): { parseEps: number; detectEps: number; ratio: number } {
  const warm = result.parseMs.map((p, i) => ({ p, d: result.detectMs[i] as number })).slice(1);
  warm.sort((a, b) => a.p / a.d - b.p / b.d);
  const { p, d } = warm[Math.floor(warm.length / 2)] as { p: number; d: number };
  const parseEps = result.events / (p / 1000);
  const detectEps = result.events / (d / 1000);
  return { parseEps, detectEps, ratio: detectEps / parseEps };
}

function record(r: Reporter, result: DetectWorkerResult, label: string, withTarget: boolean, spread = ''): void {
  const { parseEps, detectEps, ratio } = throughput(result);
  // The same ratio on CPU time (user+sys of the process, median over warm runs), beside the wall-clock one.
  const cpuRatios = result.parseCpuMs.map((p, i) => p / (result.detectCpuMs[i] as number)).slice(1).sort((a, b) => a - b);
  const cpuRatio = cpuRatios[Math.floor(cpuRatios.length / 2)] as number;
  r.record({
    name: `detect throughput: JSON.parse + ${label} (${result.rules} rules, full seed intel, ${result.events} events, median of ${result.parseMs.length - 1} warm runs timed in paired ${CHUNK_LINES}-line chunks${spread}; on CPU time ${cpuRatio.toFixed(2)})`,
    value: detectEps,
    unit: 'events/s',
    baseline: `JSON.parse alone on the same lines, same process: ${Math.round(parseEps)} events/s`,
    ratio,
    ...(withTarget ? { target: '>= 0.5', met: ratio >= 0.5 } : {}),
  });
  if (result.findings === 0) throw new Error('bench stream raised no findings: the listed indicators did not match');
}

function batchLatency(r: Reporter, intel: IntelIndex, lines: readonly string[]): void {
  // Per-batch latency: the stream cut into 10 MB SQS-sized batches, each parsed and detected.
  const batches: string[][] = [];
  let current: string[] = [];
  let bytes = 0;
  for (const line of lines) {
    current.push(line);
    bytes += line.length + 1;
    if (bytes >= BATCH_BYTES) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
  }
  if (current.length > 0) batches.push(current);
  const engine = newEngine(intel);
  const batchMs: number[] = [];
  const batchParseMs: number[] = [];
  for (const batch of batches) {
    batchParseMs.push(
      timeOnce(() => {
        for (const line of batch) JSON.parse(line);
      }),
    );
    batchMs.push(
      timeOnce(() => {
        for (const line of batch) engine.process(JSON.parse(line) as ActivityEvent);
        // The Lambda hands out the batch's folded repeats once, to store them.
        engine.takeFolded();
      }),
    );
  }
  const p99 = percentile(batchMs, 0.99);
  const p99Parse = percentile(batchParseMs, 0.99);
  r.record({
    name: `p99 latency per 10 MB batch, parse + detect, all built-in rules (${batches.length} batches of ~${Math.round(lines.length / batches.length)} events)`,
    value: p99,
    unit: 'ms',
    baseline: `JSON.parse alone per batch, p99: ${p99Parse.toFixed(0)} ms`,
    ratio: p99 / p99Parse,
  });
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)]!;
}

function memory(r: Reporter): void {
  // Memory, in a child process running this file in memory mode.
  const child = spawnSync(process.execPath, [require.resolve('tsx/cli'), __filename, '--memory-child'], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  if (child.status !== 0) throw new Error(`memory child failed (${child.status}): ${child.stderr}`);
  const mem = JSON.parse(child.stdout.trim().split('\n').pop() ?? '{}') as { before: number; after: number; heapUsed: number };
  const afterMb = mem.after / 2 ** 20;
  r.record({
    name: `detector RSS with full seed intel, all built-in rules, after ${EVENTS / 2} events (heap ${(mem.heapUsed / 2 ** 20).toFixed(0)} MB)`,
    value: afterMb,
    unit: 'MB',
    baseline: `same process before loading intel: ${(mem.before / 2 ** 20).toFixed(1)} MB`,
    ratio: mem.after / mem.before,
    target: '< 256 MB',
    met: afterMb < 256,
  });
}

function lookups(r: Reporter, intel: IntelIndex): void {
  // Lookup cost: 100-entry list vs full seed lists, same probes.
  const rnd = prng(7);
  const probesIp = Array.from({ length: 100_000 }, () => `${Math.floor(rnd() * 224)}.${Math.floor(rnd() * 256)}.${Math.floor(rnd() * 256)}.${Math.floor(rnd() * 256)}`);
  const probesDomain = Array.from({ length: 100_000 }, (_, i) => `svc${i % 5000}.app${Math.floor(rnd() * 1000)}.example.com`);
  const small = loadIntelFromStrings([
    {
      name: 'small',
      text: Array.from({ length: 50 }, (_, i) => `198.51.100.${i}\nbad${i}.example.test`).join('\n'),
      role: 'threat',
      category: 'c2',
    },
  ]).intel;
  const lookup = (index: IntelIndex) => () => {
    for (const ip of probesIp) index.matchIp(ip);
    for (const d of probesDomain) index.matchDomain(d);
  };
  const smallMs: number[] = [];
  const fullMs: number[] = [];
  for (let run = 0; run < 6; run++) {
    // Alternate the order so neither index always runs on a warmer cache.
    if (run % 2 === 0) {
      smallMs.push(timeOnce(lookup(small)));
      fullMs.push(timeOnce(lookup(intel)));
    } else {
      fullMs.push(timeOnce(lookup(intel)));
      smallMs.push(timeOnce(lookup(small)));
    }
  }
  const stats = intel.stats();
  const fullEntries = stats.threatCidrs + stats.threatDomains;
  const nsFull = (median(fullMs.slice(1)) * 1e6) / (probesIp.length + probesDomain.length);
  const nsSmall = (median(smallMs.slice(1)) * 1e6) / (probesIp.length + probesDomain.length);
  r.record({
    name: `intel lookup cost, full seed lists (${fullEntries} entries)`,
    value: nsFull,
    unit: 'ns/lookup',
    baseline: `100-entry list, same probes: ${nsSmall.toFixed(0)} ns/lookup`,
    ratio: nsFull / nsSmall,
    target: '≈ 1 (0.5–2)',
    met: nsFull / nsSmall <= 2 && nsFull / nsSmall >= 0.5,
  });
}

if (process.argv.includes('--memory-child')) memoryChild();
