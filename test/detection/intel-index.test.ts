import { hexPrefix, IntelIndex } from '../../lambda/domain/intel/intel-index';
import { parseList } from '../../lambda/domain/intel/list-parser';
import { loadIntelFromFiles } from '../../lambda/domain/intel/load-files';

function index(threat: string, trusted = '', category: 'c2' | 'mining_pool' = 'c2') {
  return new IntelIndex([
    { list: parseList(threat, 'threat.txt', 'network'), role: 'threat', category },
    { list: parseList(trusted, 'trusted.txt', 'network'), role: 'trusted' },
  ]);
}

describe('IntelIndex', () => {
  it('matches IPs by CIDR, IPv6 included, and domains by suffix, case-insensitively', () => {
    const intel = index('198.51.100.0/24\n2001:db8:bad::/48\nc2.example.test\n');
    expect(intel.matchIp('198.51.100.77')?.indicator).toBe('198.51.100.0/24');
    expect(intel.matchIp('::ffff:198.51.100.77')?.indicator).toBe('198.51.100.0/24');
    expect(intel.matchIp('2001:db8:bad:1::5')?.indicator).toBe('2001:db8:bad::/48');
    expect(intel.matchIp('2001:db8:bae::5')).toBeUndefined();
    expect(intel.matchDomain('A.B.C2.Example.Test.')?.indicator).toBe('c2.example.test');
    expect(intel.matchDomain('notc2.example.test')).toBeUndefined();
    expect(intel.matchDomain('example.test')).toBeUndefined();
  });

  it('lets trusted lists beat threat lists, for IPs and domains, at any specificity', () => {
    const intel = index('198.51.100.0/24\nexample.test\n', '198.51.100.10\nok.example.test\n');
    expect(intel.matchIp('198.51.100.10')).toBeUndefined();
    expect(intel.isTrustedIp('198.51.100.10')).toBe(true);
    expect(intel.matchIp('198.51.100.11')).toBeDefined();
    expect(intel.matchDomain('api.ok.example.test')).toBeUndefined();
    expect(intel.isTrustedDomain('api.ok.example.test')).toBe(true);
    expect(intel.matchDomain('bad.example.test')).toBeDefined();
    // A trusted network wider than the threat entry still wins.
    const wide = index('198.51.100.10\n', '198.51.100.0/24\n');
    expect(wide.matchIp('198.51.100.10')).toBeUndefined();
  });

  it('prefers the most specific entry when lists overlap', () => {
    const intel = new IntelIndex([
      { list: parseList('dyn.example.test\n', 'dyn.txt', 'network'), role: 'threat', category: 'dynamic_dns' },
      { list: parseList('evil.dyn.example.test\n', 'c2.txt', 'network'), role: 'threat', category: 'c2' },
    ]);
    expect(intel.matchDomain('x.evil.dyn.example.test')?.category).toBe('c2');
    expect(intel.matchDomain('other.dyn.example.test')?.category).toBe('dynamic_dns');
  });

  it('matches SHA-256 hashes case-insensitively', () => {
    const h = 'ab'.repeat(32);
    const intel = new IntelIndex([{ list: parseList(`${h}\n`, 'h.txt', 'sha256'), role: 'threat', category: 'custom' }]);
    expect(intel.matchSha256(h.toUpperCase())).toEqual({ list: 'h.txt', category: 'custom', indicator: h });
    expect(intel.matchSha256('cd'.repeat(32))).toBeUndefined();
    // Same first 7 digits (the prefix filter lets it through), different hash: still no match.
    expect(intel.matchSha256(`${'ab'.repeat(4)}${'cd'.repeat(28)}`)).toBeUndefined();
    // Not hex, or too short: never a match.
    expect(intel.matchSha256(`zz${h.slice(2)}`)).toBeUndefined();
    expect(intel.matchSha256('abab')).toBeUndefined();
  });

  it('reads the hash prefix filter exactly: any case, hex digits only', () => {
    expect(hexPrefix('0123abcdEF')).toBe(0x0123abc);
    expect(hexPrefix('DEADBEEF')).toBe(0xdeadbee);
    expect(hexPrefix('deadbe')).toBeUndefined();
    expect(hexPrefix('deadbeg')).toBeUndefined();
    expect(hexPrefix('dead beef')).toBeUndefined();
  });

  it('loads the shipped seed lists without a single malformed line', () => {
    const { intel, errors } = loadIntelFromFiles();
    expect(errors).toEqual([]);
    const stats = intel.stats();
    expect(stats.threatCidrs + stats.threatDomains).toBeGreaterThan(10_000);
    expect(stats.lists.map((l) => l.category)).toEqual(expect.arrayContaining(['mining_pool', 'c2', 'dynamic_dns', 'suspicious']));
    // Documentation and loopback addresses are never in the seed lists (tests rely on that).
    for (const ip of ['127.0.0.2', '192.0.2.1', '198.51.100.1', '203.0.113.1', '::1', '2001:db8::1']) expect(intel.matchIp(ip)).toBeUndefined();
  });

  it('reports unreadable files with their path', () => {
    expect(() => loadIntelFromFiles({ seedDir: false, threat: ['/nonexistent/threats.txt'] })).toThrow(/\/nonexistent\/threats\.txt: cannot read/);
  });
});
