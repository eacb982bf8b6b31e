import fc from 'fast-check';
import { isMetadataAddress } from '../../lambda/domain/detection/rules/intel/metadata-dns-rebind';
import { IntelIndex } from '../../lambda/domain/intel/intel-index';
import { parseIp } from '../../lambda/domain/intel/ip';
import { parseList } from '../../lambda/domain/intel/list-parser';

/** The definition the fast paths must keep: parse, then compare the words. */
function metadataByParsing(text: string): boolean {
  const ip = parseIp(text.trim());
  if (!ip) return false;
  const w = ip.words;
  if (ip.version === 4) return w[0] === 0xa9fe && w[1] === 0xa9fe;
  return w[0] === 0xfd00 && w[1] === 0x0ec2 && w[2] === 0 && w[3] === 0 && w[4] === 0 && w[5] === 0 && w[6] === 0 && w[7] === 0x254;
}

const octet = fc.oneof(fc.integer({ min: 0, max: 300 }).map(String), fc.constantFrom('169', '254', '0169', '254 ', '', '1e2'));
const addressText = fc.oneof(
  fc.tuple(octet, octet, octet, octet).map((p) => p.join('.')),
  fc.constantFrom('169.254.169.254', ' 169.254.169.254\t', '169.254.169.254.1', '::ffff:169.254.169.254', 'fd00:ec2::254', 'FD00:0EC2:0:0:0:0:0:254', 'fd00:ec2::255', '169.254.169.25'),
  fc.string({ maxLength: 20 }),
);

describe('IP fast paths', () => {
  it('isMetadataAddress answers as parsing would, for any text', () => {
    fc.assert(fc.property(addressText, (text) => isMetadataAddress(text) === metadataByParsing(text)), { numRuns: 3000 });
    expect(isMetadataAddress('169.254.169.254')).toBe(true);
    expect(isMetadataAddress('::ffff:169.254.169.254')).toBe(true);
    expect(isMetadataAddress('FD00:0EC2:0:0:0:0:0:254')).toBe(true);
    expect(isMetadataAddress('169.254.169.0254')).toBe(false);
  });

  it('matchIp finds IPv4 addresses through the reused words, and trusted still wins', () => {
    const intel = new IntelIndex([
      { list: parseList('203.0.113.0/24\n2001:db8:c2::/48\n', 'threats.txt', 'network'), role: 'threat', category: 'c2' },
      { list: parseList('203.0.113.7\n', 'trusted.txt', 'network'), role: 'trusted', category: 'custom' },
    ]);
    expect(intel.matchIp('203.0.113.9')?.list).toBe('threats.txt');
    expect(intel.matchIp('203.0.113.7')).toBeUndefined();
    expect(intel.matchIp('203.0.114.9')).toBeUndefined();
    // A failed parse leaves the scratch words half written: the next address must not see them.
    expect(intel.matchIp('203.0.113')).toBeUndefined();
    expect(intel.matchIp('198.51.100.1')).toBeUndefined();
    expect(intel.matchIp('::ffff:203.0.113.9')?.list).toBe('threats.txt');
    expect(intel.matchIp('2001:db8:c2::1')?.list).toBe('threats.txt');
  });
});
