/**
 * Parses indicator lists: one IP, CIDR or domain per line (network lists) or one SHA-256 per line
 * (hash lists; `sha256sum` output is accepted, the file name after the hash is ignored).
 * `#` starts a comment anywhere on a line; blank lines are skipped. A malformed line becomes an
 * error naming the file and line, and every other line is kept.
 */
import { type ParsedCidr, parseCidr } from './ip';
import { normaliseDomain } from './domain';

export type ListKind = 'network' | 'sha256';

export interface ListError {
  readonly file: string;
  /** 1-based line number. */
  readonly line: number;
  readonly text: string;
  readonly message: string;
}

export interface ParsedList {
  readonly file: string;
  readonly kind: ListKind;
  readonly cidrs: readonly (ParsedCidr & { readonly text: string })[];
  readonly domains: readonly string[];
  readonly hashes: readonly string[];
  readonly errors: readonly ListError[];
}

/** Error for a whole list that is unusable (thrown only by callers that want all-or-nothing). */
export class IntelListError extends Error {
  constructor(
    message: string,
    readonly errors: readonly ListError[],
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'IntelListError';
  }
}

const SHA256 = /^[0-9a-fA-F]{64}$/;
/** Longest line we look at; longer lines are errors (no indicator is this long). */
const MAX_LINE = 1024;

export function formatListError(e: ListError): string {
  return `${e.file}:${e.line}: ${e.message}: ${JSON.stringify(e.text.slice(0, 120))}`;
}

export function parseList(text: string, file: string, kind: ListKind): ParsedList {
  const cidrs: (ParsedCidr & { text: string })[] = [];
  const domains: string[] = [];
  const hashes: string[] = [];
  const errors: ListError[] = [];
  let lineNo = 0;
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    lineNo++;
    const raw = text.slice(start, end);
    start = end + 1;
    const hash = raw.indexOf('#');
    const line = (hash >= 0 ? raw.slice(0, hash) : raw).trim();
    if (line.length === 0) {
      if (end === text.length) break;
      continue;
    }
    const fail = (message: string) => errors.push({ file, line: lineNo, text: raw.trim(), message });
    if (line.length > MAX_LINE) {
      fail(`line longer than ${MAX_LINE} characters`);
    } else if (kind === 'sha256') {
      const token = line.split(/\s+/, 1)[0];
      if (SHA256.test(token)) hashes.push(token.toLowerCase());
      else fail('not a SHA-256 (64 hex digits)');
    } else if (/\s/.test(line)) {
      fail('more than one entry on the line (one IP, CIDR or domain per line)');
    } else if (/^[0-9a-fA-F:.[\]%/]+$/.test(line) && (line.includes(':') || /^[\d./]+$/.test(line))) {
      const cidr = parseCidr(line);
      if (cidr) cidrs.push({ ...cidr, text: line });
      else fail('not a valid IPv4/IPv6 address or CIDR');
    } else {
      const domain = normaliseDomain(line);
      if (!domain) fail('not an IP, CIDR or domain name');
      else if (!domain.includes('.')) fail('a single-label entry would match a whole top-level domain');
      else domains.push(domain);
    }
    if (end === text.length) break;
  }
  return { file, kind, cidrs, domains, hashes, errors };
}
