/** Sigma condition forms on hand-built events. */
import { parseCondition } from '../../../lambda/domain/detection/sigma/condition';
import { compileOne, exec, matches, ruleText, skipped } from './sigma-support';

const sh = (cmd: string) => exec('/usr/bin/dash', ['sh', '-c', cmd]);
const withSelections = (condition: string) =>
  compileOne(
    ruleText(`
    selection_a:
        CommandLine|contains: 'alpha'
    selection_b:
        CommandLine|contains: 'beta'
    filter_x:
        CommandLine|contains: 'xray'
    condition: ${condition}`),
  );

describe('condition forms', () => {
  it('and / or / not with precedence not > and > or', () => {
    const r = withSelections('selection_a or selection_b and not filter_x');
    expect(matches(r, sh('alpha xray'))).toBe(true); // a or (b and not x)
    expect(matches(r, sh('beta xray'))).toBe(false);
    expect(matches(r, sh('beta'))).toBe(true);
  });
  it('parentheses override precedence', () => {
    const r = withSelections('(selection_a or selection_b) and not filter_x');
    expect(matches(r, sh('alpha xray'))).toBe(false);
    expect(matches(r, sh('alpha'))).toBe(true);
  });
  it('1 of selection_* / any of', () => {
    for (const c of ['1 of selection_*', 'any of selection_*']) {
      const r = withSelections(c);
      expect(matches(r, sh('beta'))).toBe(true);
      expect(matches(r, sh('xray'))).toBe(false);
    }
  });
  it('all of selection_*', () => {
    const r = withSelections('all of selection_*');
    expect(matches(r, sh('alpha beta'))).toBe(true);
    expect(matches(r, sh('alpha'))).toBe(false);
  });
  it('1 of them / all of them', () => {
    const one = withSelections('1 of them');
    expect(matches(one, sh('xray'))).toBe(true);
    const all = withSelections('all of them');
    expect(matches(all, sh('alpha beta'))).toBe(false);
    expect(matches(all, sh('alpha beta xray'))).toBe(true);
  });
  it('N of counts matching identifiers', () => {
    const r = withSelections('2 of them');
    expect(matches(r, sh('alpha xray'))).toBe(true);
    expect(matches(r, sh('alpha'))).toBe(false);
  });
  it('not 1 of filter_* excludes', () => {
    const r = withSelections('selection_a and not 1 of filter_*');
    expect(matches(r, sh('alpha'))).toBe(true);
    expect(matches(r, sh('alpha xray'))).toBe(false);
  });
  it('a list of maps is an OR of ANDs', () => {
    const r = compileOne(
      ruleText(`
    selection:
        - Image|endswith: '/nc'
          CommandLine|contains: ' -e '
        - Image|endswith: '/socat'
    condition: selection`),
    );
    expect(matches(r, exec('/usr/bin/nc', ['nc', '-e', '/bin/sh']))).toBe(true);
    expect(matches(r, exec('/usr/bin/nc', ['nc', '-l']))).toBe(false);
    expect(matches(r, exec('/usr/bin/socat', ['socat']))).toBe(true);
  });
  it('a list of conditions is an OR', () => {
    const r = compileOne(
      ruleText(`
    a:
        CommandLine|contains: 'alpha'
    b:
        CommandLine|contains: 'beta'
    condition:
        - a
        - b`),
    );
    expect(matches(r, sh('beta'))).toBe(true);
    expect(matches(r, sh('gamma'))).toBe(false);
  });
});

describe('condition errors and correlation are reported with the line', () => {
  it.each([
    ['selection | count() by Image > 5', 'aggregation', /aggregation/],
    ['selection | near other', 'aggregation', /aggregation/],
    ['selection and', 'condition', /ends too early/],
    ['(selection', 'condition', /missing "\)"/],
    ['selection and undefined_name', 'condition', /undefined_name/],
    ['1 of nothing_*', 'condition', /matches no search identifier/],
    ['selection_*', 'condition', /wildcard identifier/],
  ])('%s', (condition, code, reason) => {
    const report = skipped(ruleText(`\n    selection:\n        Image: /bin/x\n    condition: ${condition}`));
    expect(report.issues[0]).toEqual(expect.objectContaining({ code, line: 11 }));
    expect(report.issues[0]!.message).toMatch(reason);
  });
  it('timeframe is reported as correlation', () => {
    const report = skipped(ruleText(`\n    selection:\n        Image: /bin/x\n    timeframe: 5m\n    condition: selection`));
    expect(report.issues[0]).toEqual(expect.objectContaining({ code: 'aggregation', line: 11 }));
  });
  it('parses the grammar into the expected tree', () => {
    expect(parseCondition('a and not (b or 1 of c*)')).toEqual({
      type: 'and',
      operands: [
        { type: 'ref', name: 'a' },
        { type: 'not', operand: { type: 'or', operands: [{ type: 'ref', name: 'b' }, { type: 'of', quantifier: 1, pattern: 'c*' }] } },
      ],
    });
  });
});

describe('keyword searches', () => {
  const auditd = '    product: linux\n    service: auditd';
  it('auditd keywords search argv, exe and paths (case-insensitive)', () => {
    const r = compileOne(
      ruleText(
        `
    execve:
        type: EXECVE
    history:
        - '.bash_history'
    condition: execve and history`,
        { logsource: auditd },
      ),
    );
    expect(matches(r, exec('/usr/bin/rm', ['rm', '/root/.BASH_history']))).toBe(true);
    expect(matches(r, exec('/usr/bin/rm', ['rm', '/root/notes']))).toBe(false);
  });
  it('keywords under not are refused (the event is not the raw line)', () => {
    const report = skipped(
      ruleText(
        `
    execve:
        type: EXECVE
    kw:
        - 'of='
    condition: execve and not kw`,
        { logsource: auditd },
      ),
    );
    expect(report.issues[0]).toEqual(expect.objectContaining({ code: 'keywords', line: 11 }));
  });
  it('keywords in a Sysmon-style category are refused', () => {
    const report = skipped(ruleText(`\n    keywords:\n        - 'evil'\n    condition: keywords`));
    expect(report.issues[0]!.code).toBe('keywords');
  });
});
