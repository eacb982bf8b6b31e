/**
 * A private auditd for real-audit tests and the agent benchmark: its own config directory, log file and
 * af_unix plugin socket under a temporary directory, so nothing in /etc or /var/log is touched.
 *
 * The kernel audit subsystem is one per machine and shared with other engineers' tests: callers hold
 * /tmp/picket-audit.lock (acquireAuditLock) for as long as their auditd runs, and stop() removes the rules,
 * disables audit, restores the backlog limit and stops the daemon it started, by PID.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const AUDIT_LOCK = '/tmp/picket-audit.lock';

export interface AuditLock {
  release(): Promise<void>;
}

/** Whether real-audit tests can run here: root, auditd and auditctl installed. */
export function canRunAuditd(): { ok: true } | { ok: false; why: string } {
  if (process.getuid?.() !== 0) return { ok: false, why: 'not root' };
  for (const tool of ['auditd', 'auditctl', 'flock']) {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    } catch {
      return { ok: false, why: `${tool} is not installed (apt-get install -y auditd)` };
    }
  }
  return { ok: true };
}

/**
 * Takes the machine-wide audit lock: `flock -o LOCK sh -c 'echo locked; exec cat'` holds it until its stdin
 * closes, so releasing needs no signal and a crashed test releases it too (the pipe closes).
 */
export function acquireAuditLock(timeoutMs = 120_000): Promise<AuditLock> {
  return new Promise((resolve, reject) => {
    const child = spawn('flock', ['-w', String(Math.ceil(timeoutMs / 1000)), '-o', AUDIT_LOCK, 'sh', '-c', 'echo locked; exec cat'], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    let settled = false;
    child.stdout!.on('data', (data: Buffer) => {
      if (!settled && data.toString().includes('locked')) {
        settled = true;
        resolve({
          release: () =>
            new Promise<void>((done) => {
              if (child.exitCode !== null) return done();
              child.once('exit', () => done());
              child.stdin!.end();
            }),
        });
      }
    });
    child.once('exit', (code) => {
      if (!settled) {
        settled = true;
        reject(new Error(`could not take ${AUDIT_LOCK} within ${timeoutMs} ms (flock exit ${code})`));
      }
    });
  });
}

export interface PrivateAuditd {
  readonly pid: number;
  readonly dir: string;
  readonly logPath: string;
  readonly socketPath: string;
  /** Adds rules (each an auditctl argument list). */
  addRules(rules: readonly (readonly string[])[]): void;
  /** Asks auditd to rotate its log now (SIGUSR1), as max_log_file_action=ROTATE does when the log is full. */
  rotate(): void;
  stop(): Promise<void>;
}

export async function startPrivateAuditd(dir: string, options: { backlogLimit?: number } = {}): Promise<PrivateAuditd> {
  const logPath = join(dir, 'audit.log');
  const socketPath = join(dir, 'audispd_events');
  mkdirSync(join(dir, 'plugins.d'), { recursive: true });
  writeFileSync(
    join(dir, 'auditd.conf'),
    [
      'local_events = yes',
      'write_logs = yes',
      `log_file = ${logPath}`,
      'log_format = ENRICHED',
      'flush = INCREMENTAL_ASYNC',
      'freq = 50',
      'max_log_file = 64',
      'num_logs = 5',
      'max_log_file_action = ROTATE',
      'space_left = 75',
      'space_left_action = SYSLOG',
      'admin_space_left = 50',
      'admin_space_left_action = SUSPEND',
      'disk_full_action = SUSPEND',
      'disk_error_action = SUSPEND',
      'q_depth = 20000',
      'overflow_action = SYSLOG',
      'max_restarts = 10',
      `plugin_dir = ${join(dir, 'plugins.d')}`,
      'end_of_event_timeout = 2',
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(dir, 'plugins.d', 'af_unix.conf'),
    ['active = yes', 'direction = out', 'path = builtin_af_unix', 'type = builtin', `args = 0640 ${socketPath}`, 'format = string', ''].join('\n'),
  );
  const previousBacklogLimit = /backlog_limit (\d+)/.exec(execFileSync('auditctl', ['-s'], { encoding: 'utf8' }))?.[1];
  const daemon: ChildProcess = spawn('auditd', ['-n', '-c', dir], { stdio: 'ignore' });
  const started = Date.now();
  while (!existsSync(socketPath) || !existsSync(logPath)) {
    if (daemon.exitCode !== null) throw new Error(`auditd -n -c ${dir} exited with ${daemon.exitCode} before it was ready`);
    if (Date.now() - started > 10_000) {
      daemon.kill('SIGTERM');
      throw new Error(`auditd -n -c ${dir} did not create ${socketPath} within 10 s`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  execFileSync('auditctl', ['-D'], { stdio: 'ignore' });
  if (options.backlogLimit) execFileSync('auditctl', ['-b', String(options.backlogLimit)], { stdio: 'ignore' });
  return {
    pid: daemon.pid!,
    dir,
    logPath,
    socketPath,
    addRules(rules) {
      for (const rule of rules) execFileSync('auditctl', [...rule], { stdio: 'ignore' });
    },
    rotate() {
      daemon.kill('SIGUSR1');
    },
    async stop() {
      try {
        execFileSync('auditctl', ['-D'], { stdio: 'ignore' });
        if (previousBacklogLimit) execFileSync('auditctl', ['-b', previousBacklogLimit], { stdio: 'ignore' });
        execFileSync('auditctl', ['-e', '0'], { stdio: 'ignore' });
      } finally {
        if (daemon.exitCode === null) {
          const exited = new Promise((r) => daemon.once('exit', r));
          daemon.kill('SIGTERM');
          await exited;
        }
      }
    },
  };
}
