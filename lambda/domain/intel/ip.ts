/**
 * IP address parsing to 16-bit words (IPv4: 2 words, IPv6: 8 words), strict enough to reject
 * anything ambiguous: no octal-looking IPv4 octets, one `::` at most, embedded IPv4 only last.
 * IPv4-mapped IPv6 (`::ffff:a.b.c.d`) is reported as IPv4 so one trie answers both spellings.
 */

export interface ParsedIp {
  readonly version: 4 | 6;
  /** Big-endian 16-bit words: 2 for IPv4, 8 for IPv6. */
  readonly words: Uint16Array;
}

export interface ParsedCidr extends ParsedIp {
  /** Prefix length in bits (32 / 128 for a single address). */
  readonly prefix: number;
}

export function parseIpv4Words(text: string, out: Uint16Array, offset: number): boolean {
  let octet = 0;
  let digits = 0;
  let parts = 0;
  let hi = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 46; // treat end as '.'
    if (c >= 48 && c <= 57) {
      if (digits > 0 && octet === 0) return false; // leading zero: octal in some parsers
      octet = octet * 10 + (c - 48);
      digits++;
      if (octet > 255) return false;
    } else if (c === 46) {
      if (digits === 0) return false;
      if (parts % 2 === 0) hi = octet;
      else out[offset + (parts >> 1)] = (hi << 8) | octet;
      parts++;
      if (parts > 4) return false;
      octet = 0;
      digits = 0;
    } else {
      return false;
    }
  }
  return parts === 4;
}

function parseIpv6(text: string): Uint16Array | undefined {
  let s = text;
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1);
  const words = new Uint16Array(8);
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] === '' ? [] : halves[0].split(':');
  if (halves.length === 2 && head.some((g) => g.includes('.'))) return undefined;
  const tail = halves.length === 2 ? (halves[1] === '' ? [] : halves[1].split(':')) : [];
  const groups = [...head, ...tail];
  let wordCount = 0;
  const parsed: number[] = [];
  for (let i = 0; i < groups.length; i++) {
    const g = groups[i];
    if (g.includes('.')) {
      if (i !== groups.length - 1) return undefined;
      const v4 = new Uint16Array(2);
      if (!parseIpv4Words(g, v4, 0)) return undefined;
      parsed.push(v4[0], v4[1]);
      wordCount += 2;
      continue;
    }
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    parsed.push(Number.parseInt(g, 16));
    wordCount++;
  }
  if (halves.length === 1 && wordCount !== 8) return undefined;
  if (halves.length === 2 && wordCount > 7) return undefined;
  const headWords = head.reduce((n, g) => n + (g.includes('.') ? 2 : 1), 0);
  for (let i = 0; i < headWords; i++) words[i] = parsed[i];
  const tailWords = parsed.length - headWords;
  for (let i = 0; i < tailWords; i++) words[8 - tailWords + i] = parsed[headWords + i];
  return words;
}

/** Parses one IPv4 or IPv6 address; undefined when it is not one. */
export function parseIp(text: string): ParsedIp | undefined {
  if (text.length === 0 || text.length > 64) return undefined;
  if (!text.includes(':')) {
    const words = new Uint16Array(2);
    return parseIpv4Words(text, words, 0) ? { version: 4, words } : undefined;
  }
  const words = parseIpv6(text);
  if (!words) return undefined;
  // ::ffff:a.b.c.d is the IPv4 address a.b.c.d as an IPv6 socket sees it.
  if (words[0] === 0 && words[1] === 0 && words[2] === 0 && words[3] === 0 && words[4] === 0 && words[5] === 0xffff) {
    return { version: 4, words: words.slice(6) };
  }
  return { version: 6, words };
}

/** Parses `ip` or `ip/prefix`; undefined when it is neither. Host bits beyond the prefix are ignored. */
export function parseCidr(text: string): ParsedCidr | undefined {
  const slash = text.indexOf('/');
  const ip = parseIp(slash < 0 ? text : text.slice(0, slash));
  if (!ip) return undefined;
  const max = ip.version === 4 ? 32 : 128;
  if (slash < 0) return { ...ip, prefix: max };
  const prefixText = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefixText)) return undefined;
  let prefix = Number(prefixText);
  // An IPv4-mapped IPv6 CIDR (::ffff:0:0/96 + n) becomes an IPv4 CIDR of n bits.
  if (ip.version === 4 && text.slice(0, slash).includes(':')) prefix -= 96;
  if (prefix < 0 || prefix > max) return undefined;
  return { ...ip, prefix };
}

/** Canonical text of an address (for messages and tests): dotted quad or lowercase full-hex IPv6. */
export function formatWords(version: 4 | 6, words: Uint16Array): string {
  if (version === 4) return `${words[0] >> 8}.${words[0] & 255}.${words[1] >> 8}.${words[1] & 255}`;
  return Array.from(words, (w) => w.toString(16)).join(':');
}
