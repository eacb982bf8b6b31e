/**
 * Decoding of audit field values. The kernel writes a string in double quotes when it is plain printable ASCII
 * without spaces or quotes, and otherwise as upper-case hex of its bytes (untrusted strings: exe, comm, name, cwd,
 * argv, proctitle, key). "(null)" and "(none)" mean no value.
 */

const decoder = new TextDecoder('utf-8', { fatal: false });

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

/** Whether text is non-empty, even-length hex. */
export function isHex(text: string): boolean {
  if (text.length === 0 || text.length % 2 !== 0) return false;
  for (let i = 0; i < text.length; i++) if (hexValue(text.charCodeAt(i)) < 0) return false;
  return true;
}

/** The bytes of a hex string; undefined when it is not hex. (Buffer's decoder stops at the first bad pair.) */
export function hexBytes(text: string): Uint8Array | undefined {
  if (text.length === 0 || text.length % 2 !== 0) return undefined;
  const bytes = Buffer.from(text, 'hex');
  return bytes.length * 2 === text.length ? bytes : undefined;
}

/** UTF-8 text of bytes (invalid sequences become U+FFFD). */
export function bytesToText(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

/**
 * Hex strings are decoded into this one reused buffer rather than a new Buffer each (exe, comm, cwd, argv and
 * proctitle of nearly every event are hex): Buffer.from(hex) costs an allocation and a trip into C++ per value,
 * more than the decoding itself for the short values audit writes. Longer values take the Buffer path.
 */
const SCRATCH_BYTES = 16 * 1024;
const scratch = Buffer.allocUnsafe(SCRATCH_BYTES);
/** Whether every byte the last hexToScratch call wrote was ASCII (then latin1, UTF-8 and the text agree). */
let scratchAscii = true;

/** Hex digit values by character code (-1: not a hex digit), for the decoding loop below. */
const HEX_DIGITS = new Int8Array(128).map((_, c) => hexValue(c));
/** Longer hex goes through Buffer's native decoder (into the same scratch buffer): faster per byte, dearer per call. */
const NATIVE_HEX_CHARS = 96;

/** Decodes even-length hex text into `scratch`; the byte count, or -1 when the text is not hex or too long. */
function hexToScratch(text: string): number {
  const n = text.length >> 1;
  if (text.length === 0 || (text.length & 1) !== 0 || n > SCRATCH_BYTES) return -1;
  let high = 0;
  if (text.length > NATIVE_HEX_CHARS) {
    // Buffer's decoder stops at the first pair that is not hex: a short count means the text is not hex.
    if (scratch.write(text, 0, n, 'hex') !== n) return -1;
    for (let i = 0; i < n; i++) high |= scratch[i]!;
  } else {
    for (let i = 0; i < n; i++) {
      const a = text.charCodeAt(2 * i);
      const b = text.charCodeAt(2 * i + 1);
      const hi = a < 128 ? HEX_DIGITS[a]! : -1;
      const lo = b < 128 ? HEX_DIGITS[b]! : -1;
      if (hi < 0 || lo < 0) return -1;
      const byte = (hi << 4) | lo;
      high |= byte;
      scratch[i] = byte;
    }
  }
  scratchAscii = high < 0x80;
  return n;
}

/** Text of scratch[from, to) as bytesToText would decode it. */
function scratchText(from: number, to: number): string {
  // ASCII bytes read the same in latin1, and a latin1 string is made straight from the buffer (no view object).
  return scratchAscii ? scratch.toString('latin1', from, to) : decoder.decode(scratch.subarray(from, to));
}

/** bytesToText(hexBytes(text)): the UTF-8 text of hex, or undefined when it is not hex. */
export function hexText(text: string): string | undefined {
  if (text.length > 2 * SCRATCH_BYTES) {
    const bytes = hexBytes(text);
    return bytes ? bytesToText(bytes) : undefined;
  }
  const n = hexToScratch(text);
  return n < 0 ? undefined : scratchText(0, n);
}

/**
 * The text of an untrusted-string field: quoted → inside of the quotes; hex → decoded; "(null)"/"(none)"/"?" →
 * undefined; anything else as written.
 */
export function decodeString(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  if (raw.length >= 2 && raw.charCodeAt(0) === 0x22) return raw.slice(1, raw.charCodeAt(raw.length - 1) === 0x22 ? -1 : undefined);
  if (raw === '(null)' || raw === '(none)' || raw === '?' || raw === '') return undefined;
  return hexText(raw) ?? raw;
}

/** A decimal field (pid, uid, exit); undefined when absent or not a number. */
export function decimal(raw: string | undefined): number | undefined {
  if (raw === undefined || raw.length === 0) return undefined;
  // Fast path for plain digits (nearly every pid, uid, inode): same result as Number() without its general parser.
  if (raw.length <= 15) {
    let n = 0;
    let i = 0;
    for (; i < raw.length; i++) {
      const d = raw.charCodeAt(i) - 48;
      if (d < 0 || d > 9) break;
      n = n * 10 + d;
    }
    if (i === raw.length) return n;
  }
  const n = Number(raw);
  return Number.isFinite(n) && Number.isInteger(n) ? n : undefined;
}

/** A hex register value (a0..a3) as a number; exact up to 2^53, then approximate (enough for flags/fds/pids). */
export function hexNumber(raw: string | undefined): number | undefined {
  if (raw === undefined || raw.length === 0 || raw.length > 16) return undefined;
  let n = 0;
  for (let i = 0; i < raw.length; i++) {
    const v = hexValue(raw.charCodeAt(i));
    if (v < 0) return undefined;
    n = n * 16 + v;
  }
  return n;
}

/** A hex register as a signed 32-bit int (fds, pids passed as int), so ffffff9c is AT_FDCWD (-100). */
export function hexInt32(raw: string | undefined): number | undefined {
  if (raw === undefined || raw.length === 0 || raw.length > 16) return undefined;
  const low = raw.length > 8 ? raw.slice(-8) : raw;
  const n = hexNumber(low);
  return n === undefined ? undefined : n | 0;
}

/** Unset ids (auid, ses) are 4294967295 or -1. */
export function isUnsetId(n: number | undefined): boolean {
  return n === undefined || n === 4294967295 || n === -1;
}

/** Proctitle: hex of argv joined by NULs (or a quoted plain string). */
export function decodeProctitle(raw: string | undefined): string[] | undefined {
  if (raw === undefined) return undefined;
  if (raw.charCodeAt(0) === 0x22) return [raw.slice(1, -1)];
  if (raw.length > 2 * SCRATCH_BYTES) {
    const bytes = hexBytes(raw);
    if (!bytes) return raw === '(null)' ? undefined : [raw];
    return splitAtNuls(bytes.length, (i) => bytes[i]!, (from, to) => bytesToText(bytes.subarray(from, to)));
  }
  const n = hexToScratch(raw);
  if (n < 0) return raw === '(null)' ? undefined : [raw];
  return splitAtNuls(n, (i) => scratch[i]!, scratchText);
}

/** The NUL-separated pieces of `length` bytes, trailing empty pieces dropped (one kept). */
function splitAtNuls(length: number, byteAt: (i: number) => number, text: (from: number, to: number) => string): string[] {
  const parts: string[] = [];
  let from = 0;
  for (let i = 0; i <= length; i++) {
    if (i === length || byteAt(i) === 0) {
      if (i > from || i < length) parts.push(text(from, i));
      from = i + 1;
    }
  }
  while (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/**
 * The same text, no longer a view into the line it was cut from. V8 keeps a slice as a pointer into its parent
 * string, so a path kept in the process table would keep its whole audit line (offline: the whole 64 KiB read
 * chunk) alive; the process table keeps thousands. Concatenation then slice makes V8 flatten a fresh copy.
 */
export function detach(text: string): string {
  return text.length < 13 ? text : ` ${text}`.slice(1);
}
