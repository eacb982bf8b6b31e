/**
 * SOCKADDR decoding: `saddr` is the hex of the struct sockaddr the syscall received (family in host byte order,
 * port and address in network byte order). ENRICHED logs add `SADDR={ saddr_fam=inet laddr=… lport=… }`, used
 * only when saddr itself is missing or unreadable.
 */
import { hexBytes } from './values';

export type DecodedSockaddr =
  | { readonly family: 'inet' | 'inet6'; readonly ip: string; readonly port: number }
  | { readonly family: 'unix'; readonly path: string }
  | { readonly family: 'netlink' | 'other'; readonly familyNumber: number };

const AF_UNIX = 1;
const AF_INET = 2;
const AF_INET6 = 10;
const AF_NETLINK = 16;

/**
 * Decodes saddr hex. `bigEndian` is for big-endian architectures (ppc64, s390x), whose family field is written
 * big-endian too. Undefined when the text is not a sockaddr.
 */
export function decodeSockaddr(hex: string, bigEndian = false): DecodedSockaddr | undefined {
  const b = hexBytes(hex);
  if (!b || b.length < 2) return undefined;
  const family = bigEndian ? (b[0]! << 8) | b[1]! : b[0]! | (b[1]! << 8);
  if (family === AF_INET) {
    if (b.length < 8) return undefined;
    return { family: 'inet', port: (b[2]! << 8) | b[3]!, ip: `${b[4]}.${b[5]}.${b[6]}.${b[7]}` };
  }
  if (family === AF_INET6) {
    if (b.length < 24) return undefined;
    return { family: 'inet6', port: (b[2]! << 8) | b[3]!, ip: formatIpv6(b.subarray(8, 24)) };
  }
  if (family === AF_UNIX) {
    const body = b.subarray(2);
    if (body.length === 0) return { family: 'unix', path: '' };
    if (body[0] === 0) {
      // Abstract socket: the name is every byte after the leading NUL (may contain NULs; shown as @name).
      let end = body.length;
      while (end > 1 && body[end - 1] === 0) end--;
      return { family: 'unix', path: `@${Buffer.from(body.subarray(1, end)).toString('utf8')}` };
    }
    let end = body.indexOf(0);
    if (end < 0) end = body.length;
    return { family: 'unix', path: Buffer.from(body.subarray(0, end)).toString('utf8') };
  }
  return { family: family === AF_NETLINK ? 'netlink' : 'other', familyNumber: family };
}

/** RFC 5952 text of a 16-byte IPv6 address (with ::ffff:a.b.c.d for mapped IPv4). */
export function formatIpv6(b: Uint8Array): string {
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push((b[i]! << 8) | b[i + 1]!);
  if (words.slice(0, 5).every((w) => w === 0) && words[5] === 0xffff) return `::ffff:${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = words.map((w) => w.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/** Fallback from ENRICHED `SADDR={ saddr_fam=inet laddr=127.0.0.1 lport=4444 }` (or `{ fam=inet … }` on older auditd). */
export function decodeEnrichedSaddr(text: string | undefined): DecodedSockaddr | undefined {
  if (!text) return undefined;
  const fields: Record<string, string> = {};
  for (const part of text.replace(/^\{|\}$/g, '').trim().split(/\s+/)) {
    const eq = part.indexOf('=');
    if (eq > 0) fields[part.slice(0, eq)] = part.slice(eq + 1);
  }
  const fam = fields['saddr_fam'] ?? fields['fam'];
  if (fam === 'inet' || fam === 'inet6') {
    const ip = fields['laddr'];
    const port = Number(fields['lport']);
    if (ip && Number.isInteger(port)) return { family: fam, ip, port };
  }
  if (fam === 'local' || fam === 'unix') {
    const path = fields['path'];
    if (path !== undefined) return { family: 'unix', path };
  }
  return undefined;
}
