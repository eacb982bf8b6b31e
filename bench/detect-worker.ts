/**
 * Worker half of the detect throughput bench. bench/detect.bench.ts bundles this file with esbuild
 * using the detector Lambda's bundling options (lib/detector.ts: minified, names kept, CJS) and runs
 * it with plain node, so the figure is the code as the Lambda and `picket detect` run it, not as tsx
 * transpiles it module by module. Both sides of the ratio are measured here, in one process, on the
 * same lines: JSON.parse alone, and JSON.parse + DetectionEngine.process.
 *
 * Only the worker entry lives here (no esbuild or tsx imports), so the bundle stays the engine,
 * the rules, the intel loader and the stream generator.
 */
import { DetectionEngine } from '../lambda/domain/detection/engine';
import type { DetectionRule } from '../lambda/domain/detection/rule';
import { BUILTIN_RULES } from '../lambda/domain/detection/rules/index';
import { INTEL_RULES } from '../lambda/domain/detection/rules/intel/index';
import type { ActivityEvent } from '../lambda/domain/events/runtime-event';
import type { IntelIndex } from '../lambda/domain/intel/intel-index';
import { seedSources } from '../lambda/domain/intel/load-files';
import { loadIntelFromStrings } from '../lambda/domain/intel/loader';
import { eventLines } from './detect-stream';

export const DETECT_WORKER_FLAG = '--detect-worker';

/** The rule sets the worker can run, by the name the bench passes on its command line. */
export const RULE_SETS = { intel: INTEL_RULES, builtin: BUILTIN_RULES } as const satisfies Record<string, readonly DetectionRule[]>;
export type RuleSetName = keyof typeof RULE_SETS;

export interface DetectWorkerRequest {
  /** Seed intel directory (the bundle's own __dirname is not the repository's, so the parent passes it). */
  readonly seedDir: string;
  readonly customThreats: string;
  readonly ruleSet: RuleSetName;
  /** Lines taken from the start of the bench stream (the same prefix the parent would generate). */
  readonly events: number;
  /** Timed runs (each the whole stream, both sides in paired chunks); the first is the JIT warm-up and is not counted. */
  readonly runs: number;
}

export interface DetectWorkerResult {
  readonly rules: number;
  readonly events: number;
  /** Wall ms of every run (the sum of its chunks), warm-up first. */
  readonly parseMs: readonly number[];
  readonly detectMs: readonly number[];
  /** CPU ms (user+sys, all threads: the collector's helpers count) of every run, warm-up first. */
  readonly parseCpuMs: readonly number[];
  readonly detectCpuMs: readonly number[];
  readonly findings: number;
}

export function benchIntel(seedDir: string, customThreats: string): IntelIndex {
  const { intel, errors } = loadIntelFromStrings([
    { name: 'bench-custom', text: customThreats, role: 'threat', category: 'c2' },
    ...seedSources(seedDir),
  ]);
  if (errors.length > 0) throw new Error(`seed intel has ${errors.length} malformed lines`);
  return intel;
}

export function benchEngine(intel: IntelIndex, rules: readonly DetectionRule[]): DetectionEngine {
  return new DetectionEngine({ rules, intel, accountId: '111122223333', region: 'us-east-1', detectorId: 'bench' });
}

/** Lines per timed chunk: each side is timed on one chunk, then the other side on the same chunk. */
export const CHUNK_LINES = 5_000;

interface Timing {
  readonly wall: number;
  readonly cpu: number;
}

/** Wall and CPU ms of fn. */
function timeOnce(fn: () => void): Timing {
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  fn();
  const wall = Number(process.hrtime.bigint() - t0) / 1e6;
  const used = process.cpuUsage(c0);
  return { wall, cpu: (used.user + used.system) / 1000 };
}

/**
 * One run is the whole stream through a fresh engine (the seq dedupe would drop a replay), timed in
 * paired chunks: JSON.parse alone on a chunk, then JSON.parse + detect on the same chunk, and so on
 * to the end; each side's run time is the sum over its chunks. Timing whole runs one after the
 * other let this shared machine's load swings land on one side only (the same code measured
 * 0.42 and 0.56 in back-to-back processes); paired chunks put both sides under the same load
 * within milliseconds of each other. The sides take turns at going first, since the second finds
 * the chunk's lines already in the CPU cache. After each chunk the engine hands out its folded repeats
 * (takeFolded), as the detector Lambda does once per batch: a chunk is smaller than a batch, so
 * this costs the engine more than the Lambda pays.
 */
export function measureThroughput(lines: readonly string[], intel: IntelIndex, rules: readonly DetectionRule[], runs: number): DetectWorkerResult {
  const parseMs: number[] = [];
  const detectMs: number[] = [];
  const parseCpuMs: number[] = [];
  const detectCpuMs: number[] = [];
  let findings = 0;
  for (let run = 0; run < runs; run++) {
    const engine = benchEngine(intel, rules);
    let parseWall = 0;
    let parseCpu = 0;
    let detectWall = 0;
    let detectCpu = 0;
    for (let from = 0; from < lines.length; from += CHUNK_LINES) {
      const to = Math.min(lines.length, from + CHUNK_LINES);
      const parseChunk = () =>
        timeOnce(() => {
          for (let i = from; i < to; i++) JSON.parse(lines[i] as string);
        });
      const detectChunk = () =>
        timeOnce(() => {
          for (let i = from; i < to; i++) findings += engine.process(JSON.parse(lines[i] as string) as ActivityEvent).length;
          findings += engine.takeFolded().length;
        });
      // The side that goes second finds the chunk's lines in the CPU cache: take turns.
      let parsed: Timing;
      let detected: Timing;
      if ((from / CHUNK_LINES) % 2 === 0) {
        parsed = parseChunk();
        detected = detectChunk();
      } else {
        detected = detectChunk();
        parsed = parseChunk();
      }
      parseWall += parsed.wall;
      parseCpu += parsed.cpu;
      detectWall += detected.wall;
      detectCpu += detected.cpu;
    }
    parseMs.push(parseWall);
    parseCpuMs.push(parseCpu);
    detectMs.push(detectWall);
    detectCpuMs.push(detectCpu);
  }
  return { rules: rules.length, events: lines.length, parseMs, detectMs, parseCpuMs, detectCpuMs, findings };
}

function worker(request: DetectWorkerRequest): void {
  const intel = benchIntel(request.seedDir, request.customThreats);
  const lines = [...eventLines(request.events)];
  const result = measureThroughput(lines, intel, RULE_SETS[request.ruleSet], request.runs);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

const flagAt = process.argv.indexOf(DETECT_WORKER_FLAG);
if (flagAt >= 0) worker(JSON.parse(process.argv[flagAt + 1] ?? '{}') as DetectWorkerRequest);
