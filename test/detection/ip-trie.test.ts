import fc from 'fast-check';
import { CidrTrie } from '../../lambda/domain/intel/cidr-trie';
import { parseCidr, parseIp } from '../../lambda/domain/intel/ip';

/** Reference: an address is inside a prefix when its first `prefix` bits equal the prefix's. */
function bitsOf(words: Uint16Array, n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((words[i >> 4] >>> (15 - (i & 15))) & 1);
  return out;
}
function bruteForceLongest(prefixes: { words: Uint16Array; prefix: number; id: number }[], addr: Uint16Array, bits: number) {
  const a = bitsOf(addr, bits);
  let best: { prefix: number; id: number } | undefined;
  for (const p of prefixes) {
    const pb = bitsOf(p.words, p.prefix);
    if (pb.every((b, i) => b === a[i]) && (!best || p.prefix > best.prefix)) best = p;
  }
  return best?.id;
}

const v4Words = fc.tuple(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 0xffff })).map(([a, b]) => Uint16Array.of(a, b));
const v6Words = fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 }).map((w) => Uint16Array.from(w));

describe('IP parsing', () => {
  it.each([
    ['192.0.2.1', 4],
    ['::1', 6],
    ['2001:db8::8:800:200c:417a', 6],
    ['::ffff:192.0.2.1', 4],
    ['fe80::1%eth0', 6],
    ['[2001:db8::1]', 6],
    ['64:ff9b::192.0.2.33', 6],
  ])('parses %s as IPv%i', (text, version) => {
    expect(parseIp(text)?.version).toBe(version);
  });

  it.each(['256.0.0.1', '1.2.3', '1.2.3.4.5', '01.2.3.4', '1::2::3', '12345::1', '1.2.3.4::', 'g::1', '', ':::'])('rejects %j', (text) => {
    expect(parseIp(text)).toBeUndefined();
  });

  it('maps IPv4-mapped IPv6 to the same words as IPv4', () => {
    expect(parseIp('::ffff:198.51.100.7')?.words).toEqual(parseIp('198.51.100.7')?.words);
    expect(parseCidr('::ffff:198.51.100.0/120')).toMatchObject({ version: 4, prefix: 24 });
  });

  it('rejects prefixes out of range', () => {
    expect(parseCidr('192.0.2.0/33')).toBeUndefined();
    expect(parseCidr('2001:db8::/129')).toBeUndefined();
    expect(parseCidr('192.0.2.0/x')).toBeUndefined();
    expect(parseCidr('0.0.0.0/0')).toMatchObject({ prefix: 0 });
  });
});

describe('CIDR trie', () => {
  for (const [family, words, bits] of [
    ['IPv4', v4Words, 32],
    ['IPv6', v6Words, 128],
  ] as const) {
    it(`returns the longest matching prefix like a brute-force scan (${family})`, () => {
      fc.assert(
        fc.property(
          fc.array(fc.tuple(words, fc.integer({ min: 0, max: bits })), { maxLength: 40 }),
          fc.array(words, { minLength: 1, maxLength: 20 }),
          (prefixes, probes) => {
            const trie = new CidrTrie<number>();
            const stored: { words: Uint16Array; prefix: number; id: number }[] = [];
            prefixes.forEach(([w, p], id) => {
              // Same prefix twice keeps the first value: mirror that in the reference.
              const dup = stored.some((s) => s.prefix === p && bitsOf(s.words, p).join('') === bitsOf(w, p).join(''));
              trie.insert(w, p, id);
              if (!dup) stored.push({ words: w, prefix: p, id });
            });
            // Probe random addresses and addresses inside the stored prefixes (edges: first/last bit flips).
            const inside = stored.map((s) => s.words);
            for (const addr of [...probes, ...inside]) {
              expect(trie.lookup(addr, bits)).toBe(bruteForceLongest(stored, addr, bits));
            }
          },
        ),
        { numRuns: 150 },
      );
    });
  }

  it('handles the edges: /0 matches everything, /32 exactly one address, neighbours do not match', () => {
    const trie = new CidrTrie<string>();
    const p = (t: string) => parseCidr(t)!;
    trie.insert(p('203.0.113.255').words, 32, 'host');
    trie.insert(p('198.51.100.0/24').words, 24, 'net');
    expect(trie.lookup(p('203.0.113.255').words, 32)).toBe('host');
    expect(trie.lookup(p('203.0.113.254').words, 32)).toBeUndefined();
    expect(trie.lookup(p('198.51.100.255').words, 32)).toBe('net');
    expect(trie.lookup(p('198.51.101.0').words, 32)).toBeUndefined();
    trie.insert(p('0.0.0.0/0').words, 0, 'all');
    expect(trie.lookup(p('192.0.2.1').words, 32)).toBe('all');
    expect(trie.lookup(p('198.51.100.9').words, 32)).toBe('net');
    expect(trie.size).toBe(3);
  });
});
