/**
 * Real audit: starts a private auditd (own config and log, see fixtures/audit/capture/audit-session.sh) under
 * /tmp/picket-audit.lock, loads the scenario's rules, runs fixtures/audit/capture/scenario.sh (long and
 * non-ASCII args, loopback listen/connect/accept, ptrace attach, memfd exec, watched-file writes, dup2
 * reverse-shell simulations to 127.0.0.1, setuid, mount, bpf, userfaultfd, module load, process_vm_writev)
 * and tails the log into a live AuditPipeline (procRoot /proc: seeded table, exe hashing, /proc stdio) while
 * it runs. Asserts the events of the scenario's process subtree only — the machine is shared.
 * Cleans up: rules deleted, audit disabled, our auditd stopped by pid, lock released.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readlinkSync, readSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { AuditPipeline } from '../../agent-bootstrap/agent/audit';
import type { ActivityEvent, ProcessExecEvent } from '../../lambda/domain/events/runtime-event';
import { type ScenarioRun, scenarioExpectations } from './capture-expectations';

const CAPTURE = join(__dirname, '../fixtures/audit/capture');
const LOCK = '/tmp/picket-audit.lock';
const WORK = '/tmp/picket-capture';
const INSTANCE = 'i-0123456789abcdef0';
const PY = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

jest.setTimeout(300_000);

/** Reads whole lines appended to a file since the last call. */
class Tail {
  private offset = 0;
  private partial = '';
  private readonly buffer = Buffer.alloc(1 << 20);
  constructor(private readonly path: string) {}
  read(): string[] {
    if (!existsSync(this.path)) return [];
    const fd = openSync(this.path, 'r');
    try {
      let text = '';
      for (;;) {
        const n = readSync(fd, this.buffer, 0, this.buffer.length, this.offset);
        if (n <= 0) break;
        this.offset += n;
        text += this.buffer.subarray(0, n).toString('utf8');
      }
      const lines = (this.partial + text).split('\n');
      this.partial = lines.pop() ?? '';
      return lines;
    } finally {
      closeSync(fd);
    }
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function waitForLine(child: ChildProcess, marker: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    child.stdout!.on('data', (d: Buffer) => {
      seen += d.toString();
      if (seen.includes(marker)) resolve();
    });
    child.on('exit', (code) => reject(new Error(`lock holder exited (${code}) before taking ${LOCK}`)));
  });
}

describe('live auditd capture of the scenario', () => {
  let lockHolder: ChildProcess | undefined;
  let auditdPid: number | undefined;
  let session: string | undefined;
  let run: ScenarioRun;
  let pipeline: AuditPipeline;

  beforeAll(async () => {
    // Hold the machine-wide audit lock for the whole suite (flock keeps it while its child reads stdin).
    lockHolder = spawn('flock', [LOCK, 'bash', '-c', 'echo locked; read -r _'], { stdio: ['pipe', 'pipe', 'inherit'] });
    await waitForLine(lockHolder, 'locked');
    rmSync(WORK, { recursive: true, force: true });
    mkdirSync(join(WORK, 'watched'), { recursive: true });
    session = mkdtempSync('/tmp/picket-auditd-test.');
    const started = execFileSync('bash', ['-c', `source "${CAPTURE}/audit-session.sh"; audit_start "$1" ENRICHED; scenario_rules "$2"; echo "AUDITD_PID=$AUDITD_PID"`, 'start', session, WORK], {
      encoding: 'utf8',
    });
    auditdPid = Number(/AUDITD_PID=(\d+)/.exec(started)![1]);

    // The agent's view: a live pipeline created before the activity, seeded from /proc.
    pipeline = new AuditPipeline({ instanceId: INSTANCE, procRoot: '/proc' });
    const tail = new Tail(join(session, 'audit.log'));
    const events: ActivityEvent[] = [];
    const pump = () => {
      for (const line of tail.read()) events.push(...(pipeline.pushLine(line) as ActivityEvent[]));
      events.push(...(pipeline.flushExpired(Date.now() - 1000) as ActivityEvent[]));
    };
    const scenario = spawn('bash', [join(CAPTURE, 'scenario.sh')], { cwd: WORK, stdio: 'ignore', env: { ...process.env, PY } });
    const root = scenario.pid!;
    let exited = false;
    scenario.on('exit', () => {
      exited = true;
    });
    const deadline = Date.now() + 120_000;
    while (!exited && Date.now() < deadline) {
      pump();
      await sleep(20);
    }
    // auditd flushes asynchronously: keep reading for a moment after the scenario ends.
    for (let i = 0; i < 30; i++) {
      pump();
      await sleep(50);
    }
    events.push(...(pipeline.flush() as ActivityEvent[]));
    const subtree = events.filter((e) => e.process.pid === root || e.lineage.some((l) => l.pid === root));
    run = { root, events: subtree, issues: pipeline.issues };
  });

  afterAll(async () => {
    try {
      execFileSync('auditctl', ['-D'], { stdio: 'ignore' });
      execFileSync('auditctl', ['-e', '0'], { stdio: 'ignore' });
    } finally {
      if (auditdPid) {
        try {
          process.kill(auditdPid, 'SIGTERM');
        } catch {
          // already gone
        }
      }
      if (session) rmSync(session, { recursive: true, force: true });
      rmSync(WORK, { recursive: true, force: true });
      if (lockHolder && lockHolder.exitCode === null) {
        const exited = new Promise((r) => lockHolder!.once('exit', r));
        lockHolder.stdin?.end();
        await exited;
      }
    }
  });

  scenarioExpectations(() => run, { userNames: true, live: true });

  it('reaches past the scenario into processes seeded from /proc (the test runner itself)', () => {
    // node's spawn tries each PATH entry for bash: the failed execs come first
    const first = run.events.find((e): e is ProcessExecEvent => e.kind === 'process_exec' && e.success === true && e.process.pid === run.root)!;
    expect(first.process.argv[1]).toMatch(/scenario\.sh$/);
    expect(first.lineage[0]!.pid).toBe(process.pid);
    expect(first.lineage[0]!.exe).toBe(readlinkSync('/proc/self/exe'));
    expect(first.lineage[0]!.startTime).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  });

  it('hashes executables (SHA-256 of the file)', () => {
    const echo = run.events.find((e): e is ProcessExecEvent => e.kind === 'process_exec' && e.process.argv[0] === '/bin/echo')!;
    expect(echo.process.sha256).toBe(createHash('sha256').update(readFileSync(echo.process.exe)).digest('hex'));
  });

  it('reports what it saw in its counters', () => {
    const stats = pipeline.stats();
    expect(stats.malformed).toBe(0);
    expect(stats.events).toBeGreaterThanOrEqual(run.events.length);
    expect(stats.records).toBeGreaterThan(stats.events);
  });
});
