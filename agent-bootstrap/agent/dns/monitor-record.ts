/**
 * One line of `resolvectl monitor --json=short`: the parameters of one io.systemd.Resolve.Monitor
 * SubscribeQueryResults reply, which resolvectl prints as it receives them (one completed query a line,
 * flushed per line). Captured for real from systemd 252 (test/fixtures/dns-resolved/monitor.jsonl):
 *
 *   {"state":"success","question":[{"class":1,"type":1,"name":"rebind.picket.test"}],
 *    "answer":[{"rr":{"key":{"class":1,"type":1,"name":"rebind.picket.test"},"address":[169,254,169,254]},"raw":"…"}]}
 *   {"state":"rcode-failure","rcode":3,"question":[…]}
 *
 * There is no timestamp and no client identity in it: when and who come from the reader and the audit trail.
 * Newer systemd adds fields (`collectedQuestions`, `errno`, `extendedDNSErrorCode`, …); unknown fields are
 * ignored, and every field is checked before use, so a hostile or garbled line becomes an issue, never a throw.
 */

/** A DNS question or the key of a resource record. */
export interface MonitorKey {
  readonly class: number;
  readonly type: number;
  readonly name: string;
}

/** The decoded part of a resource record (`rr`); which fields exist depends on the type. */
export interface MonitorRr {
  readonly key: MonitorKey;
  /** A and AAAA: the address bytes. */
  readonly address?: readonly number[];
  /** CNAME, DNAME, NS, PTR: the target; SRV: the target host. */
  readonly name?: string;
  /** TXT, SPF: the strings. */
  readonly items?: readonly string[];
  /** MX: the mail exchanger. */
  readonly exchange?: string;
}

export interface MonitorAnswer {
  /** Absent when resolved could not decode the record (then only `raw`, base64 wire format, is there). */
  readonly rr?: MonitorRr;
  readonly raw?: string;
}

export interface MonitorRecord {
  /** resolved's transaction state: success, rcode-failure, network-down, timeout, no-servers, … */
  readonly state: string;
  /** The DNS rcode on rcode-failure (3 = NXDOMAIN, 2 = SERVFAIL, …). */
  readonly rcode?: number;
  readonly question: readonly MonitorKey[];
  readonly answer: readonly MonitorAnswer[];
}

export interface MonitorParseIssue {
  /** 1-based line number in the monitor output since the (re)start of resolvectl. */
  readonly line: number;
  readonly message: string;
}

export type MonitorParseResult =
  | { readonly ok: true; readonly record: MonitorRecord }
  /** `skip`: the line is valid but carries nothing to report (blank). */
  | { readonly ok: false; readonly skip: true }
  | { readonly ok: false; readonly skip: false; readonly issue: MonitorParseIssue };

/**
 * Longest line accepted. A real record with a few answers is well under 2 KB; resolved caps a DNS message at
 * 64 KB of wire format, which base64 plus the decoded JSON keeps well under this.
 */
export const MAX_MONITOR_LINE_CHARS = 512 * 1024;
/** DNS names are at most 253 characters; a little slack for a trailing dot and escapes. */
const MAX_NAME_CHARS = 1024;
const MAX_STATE_CHARS = 64;

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isUint16(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 0xffff;
}

function isName(value: unknown): value is string {
  return typeof value === 'string' && value.length <= MAX_NAME_CHARS;
}

function readKey(value: unknown): MonitorKey | string {
  if (!isObject(value)) return 'not an object';
  if (!isUint16(value.type)) return '"type" is not a 16-bit number';
  if (!isName(value.name)) return '"name" is not a string of at most 1024 characters';
  return { class: isUint16(value.class) ? value.class : 1, type: value.type, name: value.name };
}

function readRr(value: unknown): MonitorRr | undefined {
  if (!isObject(value)) return undefined;
  const key = readKey(value.key);
  if (typeof key === 'string') return undefined;
  const address =
    Array.isArray(value.address) && (value.address.length === 4 || value.address.length === 16) && value.address.every((b) => Number.isInteger(b) && b >= 0 && b <= 255)
      ? (value.address as number[])
      : undefined;
  const items = Array.isArray(value.items) && value.items.every((i) => typeof i === 'string') ? (value.items as string[]) : undefined;
  return {
    key,
    ...(address ? { address } : {}),
    ...(isName(value.name) ? { name: value.name } : {}),
    ...(items ? { items } : {}),
    ...(isName(value.exchange) ? { exchange: value.exchange } : {}),
  };
}

/** Parses one line. Never throws; blank lines are skipped, anything unusable is an issue naming the line. */
export function parseMonitorLine(line: string, lineNo: number): MonitorParseResult {
  const fail = (message: string): MonitorParseResult => ({ ok: false, skip: false, issue: { line: lineNo, message } });
  if (line.length > MAX_MONITOR_LINE_CHARS) return fail(`line of ${line.length} characters is longer than ${MAX_MONITOR_LINE_CHARS}; skipped`);
  const text = line.trim();
  if (text.length === 0) return { ok: false, skip: true };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return fail(`not JSON (${(error as Error).message.slice(0, 120)}): ${JSON.stringify(text.slice(0, 60))}`);
  }
  if (!isObject(value)) return fail(`expected a JSON object, got ${Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value}`);
  if (typeof value.state !== 'string' || value.state.length === 0 || value.state.length > MAX_STATE_CHARS) {
    return fail('missing or invalid "state"');
  }
  if (!Array.isArray(value.question) || value.question.length === 0) return fail('missing or empty "question"');
  const question: MonitorKey[] = [];
  for (const [i, q] of value.question.entries()) {
    const key = readKey(q);
    if (typeof key === 'string') return fail(`question[${i}]: ${key}`);
    question.push(key);
  }
  const answer: MonitorAnswer[] = [];
  if (value.answer !== undefined) {
    if (!Array.isArray(value.answer)) return fail('"answer" is not an array');
    for (const a of value.answer) {
      if (!isObject(a)) continue; // one unusable record does not hide the others
      const rr = readRr(a.rr);
      answer.push({ ...(rr ? { rr } : {}), ...(typeof a.raw === 'string' ? { raw: a.raw } : {}) });
    }
  }
  const rcode = isUint16(value.rcode) ? value.rcode : undefined;
  return { ok: true, record: { state: value.state, ...(rcode !== undefined ? { rcode } : {}), question, answer } };
}
