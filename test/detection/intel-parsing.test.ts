import { loadIntelFromStrings } from '../../lambda/domain/intel/loader';
import { formatListError, parseList } from '../../lambda/domain/intel/list-parser';

describe('indicator list parsing', () => {
  const text = [
    '# test threat list',
    '',
    '192.0.2.10',
    '198.51.100.0/24   # documentation net',
    '2001:db8::/32',
    'c2.example.test',
    '*.drop.invalid',
    '  .wild.example.com  ',
    '1.2.3.4.5',
    'not a domain',
    '203.0.113.7:3333',
    'localhost',
    '10.0.0.0/33',
    '01.2.3.4',
    '',
  ].join('\n');

  it('keeps every valid entry and reports each bad line with file and line number', () => {
    const list = parseList(text, 'threats.txt', 'network');
    expect(list.cidrs.map((c) => c.text)).toEqual(['192.0.2.10', '198.51.100.0/24', '2001:db8::/32']);
    expect(list.domains).toEqual(['c2.example.test', 'drop.invalid', 'wild.example.com']);
    expect(list.errors.map((e) => e.line)).toEqual([9, 10, 11, 12, 13, 14]);
    expect(formatListError(list.errors[0])).toMatch(/^threats\.txt:9: /);
    expect(list.errors[1].message).toMatch(/more than one entry/);
    expect(list.errors[3].message).toMatch(/single-label/);
  });

  it('handles CRLF line endings and a missing final newline', () => {
    const list = parseList('192.0.2.1\r\nexample.test\r\n192.0.2.300', 'crlf.txt', 'network');
    expect(list.cidrs).toHaveLength(1);
    expect(list.domains).toEqual(['example.test']);
    expect(list.errors).toEqual([expect.objectContaining({ file: 'crlf.txt', line: 3 })]);
  });

  it('parses SHA-256 lists, including sha256sum output, lowercasing hashes', () => {
    const good = 'A'.repeat(64);
    const list = parseList(`# hashes\n${good}\n${'b'.repeat(64)}  /usr/bin/evil\nabc123\n`, 'hashes.txt', 'sha256');
    expect(list.hashes).toEqual(['a'.repeat(64), 'b'.repeat(64)]);
    expect(list.errors).toEqual([expect.objectContaining({ line: 4, message: expect.stringMatching(/SHA-256/) })]);
  });

  it('loads strings into an index and returns the errors of all lists', () => {
    const { intel, errors } = loadIntelFromStrings([
      { name: 'a.txt', text: '192.0.2.1\nbad entry\n', role: 'threat', category: 'c2' },
      { name: 'b.txt', text: 'x\n', role: 'trusted' },
    ]);
    expect(intel.matchIp('192.0.2.1')).toEqual({ list: 'a.txt', category: 'c2', indicator: '192.0.2.1' });
    expect(errors.map((e) => `${e.file}:${e.line}`)).toEqual(['a.txt:2', 'b.txt:1']);
  });
});
