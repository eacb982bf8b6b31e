/**
 * Runs `resolvectl monitor --json=short` and hands over its lines with the time each was read. resolvectl
 * prints one completed query a line and flushes per line (checked through a pipe with systemd 252), so the read
 * time is within milliseconds of the answer.
 *
 * When resolvectl dies (resolved restarted, the monitor socket went away, it was killed) it is started again after
 * a backoff with jitter (util/backoff.ts), growing while it keeps dying quickly and reset after a run that lasted.
 * Queries answered while it was down are not seen; `stats().restarts` and the log say so. `stop()` ends it
 * (SIGTERM, then SIGKILL after `killTimeoutMs`) and resolves once it is gone; lines already read are delivered.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { LineSplitter } from '../readers/line-splitter';
import { type BackoffPolicy, fullJitterDelayMs, sleep } from '../util/backoff';
import { type AgentLogger, describeError, silentLogger } from '../util/log';
import { MAX_MONITOR_LINE_CHARS } from './monitor-record';

export interface MonitorLine {
  readonly line: string;
  /** 1-based, counted from the start of the current resolvectl run. */
  readonly lineNo: number;
  /** Which run of resolvectl (1 = first start). */
  readonly run: number;
  readonly readAtMs: number;
}

export interface ResolvectlSourceOptions {
  /** @default 'resolvectl' (looked up on PATH) */
  readonly command?: string;
  /** @default ['monitor', '--json=short'] */
  readonly args?: readonly string[];
  /** @default { baseDelayMs: 1000, maxDelayMs: 60000 } */
  readonly backoff?: BackoffPolicy;
  /** A run that lasted this long resets the backoff. @default 60000 */
  readonly stableRunMs?: number;
  /** @default 2000 */
  readonly killTimeoutMs?: number;
  readonly logger?: AgentLogger;
  /** @default Date.now */
  readonly now?: () => number;
}

export interface ResolvectlSourceStats {
  readonly running: boolean;
  readonly starts: number;
  /** Starts after the first (each one a gap in what was seen). */
  readonly restarts: number;
  readonly linesRead: number;
  /** Unterminated last lines of runs that ended mid-line. */
  readonly partialLinesDropped: number;
  readonly lastExit?: string;
  readonly pid?: number;
}

export class ResolvectlSource {
  private readonly command: string;
  private readonly args: readonly string[];
  private readonly backoff: BackoffPolicy;
  private readonly stableRunMs: number;
  private readonly killTimeoutMs: number;
  private readonly logger: AgentLogger;
  private readonly now: () => number;
  private child: ChildProcess | undefined;
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;
  private starts = 0;
  private linesRead = 0;
  private partialLinesDropped = 0;
  private lastExit: string | undefined;

  constructor(
    private readonly onLine: (line: MonitorLine) => void,
    options: ResolvectlSourceOptions = {},
  ) {
    this.command = options.command ?? 'resolvectl';
    this.args = options.args ?? ['monitor', '--json=short'];
    this.backoff = options.backoff ?? { baseDelayMs: 1000, maxDelayMs: 60_000 };
    this.stableRunMs = options.stableRunMs ?? 60_000;
    this.killTimeoutMs = options.killTimeoutMs ?? 2000;
    this.logger = options.logger ?? silentLogger;
    this.now = options.now ?? Date.now;
  }

  start(): void {
    if (this.loop) return;
    this.loop = this.runForever();
  }

  /** Ends resolvectl and the restart loop; resolves when the child is gone. */
  async stop(): Promise<void> {
    this.abort.abort();
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), this.killTimeoutMs);
      killer.unref();
      await this.loop;
      clearTimeout(killer);
    } else {
      await this.loop;
    }
  }

  stats(): ResolvectlSourceStats {
    const child = this.child;
    const running = child !== undefined && child.exitCode === null && child.signalCode === null;
    return {
      running,
      starts: this.starts,
      restarts: Math.max(0, this.starts - 1),
      linesRead: this.linesRead,
      partialLinesDropped: this.partialLinesDropped,
      ...(this.lastExit !== undefined ? { lastExit: this.lastExit } : {}),
      ...(running && child.pid !== undefined ? { pid: child.pid } : {}),
    };
  }

  private async runForever(): Promise<void> {
    let failures = 0;
    while (!this.abort.signal.aborted) {
      const startedAt = this.now();
      const outcome = await this.runOnce(++this.starts);
      this.lastExit = outcome;
      if (this.abort.signal.aborted) break;
      failures = this.now() - startedAt >= this.stableRunMs ? 0 : failures + 1;
      // Never a zero delay: a resolvectl that fails at once (no resolved) must not spin.
      const delayMs = Math.max(Math.floor(this.backoff.baseDelayMs / 2), fullJitterDelayMs(failures, this.backoff));
      this.logger.warn('resolvectl monitor ended; DNS results are not seen until it is back', { outcome, restartInMs: delayMs, starts: this.starts });
      await sleep(delayMs, this.abort.signal);
    }
  }

  /** One run of resolvectl; resolves with how it ended. */
  private runOnce(run: number): Promise<string> {
    return new Promise((resolve) => {
      let child: ChildProcess;
      try {
        child = spawn(this.command, [...this.args], { stdio: ['ignore', 'pipe', 'pipe'] });
      } catch (error) {
        resolve(`spawn failed: ${JSON.stringify(describeError(error))}`);
        return;
      }
      this.child = child;
      const splitter = new LineSplitter(MAX_MONITOR_LINE_CHARS + 1);
      let lineNo = 0;
      let stderrTail = '';
      let settled = false;
      const finish = (outcome: string) => {
        if (settled) return;
        settled = true;
        resolve(stderrTail.trim().length > 0 ? `${outcome}; stderr: ${stderrTail.trim().slice(-300)}` : outcome);
      };
      child.stdout?.on('data', (chunk: Buffer) => {
        const readAtMs = this.now();
        for (const line of splitter.push(chunk).lines) {
          this.linesRead++;
          this.onLine({ line, lineNo: ++lineNo, run, readAtMs });
        }
      });
      child.stderr?.on('data', (chunk: Buffer) => {
        stderrTail = (stderrTail + chunk.toString('utf8')).slice(-1000);
      });
      child.on('error', (error) => finish(`error: ${JSON.stringify(describeError(error))}`));
      // 'close' comes after stdout has ended, so every line of this run has been delivered by then.
      child.on('close', (code, signal) => {
        // An unterminated last line is half a record: counted, not parsed.
        if (splitter.heldBytes > 0) this.partialLinesDropped++;
        splitter.reset();
        finish(signal ? `killed by ${signal}` : `exited with code ${code}`);
      });
      this.logger.info('resolvectl monitor started', { pid: child.pid, run });
    });
  }
}
