/**
 * The rule files against the REAL kernel: they load without an error (x86_64 natively, the aarch64 file
 * with its syscall names resolved for aarch64), and the x86_64 set records every behaviour of
 * probes/probes.py under the expected key, while the agent's own binary stays invisible.
 *
 * Needs root, auditd and auditctl; holds /tmp/picket-audit.lock for the whole file, starts its own auditd
 * (temp log, no plugins) and stops it by PID, and removes every rule at the end.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ruleFilePaths } from '../../lib/agent-rules';

const REPO = join(__dirname, '..', '..');
const paths = ruleFilePaths(REPO);
const LOCK = '/tmp/picket-audit.lock';
const MARK_AUID = '4343';
const AGENT_NODE = '/usr/sbin/picket-agent-node';
const canRun = process.getuid?.() === 0 && spawnSync('auditctl', ['-v']).status === 0 && spawnSync('which', ['auditd']).status === 0 && spawnSync('which', ['python3']).status === 0;
const describeAudit = canRun ? describe : describe.skip;
// Other jobs may hold the audit lock for minutes.
jest.setTimeout(600_000);
if (!canRun) console.warn('rules.audit.test.ts skipped: needs root, auditd, auditctl and python3');

/** Runs `script` under the shared audit lock. */
function locked(script: string): { status: number | null; stdout: string; stderr: string } {
  const out = spawnSync('flock', ['-w', '540', LOCK, 'bash', '-c', script], { encoding: 'utf8', timeout: 600_000 });
  return { status: out.status, stdout: out.stdout, stderr: out.stderr };
}

describeAudit('rule files load on this kernel', () => {
  it('picket.rules: no error, every rule present', () => {
    const expected = readFileSync(paths.x86_64, 'utf8').split('\n').filter((l) => /^-[aw] /.test(l)).length;
    const out = locked(`auditctl -R ${paths.x86_64} >/dev/null; rc=$?; auditctl -l | wc -l; auditctl -D >/dev/null; auditctl -e 0 >/dev/null; exit $rc`);
    expect({ status: out.status, stderr: out.stderr }).toEqual({ status: 0, stderr: '' });
    expect(Number(out.stdout.trim())).toBe(expected);
  });

  it('picket-aarch64.rules: every syscall name exists on aarch64 (loaded with arch=aarch64)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'picket-a64-'));
    const file = join(dir, 'a64.rules');
    writeFileSync(file, readFileSync(paths.aarch64, 'utf8').replace(/arch=b64/g, 'arch=aarch64'));
    const out = locked(`auditctl -R ${file} >/dev/null; rc=$?; auditctl -D >/dev/null; auditctl -e 0 >/dev/null; exit $rc`);
    rmSync(dir, { recursive: true, force: true });
    expect({ status: out.status, stderr: out.stderr }).toEqual({ status: 0, stderr: '' });
  });

  it('host-rules.sh output for this host loads too', () => {
    const out = locked(`bash ${join(REPO, 'agent-bootstrap/scripts/host-rules.sh')} > /tmp/picket-host-rules.$$ && auditctl -R /tmp/picket-host-rules.$$ >/dev/null; rc=$?; rm -f /tmp/picket-host-rules.$$; auditctl -D >/dev/null; exit $rc`);
    expect({ status: out.status, stderr: out.stderr }).toEqual({ status: 0, stderr: '' });
  });
});

describeAudit('the rule set records each behaviour under its key', () => {
  const dir = mkdtempSync(join(tmpdir(), 'picket-rules-audit-'));
  const logFile = join(dir, 'log', 'audit.log');
  let lines: string[] = [];
  let createdAgentNode = false;

  beforeAll(() => {
    for (const d of ['conf', 'plugins', 'log', 'probe']) mkdirSync(join(dir, d));
    const conf = readFileSync('/etc/audit/auditd.conf', 'utf8')
      .replace(/^log_file\s*=.*$/m, `log_file = ${logFile}`)
      .replace(/^plugin_dir\s*=.*$/m, `plugin_dir = ${join(dir, 'plugins')}`)
      .replace(/^log_format\s*=.*$/m, 'log_format = RAW');
    writeFileSync(join(dir, 'conf', 'auditd.conf'), conf);
    // The agent's private node, here a copy of bash: what it does must not be recorded.
    if (!existsSync(AGENT_NODE)) {
      copyFileSync('/bin/bash', AGENT_NODE);
      execFileSync('chmod', ['0700', AGENT_NODE]);
      createdAgentNode = true;
    }
    const probes = join(__dirname, 'probes', 'probes.py');
    const script = `
      set -u
      auditctl -D >/dev/null
      auditd -n -c ${dir}/conf & AUDITD=$!
      for i in $(seq 50); do [ -s ${logFile} ] && break; sleep 0.1; done
      auditctl -R ${paths.x86_64} >/dev/null
      bash -c 'echo ${MARK_AUID} > /proc/self/loginuid
        python3 ${probes} ${dir}/probe
        ${AGENT_NODE} -c "echo > /dev/tcp/127.0.0.1/9" 2>/dev/null
        bash -c "echo > /dev/tcp/127.0.0.1/9" 2>/dev/null
        true'
      sleep 3
      auditctl -D >/dev/null; auditctl -e 0 >/dev/null
      kill $AUDITD; wait $AUDITD`;
    const out = locked(script);
    if (out.status !== 0) throw new Error(`audit run failed: ${out.stderr}`);
    lines = readFileSync(logFile, 'utf8').split('\n').filter((l) => l.startsWith('type=SYSCALL') && l.includes(` auid=${MARK_AUID} `));
  }, 600_000);

  afterAll(() => {
    if (createdAgentNode) rmSync(AGENT_NODE, { force: true });
    rmSync(dir, { recursive: true, force: true });
  });

  const recorded = (key: string, syscall?: string): string[] => lines.filter((l) => l.includes(`key="${key}"`) && (syscall === undefined || new RegExp(` syscall=${syscall} `).test(l)));

  it.each([
    ['picket_exec', '59'],
    ['picket_net_bind', '49'],
    ['picket_net_listen', '50'],
    ['picket_net_connect', '42'],
    ['picket_net_accept', undefined],
    ['picket_stdio_dup', undefined],
    ['picket_memfd', '319'],
    ['picket_module', '313'],
    ['picket_bpf', '321'],
    ['picket_userfaultfd', '323'],
    ['picket_mount', '165'],
    ['picket_process_vm', '310'],
    ['picket_tmp_exec_drop', undefined],
    ['picket_cron', undefined],
    ['picket_log_tamper', undefined],
    ['picket_setuid', '105'],
    ['picket_setgid', '106'],
  ])('%s (syscall %s)', (key, syscall) => {
    expect({ key, recorded: recorded(key, syscall).length > 0 }).toEqual({ key, recorded: true });
  });

  it('picket_ptrace (strace attach), when strace is installed', () => {
    if (spawnSync('which', ['strace']).status !== 0) return;
    expect(recorded('picket_ptrace').length).toBeGreaterThan(0);
  });

  it('a connect by the agent\'s own binary is not recorded, the same connect by bash is', () => {
    expect(lines.filter((l) => l.includes(`exe="${AGENT_NODE}"`))).toEqual([]);
    expect(recorded('picket_net_connect').some((l) => l.includes('exe="/usr/bin/bash"'))).toBe(true);
  });

  it('the drop rule fires on the file created 0755 and the chmod 755, not on files created 0600', () => {
    // openat: "dropped" (0755) only — "plain" and the /dev/shm file are created 0600; chmod: the /dev/shm file.
    expect(recorded('picket_tmp_exec_drop', '257').length).toBe(1);
    expect(recorded('picket_tmp_exec_drop', '90').length).toBe(1);
  });
});
