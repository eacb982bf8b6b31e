import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Finding } from '../../lambda/domain/findings/finding';
import { runPicket } from './run-cli';

const attacks = path.resolve(__dirname, '../fixtures/attacks');
const benign = path.resolve(__dirname, '../fixtures/benign');
const corpora = path.resolve(__dirname, '../../../shared/corpora');
const tmp = mkdtempSync(path.join(tmpdir(), 'picket-cli-'));

function findings(stdout: string): Finding[] {
  return stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Finding);
}

describe('picket detect', () => {
  it('raises a GuardDuty-shaped reverse-shell finding from a real audit capture (format guessed)', async () => {
    const run = await runPicket(['detect', '--input', path.join(attacks, 'reverse-shell-perl.log')]);
    expect(run.code).toBe(0);
    const types = findings(run.stdout).map((f) => f.type);
    expect(types).toContain('Execution:Runtime/ReverseShell');
    const shell = findings(run.stdout).find((f) => f.type === 'Execution:Runtime/ReverseShell')!;
    expect(shell).toMatchObject({
      schemaVersion: expect.any(String),
      severity: expect.any(Number),
      resource: { resourceType: 'Instance', instanceDetails: { instanceId: 'i-0000000000000000' } },
      service: { count: expect.any(Number), runtimeDetails: { process: { executablePath: expect.stringMatching(/^\//), lineage: expect.any(Array) } } },
    });
    expect(run.stderr).toMatch(/events \(auditd\)/);
  });

  it('detects the unseen laurel perl reverse shell (ENRICHED format, hex-encoded arguments)', async () => {
    const file = path.join(corpora, 'laurel/record-perl-reverse-shell.txt');
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      console.warn(`skipped: ${file} is not present (shared corpora missing)`);
      return;
    }
    expect(text.length).toBeGreaterThan(0);
    const run = await runPicket(['detect', '--input', file]);
    expect(findings(run.stdout).map((f) => f.type)).toContain('Execution:Runtime/ReverseShell');
  });

  it('reads stdin with --input - and --format', async () => {
    const run = await runPicket(['detect', '--input', '-', '--format', 'auditd'], readFileSync(path.join(attacks, 'fileless-execution.log'), 'utf8'));
    expect(run.code).toBe(0);
    expect(findings(run.stdout).map((f) => f.type)).toContain('DefenseEvasion:Runtime/FilelessExecution');
  });

  it('raises nothing of Medium or higher on a benign capture', async () => {
    const run = await runPicket(['detect', '--input', path.join(benign, 'package-install.log')]);
    expect(run.code).toBe(0);
    expect(findings(run.stdout).filter((f) => f.severity >= 4)).toEqual([]);
  });

  it('prints a table with attacker-controlled text escaped', async () => {
    const run = await runPicket(['detect', '--input', path.join(attacks, 'reverse-shell-perl.log'), '--output', 'table']);
    expect(run.stdout.split('\n')[0]).toMatch(/^SEVERITY\s+TYPE\s+INSTANCE/);
    expect(run.stdout).toMatch(/Execution:Runtime\/ReverseShell/);
    expect(run.stdout).not.toMatch(/\u001b/);
  });

  it('applies suppression rules: matching findings are archived, not printed', async () => {
    const rules = path.join(tmp, 'suppress.json');
    writeFileSync(rules, JSON.stringify([{ name: 'lab-shells', action: 'ARCHIVE', criterion: { type: { eq: ['Execution:Runtime/ReverseShell'] } } }]));
    const run = await runPicket(['detect', '--input', path.join(attacks, 'reverse-shell-perl.log'), '--suppress', rules]);
    expect(run.code).toBe(0);
    expect(findings(run.stdout).map((f) => f.type)).not.toContain('Execution:Runtime/ReverseShell');
    expect(run.stderr).toMatch(/archived by suppression/);
  });

  it('raises IP threat-intel findings from a custom list on a real loopback capture', async () => {
    const list = path.join(tmp, 'c2.txt');
    writeFileSync(list, '# lab C2\n127.0.0.1\n');
    const run = await runPicket(['detect', '--input', path.join(attacks, 'reverse-shell-perl.log'), '--threat-list', `c2=${list}`]);
    expect(findings(run.stdout).map((f) => f.type)).toContain('Backdoor:Runtime/C&CActivity.B');
    const trusted = await runPicket(['detect', '--input', path.join(attacks, 'reverse-shell-perl.log'), '--threat-list', `c2=${list}`, '--trusted-list', list]);
    expect(findings(trusted.stdout).map((f) => f.type)).not.toContain('Backdoor:Runtime/C&CActivity.B');
  });

  it('reports malformed lines with file and line, keeps the rest, and exits 1', async () => {
    const good = readFileSync(path.join(attacks, 'reverse-shell-perl.log'), 'utf8').split('\n');
    const file = path.join(tmp, 'mixed.log');
    writeFileSync(file, [...good.slice(0, 3), 'this is not an audit record', ...good.slice(3)].join('\n'));
    const run = await runPicket(['detect', '--input', file]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${file}:4:`);
    expect(findings(run.stdout).map((f) => f.type)).toContain('Execution:Runtime/ReverseShell');
  });

  it('exits 1 with the path when the input cannot be read or has no recognisable format', async () => {
    const missing = await runPicket(['detect', '--input', path.join(tmp, 'nope.log')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/nope\.log: cannot read input \(ENOENT\)/);
    const prose = path.join(tmp, 'prose.txt');
    writeFileSync(prose, 'hello world\n');
    const unknown = await runPicket(['detect', '--input', prose]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/prose\.txt:1: cannot tell the input format/);
  });

  it.each([
    [['detect'], /--input FILE is required/],
    [['detect', '--input', 'x', '--format', 'pcap'], /--format must be one of/],
    [['detect', '--input', 'x', '--output', 'xml'], /--output must be one of/],
    [['detect', '--input', 'x', '--bogus'], /Unknown option/],
    [['detect', 'x.log'], /did you mean --input x\.log/],
  ])('exits 2 on bad usage: %j', async (args, message) => {
    const run = await runPicket(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).toMatch(/Usage: picket detect/);
  });

  it('reads runtime-event JSON lines, rejecting a line that violates the contract with its line number', async () => {
    const exec = JSON.stringify({
      v: 1, kind: 'process_exec', ts: '2026-11-29T05:00:00.000Z', instanceId: 'i-0123456789abcdef0', seq: 1,
      process: { pid: 4242, ppid: 4200, exe: '/tmp/picket-miner/xmrig', argv: ['xmrig', '-o', 'stratum+tcp://127.0.0.1:3333', '-u', 'wallet', '--donate-level', '1'], cwd: '/tmp', uid: 1000, euid: 1000, gid: 1000, uuid: 'u-4242' },
      lineage: [{ pid: 4200, exe: '/usr/bin/bash' }],
    });
    const file = path.join(tmp, 'events.jsonl');
    writeFileSync(file, `${exec}\n{"v":1,"kind":"process_exec"}\n`);
    const run = await runPicket(['detect', '--input', file]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/events\.jsonl:2: /);
    expect(findings(run.stdout).map((f) => f.type)).toContain('Impact:Runtime/CryptoMinerExecuted');
  });
});

describe('picket respond --dry-run', () => {
  it('plans isolation for a finding that detect produced, without AWS', async () => {
    const detect = await runPicket(['detect', '--input', path.join(attacks, 'reverse-shell-perl.log')]);
    const finding = findings(detect.stdout).find((f) => f.type === 'Execution:Runtime/ReverseShell')!;
    const file = path.join(tmp, 'finding.json');
    writeFileSync(file, JSON.stringify({ ...finding, updatedAt: new Date().toISOString() }));
    const run = await runPicket(['respond', '--finding', file, '--dry-run', '--output', 'json']);
    expect(run.code).toBe(0);
    const plan = JSON.parse(run.stdout) as { refused: boolean; steps: { step: string; api: string }[] };
    expect(plan.refused).toBe(false);
    const steps = [...new Set(plan.steps.map((s) => s.step))];
    // The design's order: evidence first, then protection, then detach, snapshots, and the tag last.
    expect(steps[0]).toBe('record-pre-state');
    expect(steps.indexOf('protect')).toBeLessThan(steps.indexOf('snapshot-volumes'));
    expect(steps.indexOf('detach-auto-scaling')).toBeLessThan(steps.indexOf('snapshot-volumes'));
    expect(steps.at(-1)).toBe('tag-instance');
  });

  it('refuses a stale finding with a reason, and rejects an out-of-range option as bad usage', async () => {
    const detect = await runPicket(['detect', '--input', path.join(attacks, 'reverse-shell-perl.log')]);
    const finding = findings(detect.stdout)[0]!;
    const file = path.join(tmp, 'stale.json');
    writeFileSync(file, JSON.stringify({ ...finding, updatedAt: '2020-01-01T00:00:00.000Z', service: { ...finding.service, eventLastSeen: '2020-01-01T00:00:00.000Z' } }));
    const run = await runPicket(['respond', '--finding', file, '--dry-run', '--output', 'json']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ refused: true, refusal: { code: expect.stringMatching(/stale|old|age/i) } });
    const bad = await runPicket(['respond', '--finding', file, '--dry-run', '--max-age-minutes', '100000']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/maxFindingAgeMinutes/);
  });

  it('exits 2 without --dry-run and 1 on a file that is not a finding', async () => {
    expect((await runPicket(['respond', '--finding', 'x.json'])).code).toBe(2);
    const file = path.join(tmp, 'not-a-finding.json');
    writeFileSync(file, '{"hello": 1}');
    const run = await runPicket(['respond', '--finding', file, '--dry-run']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/not-a-finding\.json/);
  });
});

describe('picket (dispatcher)', () => {
  it('lists every command in --help and exits 2 on an unknown command', async () => {
    const help = await runPicket(['--help']);
    expect(help.code).toBe(0);
    for (const c of ['detect', 'watch', 'respond', 'isolate', 'release', 'usage']) expect(help.stdout).toMatch(new RegExp(`\\n  ${c} `));
    const bad = await runPicket(['frobnicate']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown command "frobnicate"/);
  });

  it('usage prints Picket beside GuardDuty at 10, 100 and 1,000 events/s', async () => {
    const run = await runPicket(['usage', '--output', 'json']);
    const json = JSON.parse(run.stdout) as { perInstanceMonth: { eventsPerSecond: number; total: number; guardDuty: number }[] };
    expect(json.perInstanceMonth.map((r) => r.eventsPerSecond)).toEqual([10, 100, 1000]);
    expect(json.perInstanceMonth[0]!.guardDuty).toBeCloseTo(3);
  });
});
