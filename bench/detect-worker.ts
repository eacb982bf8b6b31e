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
  /** Timed runs a side; the first of each is the JIT warm-up and is not counted. */
  readonly runs: number;
}

export interface DetectWorkerResult {
  readonly rules: number;
  readonly events: number;
  /** Wall ms of every run, warm-up first. */
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

/** Runs fn once; pushes its wall ms onto `wall` and its CPU ms onto `cpu`. */
function timeOnce(fn: () => void, wall: number[], cpu: number[]): void {
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  fn();
  wall.push(Number(process.hrtime.bigint() - t0) / 1e6);
  const used = process.cpuUsage(c0);
  cpu.push((used.user + used.system) / 1000);
}

/**
 * Alternates a parse-only run and a parse+detect run (fresh engine each time: the seq dedupe would
 * drop a replay), so both sides see the same neighbours' load over the measurement.
 */
export function measureThroughput(lines: readonly string[], intel: IntelIndex, rules: readonly DetectionRule[], runs: number): DetectWorkerResult {
  const parseMs: number[] = [];
  const detectMs: number[] = [];
  const parseCpuMs: number[] = [];
  const detectCpuMs: number[] = [];
  let findings = 0;
  for (let run = 0; run < runs; run++) {
    timeOnce(
      () => {
        for (const line of lines) JSON.parse(line);
      },
      parseMs,
      parseCpuMs,
    );
    const engine = benchEngine(intel, rules);
    timeOnce(
      () => {
        for (const line of lines) findings += engine.process(JSON.parse(line) as ActivityEvent).length;
      },
      detectMs,
      detectCpuMs,
    );
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
