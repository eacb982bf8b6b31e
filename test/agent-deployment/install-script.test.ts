/**
 * install.sh / uninstall.sh in a sandboxed fake root: no real package install, systemd or audit change.
 * The bundle is a real tar.gz built by lib/agent-bundle.ts from the real scripts, rules and unit (the agent
 * itself is a stand-in here; bundle.test.ts bundles the real one).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, readFileSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { agentBundleEntries, sha256Hex, writeTarGz } from '../../lib/agent-bundle';
import { Sandbox } from './sandbox';

const BOOTSTRAP = join(__dirname, '..', '..', 'agent-bootstrap');
const BUS = 'arn:aws:events:eu-west-1:123456789012:event-bus/picket-runtime';

function bundleFile(sandbox: Sandbox, agentText: string): { file: string; sha: string } {
  const archive = writeTarGz(agentBundleEntries(BOOTSTRAP, Buffer.from(agentText)));
  const file = join(sandbox.dir, `bundle-${sha256Hex(archive).slice(0, 8)}.tar.gz`);
  writeFileSync(file, archive);
  return { file, sha: sha256Hex(archive) };
}

function installArgs(bundle: { file: string; sha: string }, extra: readonly string[] = []): string[] {
  return ['--sha256', bundle.sha, '--bundle-file', bundle.file, '--event-bus-arn', BUS, '--region', 'eu-west-1', ...extra];
}

describe('install.sh on Amazon Linux (sandbox)', () => {
  const sandbox = new Sandbox({ distro: 'amzn', ramMb: 4096, vcpus: 2 });
  const v1 = bundleFile(sandbox, '// agent v1\n');
  let first: ReturnType<Sandbox['run']>;
  beforeAll(() => {
    first = sandbox.run('install.sh', installArgs(v1));
  });
  afterAll(() => sandbox.dispose());

  it('succeeds', () => {
    expect({ status: first.status, stderr: first.stderr }).toEqual({ status: 0, stderr: expect.stringContaining('bundle SHA-256 verified') });
  });

  it('installs the distro packages it lacks (nodejs present, audit missing)', () => {
    expect(sandbox.calls()).toContain('dnf install -y nodejs audit');
  });

  it('unpacks the verified bundle into releases/<sha256> behind the `current` link', () => {
    expect(readlinkSync(join(sandbox.root, 'opt/picket/current'))).toBe(`releases/${v1.sha}`);
    expect(sandbox.file(`opt/picket/releases/${v1.sha}/agent/picket-agent.js`)).toBe('// agent v1\n');
  });

  it('installs the private node copy, root-only (the audit exclusion relies on its inode)', () => {
    expect(statSync(join(sandbox.root, 'usr/sbin/picket-agent-node')).mode & 0o777).toBe(0o700);
  });

  it('writes agent.json with the bus, region, flush interval and spool size', () => {
    const config = JSON.parse(sandbox.file('etc/picket/agent.json'));
    expect(config).toEqual({ eventBusName: BUS, region: 'eu-west-1', stateDir: '/var/lib/picket-agent', reader: 'auto', socketPath: '/var/run/audispd_events', flushIntervalMs: 1000, spoolMaxBytes: 256 * 1048576 });
    expect(statSync(join(sandbox.root, 'etc/picket/agent.json')).mode & 0o777).toBe(0o600);
  });

  it('installs the rule set, per-user watches, and loads them with augenrules', () => {
    expect(sandbox.file('etc/audit/rules.d/50-picket.rules')).toBe(readFileSync(join(BOOTSTRAP, 'rules/picket.rules'), 'utf8'));
    expect(sandbox.file('etc/audit/rules.d/51-picket-host.rules')).toContain('-w /home/alice/.ssh -p wa -k picket_ssh_keys');
    expect(sandbox.calls()).toContain('augenrules --load');
  });

  it('neutralises `-a task,never` in the distro base rules, keeping the original', () => {
    expect(sandbox.file('etc/audit/rules.d/audit.rules')).not.toMatch(/^-a task,never/m);
    expect(sandbox.file('etc/audit/rules.d/audit.rules.picket-orig')).toMatch(/^-a task,never/m);
  });

  it('activates the af_unix dispatcher plugin and reloads auditd', () => {
    expect(sandbox.file('etc/audit/plugins.d/af_unix.conf')).toMatch(/^active = yes$/m);
    expect(sandbox.calls()).toContain('service auditd reload');
  });

  it('installs the unit with GuardDuty limits computed from this host (2 vCPUs, 4 GB)', () => {
    expect(sandbox.file('etc/systemd/system/picket-agent.service')).toContain('ExecStart=/usr/sbin/picket-agent-node');
    const dropIn = sandbox.file('etc/systemd/system/picket-agent.service.d/50-limits.conf');
    expect(dropIn).toMatch(/^CPUQuota=20%$/m);
    expect(dropIn).toMatch(/^MemoryMax=128M$/m);
    expect(dropIn).toMatch(/^Environment=PICKET_HEAP_MB=76$/m);
    expect(sandbox.calls()).toEqual(expect.arrayContaining(['systemctl daemon-reload', 'systemctl enable picket-agent.service', 'systemctl restart picket-agent.service']));
    expect(sandbox.unitActive).toBe(true);
  });

  it('is idempotent: a second run changes nothing and does not restart the agent', () => {
    sandbox.clearCalls();
    const again = sandbox.run('install.sh', installArgs(v1));
    expect(again.status).toBe(0);
    expect(again.stderr).toContain('(no change)');
    const calls = sandbox.calls();
    expect(calls.filter((c) => /restart|augenrules|dnf|reload/.test(c) && c !== 'systemctl daemon-reload')).toEqual([]);
  });

  it('upgrades in place: new release, restart, spool and state kept', () => {
    const stateFile = join(sandbox.root, 'var/lib/picket-agent/spool-000001.jsonl');
    writeFileSync(stateFile, 'queued events');
    const v2 = bundleFile(sandbox, '// agent v2\n');
    sandbox.clearCalls();
    const upgrade = sandbox.run('install.sh', installArgs(v2, ['--memory-max-mb', '512', '--cpu-quota-percent', '25']));
    expect(upgrade.status).toBe(0);
    expect(readlinkSync(join(sandbox.root, 'opt/picket/current'))).toBe(`releases/${v2.sha}`);
    expect(sandbox.calls()).toContain('systemctl restart picket-agent.service');
    expect(readFileSync(stateFile, 'utf8')).toBe('queued events');
    const dropIn = sandbox.file('etc/systemd/system/picket-agent.service.d/50-limits.conf');
    expect(dropIn).toMatch(/^CPUQuota=50%$/m);
    expect(dropIn).toMatch(/^MemoryMax=512M$/m);
    expect(existsSync(join(sandbox.root, `opt/picket/releases/${v1.sha}`))).toBe(true); // previous kept for rollback
  });

  it('uninstall.sh removes everything it installed, restores the distro files and keeps the state', () => {
    sandbox.clearCalls();
    const out = sandbox.run('uninstall.sh', []);
    expect(out.status).toBe(0);
    expect(sandbox.calls()).toContain('systemctl disable --now picket-agent.service');
    expect(sandbox.unitActive).toBe(false);
    for (const gone of ['etc/systemd/system/picket-agent.service', 'etc/systemd/system/picket-agent.service.d', 'etc/audit/rules.d/50-picket.rules', 'etc/audit/rules.d/51-picket-host.rules', 'usr/sbin/picket-agent-node', 'opt/picket', 'etc/picket', 'etc/audit/rules.d/audit.rules.picket-orig']) {
      expect({ gone, exists: sandbox.exists(gone) }).toEqual({ gone, exists: false });
    }
    expect(sandbox.file('etc/audit/rules.d/audit.rules')).toMatch(/^-a task,never$/m);
    expect(sandbox.file('etc/audit/plugins.d/af_unix.conf')).toMatch(/^active = no$/m);
    expect(sandbox.exists('var/lib/picket-agent/spool-000001.jsonl')).toBe(true);
    expect(sandbox.calls()).toContain('augenrules --load');
  });

  it('uninstall.sh is idempotent, and --purge deletes the state', () => {
    expect(sandbox.run('uninstall.sh', []).status).toBe(0);
    expect(sandbox.run('uninstall.sh', ['--purge']).status).toBe(0);
    expect(sandbox.exists('var/lib/picket-agent')).toBe(false);
  });
});

describe('install.sh refuses bad input before touching the host', () => {
  const sandbox = new Sandbox({ auditInstalled: true });
  const bundle = bundleFile(sandbox, '// agent\n');
  afterAll(() => sandbox.dispose());

  it('a bundle whose SHA-256 differs from the expected one', () => {
    const out = sandbox.run('install.sh', installArgs({ file: bundle.file, sha: 'a'.repeat(64) }));
    expect(out.status).not.toBe(0);
    expect(out.stderr).toContain(`has SHA-256 ${bundle.sha} but ${'a'.repeat(64)} was expected`);
    expect(sandbox.exists('opt/picket')).toBe(false);
    expect(sandbox.calls()).toEqual([]);
  });

  it.each([
    ['--memory-max-mb', '1; touch /tmp/pwned'],
    ['--cpu-quota-percent', '$(id)'],
    ['--flush-interval-ms', '10\n20'],
    ['--endpoint', 'http://insecure.example.com'],
    ['--region', 'eu-west-1 --evil'],
  ])('%s %p', (option, value) => {
    const out = sandbox.run('install.sh', [...installArgs(bundle), option, value]);
    expect(out.status).not.toBe(0);
    expect(out.stderr).toMatch(/error: parameter \w+ is/);
    expect(sandbox.exists('etc/picket')).toBe(false);
  });

  it('an event bus ARN that is not one', () => {
    const out = sandbox.run('install.sh', ['--sha256', bundle.sha, '--bundle-file', bundle.file, '--event-bus-arn', 'picket-runtime', '--region', 'eu-west-1']);
    expect(out.stderr).toContain('parameter eventBusArn is');
  });
});

describe('install.sh on Debian/Ubuntu (sandbox)', () => {
  const sandbox = new Sandbox({ distro: 'ubuntu', ramMb: 16 * 1024, vcpus: 4 });
  afterAll(() => sandbox.dispose());

  it('installs nodejs and auditd with apt-get and picks the 256 MB tier on 16 GB', () => {
    const out = sandbox.run('install.sh', installArgs(bundleFile(sandbox, '// agent\n')));
    expect(out.status).toBe(0);
    expect(sandbox.calls()).toContain('apt-get install -y --no-install-recommends nodejs auditd');
    const dropIn = sandbox.file('etc/systemd/system/picket-agent.service.d/50-limits.conf');
    expect(dropIn).toMatch(/^CPUQuota=40%$/m);
    expect(dropIn).toMatch(/^MemoryMax=256M$/m);
  });
});

describe('scripts are valid shell', () => {
  const scripts = ['install.sh', 'uninstall.sh', 'limits.sh', 'host-rules.sh', 'common.sh'].map((s) => join(BOOTSTRAP, 'scripts', s));

  it.each(scripts)('bash -n %s', (script) => {
    const out = spawnSync('bash', ['-n', script], { encoding: 'utf8' });
    expect(out.stderr).toBe('');
    expect(out.status).toBe(0);
  });

  const shellcheck = spawnSync('shellcheck', ['--version']).status === 0;
  (shellcheck ? it : it.skip)('shellcheck finds nothing (skipped when shellcheck is not installed: apt-get install -y shellcheck)', () => {
    const out = spawnSync('shellcheck', ['-x', '-P', join(BOOTSTRAP, 'scripts'), ...scripts, join(BOOTSTRAP, 'rules/measure-rule-cost.sh')], { encoding: 'utf8' });
    expect(out.stdout).toBe('');
    expect(out.status).toBe(0);
  });

  it('the systemd unit passes systemd-analyze verify (apart from the binary only the installer creates)', () => {
    const analyze = spawnSync('systemd-analyze', ['--version']);
    if (analyze.status !== 0) return; // not installed: nothing to check here
    const out = spawnSync('systemd-analyze', ['verify', join(BOOTSTRAP, 'systemd/picket-agent.service')], { encoding: 'utf8' });
    const problems = `${out.stdout}${out.stderr}`.split('\n').filter((l) => l.trim() && !l.includes('/usr/sbin/picket-agent-node'));
    expect(problems).toEqual([]);
  });
});

describe('file modes', () => {
  it('the scripts in the repository are executable (the bundle keeps their modes)', () => {
    for (const s of ['install.sh', 'uninstall.sh', 'limits.sh', 'host-rules.sh']) expect(lstatSync(join(BOOTSTRAP, 'scripts', s)).mode & 0o111).not.toBe(0);
  });
});
