/** Rule metadata, naming, severity, findings, reporting and the directory loader. */
import path from 'node:path';
import { formatSigmaIssue, LEVEL_SEVERITY, loadSigmaRules, loadSigmaRulesFromDir, ruleNameFromTitle, SigmaRuleDirError } from '../../../lambda/domain/detection/sigma';
import { compileOne, connect, exec, fileWrite, ruleText, skipped } from './sigma-support';
import type { RuleContext } from '../../../lambda/domain/detection/rule';

const FIXTURE_RULES = path.resolve(__dirname, '../../fixtures/sigma/rules');
const ctx = {} as RuleContext; // Sigma rules never read the context

describe('metadata validation', () => {
  it.each([
    ['title', /required attribute title is missing/],
    ['id', /required attribute id is missing/],
    ['level', /required attribute level is missing/],
    ['logsource', /required attribute logsource is missing/],
  ])('a rule without %s is skipped', (key, reason) => {
    const text = ruleText('    selection:\n        Image: /bin/x\n    condition: selection')
      .split('\n')
      .filter((l, i, all) => {
        if (key !== 'logsource') return !l.startsWith(`${key}:`);
        const start = all.indexOf('logsource:');
        return i < start || i > start + 2;
      })
      .join('\n');
    const report = skipped(text);
    expect(report.issues.map((i) => i.message).join('\n')).toMatch(reason);
  });
  it('names the line of a bad level, id or missing condition', () => {
    expect(skipped(ruleText('    selection:\n        Image: /bin/x\n    condition: selection', { level: 'severe' })).issues).toEqual([
      expect.objectContaining({ code: 'invalid', line: 12, message: expect.stringMatching(/level severe/) }),
    ]);
    expect(skipped(ruleText('    selection:\n        Image: /bin/x\n    condition: selection', { id: 'not-a-uuid' })).issues[0]).toEqual(
      expect.objectContaining({ line: 2 }),
    );
    expect(skipped(ruleText('    selection:\n        Image: /bin/x')).issues[0]!.message).toMatch(/no condition/);
  });
  it('reports YAML syntax errors with their line', () => {
    const report = loadSigmaRules([{ path: 'bad.yml', text: 'title: x\nid: [\n' }]).report.rules[0]!;
    expect(report.issues[0]!.code).toBe('yaml');
    expect(report.issues[0]!.line).toBeGreaterThanOrEqual(2);
  });
  it('refuses duplicate keys, aliases and multi-document files', () => {
    const base = ruleText('    selection:\n        Image: /bin/x\n    condition: selection');
    expect(loadSigmaRules([{ path: 'a.yml', text: `${base}level: high\n` }]).report.rules[0]!.issues[0]!.code).toBe('yaml');
    expect(loadSigmaRules([{ path: 'b.yml', text: base.replace('Image: /bin/x', 'Image: &a /bin/x\n        CommandLine: *a') }]).report.rules[0]!.issues[0]!.message).toMatch(/alias/);
    const multi = loadSigmaRules([{ path: 'c.yml', text: `${base}---\n${base}` }]).report.rules[0]!;
    expect(multi.issues[0]).toEqual(expect.objectContaining({ code: 'multi-document', line: 14 }));
  });
  it('refuses correlation rules and unsupported log sources', () => {
    const corr = skipped(`title: x\nid: 11111111-2222-4333-8444-555555555555\ncorrelation:\n    type: event_count\nlevel: low\n`);
    expect(corr.issues.map((i) => i.code)).toContain('aggregation');
    const win = skipped(ruleText('    selection:\n        Image: x\n    condition: selection', { logsource: '    product: windows\n    category: process_creation' }));
    expect(win.issues[0]).toEqual(expect.objectContaining({ code: 'logsource', line: 5 }));
    const dns = skipped(ruleText('    selection:\n        QueryName: x\n    condition: selection', { logsource: '    product: linux\n    category: dns_query' }));
    expect(dns.issues[0]!.message).toMatch(/dns_query is not observed/);
  });
  it('skips a rule with an unsupported field even when it sits in a filter (dropping it would widen the rule)', () => {
    const report = skipped(
      ruleText(`
    selection:
        Image|endswith: '/curl'
    filter:
        OriginalFileName: 'curl.exe'
    condition: selection and not filter`),
    );
    expect(report.issues).toEqual([expect.objectContaining({ code: 'field', line: 12, message: expect.stringMatching(/OriginalFileName/) })]);
  });
  it('lists every problem of a rule, not only the first', () => {
    const report = skipped(
      ruleText(`
    a:
        Product: x
    b:
        CommandLine|expand: '%x%'
    condition: a or b`),
    );
    expect(report.issues.map((i) => [i.code, i.line])).toEqual([
      ['field', 10],
      ['modifier', 12],
    ]);
    expect(formatSigmaIssue('r.yml', report.issues[0]!)).toMatch(/^r\.yml:10: \[field\] Product: /);
  });
});

describe('naming and severity', () => {
  it.each([
    ['Linux Reverse Shell Indicator', 'LinuxReverseShellIndicator'],
    ['Suspicious C2 Activities', 'SuspiciousC2Activities'],
    ['Chmod Suspicious Directory - Linux', 'ChmodSuspiciousDirectoryLinux'],
    ['Potential Xterm Reverse Shell', 'PotentialXtermReverseShell'],
    ['Écriture dans /etc/crontab', 'EcritureDansEtcCrontab'],
    ['  vim GTFOBin abuse (shell) ', 'VimGTFOBinAbuseShell'],
  ])('%s → %s', (title, name) => {
    expect(ruleNameFromTitle(title)).toBe(name);
  });
  it('maps each level to its documented severity', () => {
    for (const [level, severity] of Object.entries(LEVEL_SEVERITY)) {
      const rule = compileOne(ruleText('    selection:\n        Image: /bin/x\n    condition: selection', { level }));
      expect(rule.evaluate(exec('/bin/x', ['x']), ctx)[0]!.severity).toBe(severity);
    }
    expect(LEVEL_SEVERITY).toEqual({ informational: 1, low: 2, medium: 5, high: 8, critical: 9.5 });
  });
  it('disambiguates two rules whose titles give the same name, and refuses duplicate ids', () => {
    const body = '    selection:\n        Image: /bin/x\n    condition: selection';
    const result = loadSigmaRules([
      { path: 'a.yml', text: ruleText(body, { title: 'Same Name', id: 'aaaaaaaa-2222-4333-8444-555555555555' }) },
      { path: 'b.yml', text: ruleText(body, { title: 'Same-Name', id: 'bbbbbbbb-2222-4333-8444-555555555555' }) },
      { path: 'c.yml', text: ruleText(body, { title: 'Other', id: 'aaaaaaaa-2222-4333-8444-555555555555' }) },
    ]);
    expect(result.rules.map((r) => r.types[0])).toEqual(['Custom:Runtime/SameName', 'Custom:Runtime/SameName.bbbbbbbb']);
    expect(result.report.rules[2]).toEqual(expect.objectContaining({ status: 'skipped', issues: [expect.objectContaining({ code: 'duplicate-id' })] }));
  });
});

describe('findings', () => {
  const rule = compileOne(
    ruleText('    selection:\n        Image|startswith: /tmp/\n    condition: selection', { title: 'Exec From Tmp', level: 'high' }),
  );
  it('raises Custom:Runtime/<Name> with evidence and the licence note, aggregated by rule id + exe', () => {
    const [c] = rule.evaluate(exec('/tmp/x', ['/tmp/x']), ctx);
    expect(rule.id).toBe('sigma-11111111-2222-4333-8444-555555555555');
    expect(rule.kinds).toEqual(['process_exec']);
    expect(rule.types).toEqual(['Custom:Runtime/ExecFromTmp']);
    expect(c).toEqual(
      expect.objectContaining({
        type: 'Custom:Runtime/ExecFromTmp',
        severity: 8,
        aggregationKey: '11111111-2222-4333-8444-555555555555|/tmp/x',
        evidence: expect.objectContaining({
          sigmaId: '11111111-2222-4333-8444-555555555555',
          title: 'Exec From Tmp',
          author: 'Picket tests',
          license: 'DRL 1.1',
          level: 'high',
        }),
      }),
    );
    expect(rule.evaluate(exec('/usr/bin/x', ['x']), ctx)).toEqual([]);
  });
  it('ignores event kinds outside its log source', () => {
    expect(rule.evaluate(fileWrite('/tmp/x', '/tmp/x'), ctx)).toEqual([]);
    expect(rule.evaluate(connect('198.51.100.1', 4444, '/tmp/x'), ctx)).toEqual([]);
  });
});

describe('auditd field mapping', () => {
  const auditd = '    product: linux\n    service: auditd';
  const ar = (body: string) => compileOne(ruleText(body, { logsource: auditd }));
  it('EXECVE aN is argv[N] and narrows the rule to exec events', () => {
    const r = ar('    selection:\n        type: EXECVE\n        a0: chmod\n        a1: u+s\n    condition: selection');
    expect(r.kinds).toEqual(['process_exec']);
    expect(r.evaluate(exec('/usr/bin/chmod', ['chmod', 'u+s', '/tmp/x']), ctx)).toHaveLength(1);
    expect(r.evaluate(exec('/usr/bin/chmod', ['chmod', '+x', '/tmp/x']), ctx)).toHaveLength(0);
  });
  it('SYSCALL names, euid, key, exe and comm', () => {
    const r = ar("    selection:\n        type: SYSCALL\n        SYSCALL:\n            - execve\n            - execveat\n        euid: 33\n    condition: selection");
    expect(r.kinds).toEqual(['process_exec']);
    const www = { ...exec('/bin/sh', ['sh']), process: { ...exec('/bin/sh', ['sh']).process, euid: 33 } };
    expect(r.evaluate(www, ctx)).toHaveLength(1);
    expect(r.evaluate(exec('/bin/sh', ['sh']), ctx)).toHaveLength(0);
    const key = ar("    selection:\n        key: susp_activity\n    condition: selection");
    expect(key.evaluate(exec('/usr/bin/wget', ['wget'], { auditKey: 'susp_activity' }), ctx)).toHaveLength(1);
    expect(key.evaluate(exec('/usr/bin/wget', ['wget'], { auditKey: 'picket_exec' }), ctx)).toHaveLength(0);
    const comm = ar("    selection:\n        type: SYSCALL\n        comm: insmod\n        exe: /usr/bin/kmod\n    condition: selection");
    expect(comm.evaluate(exec('/usr/bin/kmod', ['insmod', 'x.ko']), ctx)).toHaveLength(1);
    expect(comm.evaluate(exec('/usr/bin/kmod', ['modprobe', 'x']), ctx)).toHaveLength(0);
  });
  it('PATH name is the file touched', () => {
    const r = ar("    selection:\n        type: PATH\n        name: /etc/ld.so.preload\n    condition: selection");
    expect(r.evaluate(fileWrite('/etc/ld.so.preload'), ctx)).toHaveLength(1);
    expect(r.evaluate(fileWrite('/etc/ld.so.conf'), ctx)).toHaveLength(0);
  });
  it('refuses record types, syscalls and fields runtime events do not carry', () => {
    expect(skipped(ruleText("    selection:\n        type: ADD_USER\n    condition: selection", { logsource: auditd })).issues[0]!.message).toMatch(/ADD_USER/);
    expect(skipped(ruleText("    selection:\n        type: SYSCALL\n        SYSCALL: sysinfo\n    condition: selection", { logsource: auditd })).issues[0]!.message).toMatch(/sysinfo/);
    expect(skipped(ruleText("    selection:\n        type: SYSCALL\n        syscall: 59\n    condition: selection", { logsource: auditd })).issues[0]!.message).toMatch(/numeric syscall/);
    expect(skipped(ruleText("    selection:\n        type: SYSCALL\n        SYSCALL: execve\n        a0: 40000\n    condition: selection", { logsource: auditd })).issues[0]!.message).toMatch(/raw syscall argument/);
    expect(skipped(ruleText("    selection:\n        type: PATH\n        nametype: CREATE\n    condition: selection", { logsource: auditd })).issues[0]!.message).toMatch(/nametype/);
  });
});

describe('loadSigmaRulesFromDir', () => {
  it('loads every .yml/.yaml below the directory, relative paths in the report', () => {
    const { rules, report } = loadSigmaRulesFromDir(FIXTURE_RULES);
    expect(report.rules.map((r) => [r.path, r.status])).toEqual([
      [path.join('nested', 'picket_pe_metadata.yml'), 'skipped'],
      ['picket_broken.yaml', 'skipped'],
      ['picket_tmp_exec.yml', 'loaded'],
    ]);
    expect(report).toEqual(expect.objectContaining({ total: 3, loaded: 1, skipped: 2 }));
    expect(rules[0]!.evaluate(exec('/tmp/dropper', ['/tmp/dropper']), ctx)[0]!.evidence).toEqual(
      expect.objectContaining({ license: 'Apache-2.0', ruleFile: 'picket_tmp_exec.yml' }),
    );
    expect(report.rules[1]!.issues[0]!.code).toBe('yaml');
  });
  it('throws a typed error naming a missing directory', () => {
    expect(() => loadSigmaRulesFromDir('/nonexistent/picket-rules')).toThrow(SigmaRuleDirError);
    expect(() => loadSigmaRulesFromDir('/nonexistent/picket-rules')).toThrow(/\/nonexistent\/picket-rules/);
  });
});
