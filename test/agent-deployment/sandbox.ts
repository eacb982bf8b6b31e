/**
 * A sandboxed fake host for install.sh / uninstall.sh: a directory used as PICKET_ROOT, and a PATH whose
 * first entry holds shims for every tool that would touch the real machine (package managers, systemctl,
 * service, auditctl, augenrules, auditd, pidof). The shims log their calls; systemctl keeps the unit's
 * active state in a file. PATH excludes /usr/sbin and /sbin so the real auditctl can never be reached.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const SCRIPTS_DIR = join(__dirname, '..', '..', 'agent-bootstrap', 'scripts');

export interface SandboxOptions {
  /** os-release ID. @default 'amzn' */
  readonly distro?: 'amzn' | 'debian' | 'ubuntu';
  /** Whether auditd/auditctl are "installed" before the run. @default false */
  readonly auditInstalled?: boolean;
  /** MemTotal in MB. @default 4096 */
  readonly ramMb?: number;
  /** @default 2 */
  readonly vcpus?: number;
}

export interface RunResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

const SHIM_LOG = 'echo "$(basename "$0") $*" >> "$SANDBOX_LOG"';

export class Sandbox {
  readonly dir = mkdtempSync(join(tmpdir(), 'picket-install-test-'));
  readonly root = join(this.dir, 'root');
  readonly bin = join(this.dir, 'bin');
  readonly proc = join(this.dir, 'proc');
  readonly log = join(this.dir, 'calls.log');
  private readonly options: Required<SandboxOptions>;

  constructor(options: SandboxOptions = {}) {
    this.options = { distro: 'amzn', auditInstalled: false, ramMb: 4096, vcpus: 2, ...options };
    for (const d of [this.bin, this.proc, 'etc/audit/rules.d', 'etc/audit/plugins.d', 'home/alice', 'usr/sbin', 'etc/ssh']) mkdirSync(d.startsWith('/') ? d : join(this.root, d), { recursive: true });
    writeFileSync(this.log, '');
    writeFileSync(join(this.proc, 'meminfo'), `MemTotal:       ${this.options.ramMb * 1024} kB\nMemFree:         1000 kB\n`);
    writeFileSync(join(this.root, 'etc/os-release'), `NAME="test"\nID=${this.options.distro}\n${this.options.distro === 'ubuntu' ? 'ID_LIKE=debian\n' : ''}`);
    writeFileSync(join(this.root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/bash\nnobody:x:65534:65534::/nonexistent:/usr/sbin/nologin\n');
    // Fedora-style base file that turns syscall auditing off, and the distro's inactive af_unix plugin.
    writeFileSync(join(this.root, 'etc/audit/rules.d/audit.rules'), '-D\n-b 8192\n-a task,never\n');
    writeFileSync(join(this.root, 'etc/audit/plugins.d/af_unix.conf'), 'active = no\ndirection = out\npath = builtin_af_unix\ntype = builtin\nargs = 0640 /var/run/audispd_events\nformat = string\n');
    // A small ELF stands in for the node binary the installer copies.
    copyFileSync('/bin/true', join(this.dir, 'fake-node-elf'));

    this.shim('systemctl', `${SHIM_LOG}
state="$SANDBOX_DIR/unit-active"
case "$1" in
  is-active) [ -f "$state" ] ;;
  restart|start) touch "$state" ;;
  stop) rm -f "$state" ;;
  disable) [ "\${2:-}" != --now ] || rm -f "$state" ;;
  *) true ;;
esac`);
    this.shim('service', SHIM_LOG);
    this.shim('pidof', `${SHIM_LOG}\nexit 1`);
    this.shim('augenrules', `${SHIM_LOG}\ntouch "$SANDBOX_DIR/rules-loaded"`);
    this.shim('dnf', `${SHIM_LOG}\n"$SANDBOX_DIR/install-audit"`);
    this.shim('yum', `${SHIM_LOG}\nexit 1`);
    this.shim('apt-get', `${SHIM_LOG}\n[ "$1" = update ] || "$SANDBOX_DIR/install-audit"`);
    this.shim('node', 'exec /usr/bin/node "$@"');
    writeFileSync(join(this.dir, 'install-audit'), `#!/bin/bash
printf '#!/bin/bash\\n${SHIM_LOG}\\n[ "$1" != -l ] || [ ! -f "$SANDBOX_DIR/rules-loaded" ] || echo "-a always,exit -F arch=b64 -S execve -F key=picket_exec"\\n' > "${this.bin}/auditctl"
printf '#!/bin/bash\\n${SHIM_LOG}\\n' > "${this.bin}/auditd"
chmod +x "${this.bin}/auditctl" "${this.bin}/auditd"
`);
    chmodSync(join(this.dir, 'install-audit'), 0o755);
    if (this.options.auditInstalled) spawnSync(join(this.dir, 'install-audit'), { env: this.env() });
  }

  private shim(name: string, body: string): void {
    writeFileSync(join(this.bin, name), `#!/bin/bash\n${body}\n`);
    chmodSync(join(this.bin, name), 0o755);
  }

  env(): NodeJS.ProcessEnv {
    return {
      PATH: `${this.bin}:/usr/bin:/bin`,
      HOME: this.dir,
      TMPDIR: this.dir,
      PICKET_ROOT: this.root,
      PICKET_PROC: this.proc,
      PICKET_NPROC: String(this.options.vcpus),
      PICKET_ARCH: 'x86_64',
      PICKET_NODE_BIN: join(this.dir, 'fake-node-elf'),
      SANDBOX_DIR: this.dir,
      SANDBOX_LOG: this.log,
    };
  }

  /** Runs a script of agent-bootstrap/scripts (or of an extracted bundle) in the sandbox. */
  run(script: string, args: readonly string[]): RunResult {
    const result = spawnSync('bash', [script.includes('/') ? script : join(SCRIPTS_DIR, script), ...args], { env: this.env(), encoding: 'utf8', timeout: 60_000 });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  calls(): string[] {
    return readFileSync(this.log, 'utf8').split('\n').filter(Boolean);
  }

  clearCalls(): void {
    writeFileSync(this.log, '');
  }

  file(path: string): string {
    return readFileSync(join(this.root, path), 'utf8');
  }

  exists(path: string): boolean {
    return existsSync(join(this.root, path));
  }

  get unitActive(): boolean {
    return existsSync(join(this.dir, 'unit-active'));
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
