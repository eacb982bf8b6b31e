/**
 * Audit parse+normalise throughput: AuditPipeline (offline: no /proc, no hashing — the parser's own cost) beside
 * `ausearch -i -if FILE > /dev/null` on the same generated log, plus the peak RSS of each (GNU time %M).
 * The log (≥ 200,000 lines) is the committed real captures (test/fixtures/audit/scenario-*.log, RAW and
 * ENRICHED) replicated with fresh serials, timestamps and pids, so reassembly and the process table see a
 * stream of distinct events and processes rather than one repeated.
 * Each side runs in its own process, median of 3 runs; ours is this file bundled by esbuild as the agent is
 * (no tsx in the process: its loader alone is ~40 MB of RSS) run by plain node with the systemd unit's node flags,
 * as deployed. The headline ratio is on CPU time (user+sys, GNU time for ausearch, process.cpuUsage for ours),
 * wall clock beside it.
 */
import { spawnSync } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { AuditPipeline } from '../agent-bootstrap/agent/audit';
import type { Reporter } from './harness';

const REPO = resolve(__dirname, '..');
const TARGET_LINES = 200_000;
const RUNS = 3;
const WORKER_FLAG = '--audit-parse-worker';

/** The fixture captures re-serialised `copies` times with new serials, times and pids. */
export function generateLog(targetLines: number): string {
  const sources = ['scenario-raw.log', 'scenario-enriched.log'].map((f) =>
    readFileSync(join(REPO, 'test/fixtures/audit', f), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('type=')),
  );
  const header = /audit\((\d+)\.(\d+):(\d+)\)/;
  const out: string[] = [];
  let serial = 1000;
  let copy = 0;
  while (out.length < targetLines) {
    const lines = sources[copy % sources.length]!;
    // pids shifted per copy (kept under the kernel's 4194304 limit), times moved forward a second per copy
    const pidShift = (copy % 40) * 100_000;
    const sec = 1_800_000_000 + copy;
    let lastKey = '';
    for (const line of lines) {
      const m = header.exec(line);
      if (!m) continue;
      const key = `${m[1]}.${m[2]}:${m[3]}`;
      if (key !== lastKey) {
        serial++;
        lastKey = key;
      }
      let next = line.replace(header, `audit(${sec}.${m[2]}:${serial})`);
      if (pidShift > 0) next = next.replace(/ (ppid|pid|opid)=(\d+)/g, (_, k: string, v: string) => ` ${k}=${Number(v) + pidShift}`);
      out.push(next);
    }
    copy++;
  }
  return `${out.join('\n')}\n`;
}

interface WorkerResult {
  /** Wall and CPU (user+sys) time of the timed pass, ms. */
  readonly ms: number;
  readonly cpuMs: number;
  readonly lines: number;
  readonly events: number;
  readonly malformed: number;
}

/**
 * Streams the file (64 KiB reads, as the agent's readers do) line by line into a fresh pipeline; returns lines,
 * events and malformed count. Streaming keeps the measured RSS the pipeline's, not the file's.
 */
async function parseFile(file: string): Promise<{ lines: number; events: number; malformed: number }> {
  const pipeline = new AuditPipeline({ instanceId: 'i-0123456789abcdef0', procRoot: null });
  let events = 0;
  let lineNo = 0;
  let partial = '';
  for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: 64 * 1024 })) {
    const text = partial + (chunk as string);
    let start = 0;
    for (;;) {
      const end = text.indexOf('\n', start);
      if (end < 0) break;
      events += pipeline.pushLine(text.slice(start, end), ++lineNo).length;
      start = end + 1;
    }
    partial = text.slice(start);
  }
  if (partial.length > 0) events += pipeline.pushLine(partial, ++lineNo).length;
  events += pipeline.flush().length;
  return { lines: lineNo, events, malformed: pipeline.stats().malformed };
}

/**
 * Worker mode. The agent is a long-running process, so the figure is steady state: two untimed warm-up passes
 * over the file (JIT tiers, heap sizing), then the timed pass.
 */
async function worker(file: string): Promise<void> {
  await parseFile(file);
  await parseFile(file);
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  const counts = await parseFile(file);
  const cpu = process.cpuUsage(c0);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const result: WorkerResult = { ms, cpuMs: (cpu.user + cpu.system) / 1000, ...counts };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/** Runs argv under GNU time; returns wall ms, CPU ms (user+sys), peak RSS in bytes and stdout. */
function timed(argv: string[], stdoutToNull: boolean): { ms: number; cpuMs: number; rssBytes: number; stdout: string } {
  const t0 = process.hrtime.bigint();
  const shell = `/usr/bin/time -f 'PICKET_TIME %U %S %M' "$@"${stdoutToNull ? ' >/dev/null' : ''}`;
  const res = spawnSync('bash', ['-c', shell, 'timed', ...argv], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (res.status !== 0) throw new Error(`${argv.join(' ')} failed (${res.status}): ${res.stderr.slice(-500)}`);
  const m = /PICKET_TIME ([\d.]+) ([\d.]+) (\d+)/.exec(res.stderr);
  if (!m) throw new Error(`no GNU time output for ${argv[0]}: ${res.stderr.slice(-300)}`);
  return { ms, cpuMs: (Number(m[1]) + Number(m[2])) * 1000, rssBytes: Number(m[3]) * 1024, stdout: res.stdout };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export default async function bench(r: Reporter): Promise<void> {
  if (!existsSync('/usr/bin/time') || spawnSync('ausearch', ['--version']).error) {
    throw new Error('audit-parse bench needs ausearch (auditd package) and GNU time (/usr/bin/time)');
  }
  const dir = mkdtempSync(join(tmpdir(), 'picket-audit-bench-'));
  try {
    const file = join(dir, 'audit.log');
    writeFileSync(file, generateLog(TARGET_LINES));
    // Both imported here only: the worker bundle must not load them (esbuild is not beside it; agent.bench is tsx).
    const { build } = require('esbuild') as typeof import('esbuild');
    const { unitNodeFlags } = require('./agent.bench') as typeof import('./agent.bench');
    const bundle = join(dir, 'audit-parse-worker.js');
    await build({ entryPoints: [__filename], bundle: true, platform: 'node', target: 'node20', format: 'cjs', outfile: bundle, logLevel: 'silent', external: ['esbuild', './agent.bench'] });
    const nodeFlags = unitNodeFlags(join(REPO, 'agent-bootstrap/systemd/picket-agent.service'));
    const self = [process.execPath, ...nodeFlags, bundle, WORKER_FLAG, file];
    const ours: { inner: WorkerResult; rss: number }[] = [];
    const theirs: { wall: number; cpu: number; rss: number }[] = [];
    for (let i = 0; i < RUNS; i++) {
      const mine = timed(self, false);
      ours.push({ inner: JSON.parse(mine.stdout.trim().split('\n').pop()!) as WorkerResult, rss: mine.rssBytes });
      const au = timed(['ausearch', '-i', '-if', file], true);
      theirs.push({ wall: au.ms, cpu: au.cpuMs, rss: au.rssBytes });
    }
    const lines = ours[0]!.inner.lines;
    const events = ours[0]!.inner.events;
    // Headline on CPU time (user+sys): these machines are shared and wall time swings with the neighbours' load;
    // ausearch's CPU time is its whole run (it has no start-up worth speaking of), ours the timed pass.
    const ourCpu = median(ours.map((o) => o.inner.cpuMs));
    const theirCpu = median(theirs.map((t) => t.cpu));
    const ourLinesPerCpuSec = (lines / ourCpu) * 1000;
    const theirLinesPerCpuSec = (lines / theirCpu) * 1000;
    const cpuRatio = ourLinesPerCpuSec / theirLinesPerCpuSec;
    r.record({
      name: `audit parse+normalise throughput per CPU-second (${lines} lines, ${events} events; agent bundle, node ${nodeFlags.join(' ')})`,
      value: ourLinesPerCpuSec,
      unit: 'lines/CPU-s',
      baseline: `ausearch -i -if on the same file: ${Math.round(theirLinesPerCpuSec)} lines/CPU-s`,
      ratio: cpuRatio,
      target: '>= 3',
      met: cpuRatio >= 3,
    });
    const ourWall = median(ours.map((o) => o.inner.ms));
    const theirWall = median(theirs.map((t) => t.wall));
    r.record({
      name: 'audit parse+normalise throughput, wall clock',
      value: (lines / ourWall) * 1000,
      unit: 'lines/s',
      baseline: `ausearch -i -if on the same file: ${Math.round((lines / theirWall) * 1000)} lines/s`,
      ratio: theirWall / ourWall,
    });
    r.record({
      name: 'audit events normalised per CPU-second',
      value: (events / ourCpu) * 1000,
      unit: 'events/CPU-s',
      baseline: `ausearch -i: ${Math.round((events / theirCpu) * 1000)} events/CPU-s (same events)`,
      ratio: cpuRatio,
    });
    const ourRss = median(ours.map((o) => o.rss));
    const theirRss = median(theirs.map((t) => t.rss));
    r.record({
      name: 'audit parse peak RSS (streaming the file; lower is better)',
      value: ourRss / 1e6,
      unit: 'MB',
      baseline: `ausearch -i peak RSS: ${(theirRss / 1e6).toFixed(1)} MB`,
      ratio: ourRss / theirRss,
    });
    if (ours.some((o) => o.inner.malformed > 0)) throw new Error('generated log had malformed lines: generator bug');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv.includes(WORKER_FLAG)) void worker(process.argv[process.argv.indexOf(WORKER_FLAG) + 1]!);
