/**
 * Address scope for the network behaviour rules (not a rule: a shared helper). Port scans count any
 * destination (internal sweeps are lateral-movement recon); unusual-port egress only counts public
 * destinations, since internal services legitimately listen on any port.
 */
import { parseIp } from '../../../intel/ip';

/** True for addresses that are not private, loopback, link-local, CGNAT, multicast or unspecified. */
export function isPublicAddress(text: string): boolean {
  const ip = parseIp(text);
  if (!ip) return false;
  const w = ip.words;
  if (ip.version === 4) {
    const a = w[0]! >> 8;
    const b = w[0]! & 0xff;
    if (a === 10 || a === 127 || a === 0 || a >= 224) return false;
    if (a === 172 && b >= 16 && b <= 31) return false;
    if (a === 192 && b === 168) return false;
    if (a === 169 && b === 254) return false;
    if (a === 100 && b >= 64 && b <= 127) return false;
    return true;
  }
  const first = w[0]!;
  if (w.every((x) => x === 0)) return false; // :: and ::1 (loopback ends in 1)
  if (w.slice(0, 7).every((x) => x === 0)) return false;
  if ((first & 0xfe00) === 0xfc00) return false; // fc00::/7 unique local
  if ((first & 0xffc0) === 0xfe80) return false; // fe80::/10 link local
  if ((first & 0xff00) === 0xff00) return false; // multicast
  return true;
}
