import { decimal } from './values';

/**
 * One audit line → one AuditRecord. Handles the audit.log / audisp "string" format in both RAW and ENRICHED
 * flavours:
 *   [node=NAME ]type=TYPE msg=audit(SECONDS.MILLIS:SERIAL): key=value key="quoted" key=HEX ...[\x1dKEY=translated ...]
 * User-space records nest their own fields in `msg='...'`; those are flattened into the same field map. ENRICHED
 * translations (after the 0x1d group separator) go into `enriched` so the raw values always win.
 * A hand-written scanner rather than a regex per field: this is the agent's hot loop.
 */

/**
 * One parsed line. Fields are read lazily: `get(name)` finds one field in the raw text (most records need only a
 * few of their fields, and building a dictionary per line was the parser's main cost); `fields` parses them all.
 *
 * The record keeps the whole line and the offsets of its parts (timestamp, raw body, ENRICHED part) rather than
 * cutting each part out: every cut was a string object per record, and the record keeps the line alive either way
 * (V8 slices point into their parent). Lookups search the line between the offsets.
 */
export class AuditRecord {
  private all: Record<string, string> | undefined;
  private translated: Record<string, string> | undefined;
  /** Whether the body has a tab anywhere (set on first bare-value read). */
  private hasTab: boolean | undefined;

  constructor(
    /** Record type name (SYSCALL, EXECVE, …); `UNKNOWN[1334]` and numeric `type=1300` are kept as written. */
    readonly type: string,
    /** Audit timestamp in ms since the epoch. */
    readonly timeMs: number,
    readonly serial: number,
    /** The audit line the record was read from. */
    private readonly line: string,
    /** line[timeStart, timeEnd) is the timestamp as written ("1626611363.720"). */
    private readonly timeStart: number,
    private readonly timeEnd: number,
    /**
     * The raw key=value text is line[bodyStart, bodyEnd): from just after the header to the 0x1d separator or the
     * end. A field name counts at bodyStart or after a space (as if the body always began with a space).
     */
    private readonly bodyStart: number,
    private readonly bodyEnd: number,
    /** Where the ENRICHED text after the 0x1d separator starts (to the end of the line), or -1 for none. */
    private readonly enrichedStart: number,
    /**
     * Whether the timestamp is written as String(seconds) + "." + three digits, the form every kernel writes. Then
     * timeMs alone identifies the text: equal times compare without reading the text, and a number can stand for
     * the text where it would otherwise have to be copied.
     */
    readonly canonicalTime: boolean,
  ) {}

  /** The timestamp as written ("1626611363.720"), part of the event identity. */
  get timeText(): string {
    return this.line.slice(this.timeStart, this.timeEnd);
  }

  /** Whether both records carry the same timestamp text (compared in place: no string cut from either line). */
  sameTimeAs(other: AuditRecord): boolean {
    if (this.timeMs !== other.timeMs) return false;
    if (this.canonicalTime && other.canonicalTime) return true;
    const n = this.timeEnd - this.timeStart;
    if (other.timeEnd - other.timeStart !== n) return false;
    for (let i = 0; i < n; i++) {
      if (this.line.charCodeAt(this.timeStart + i) !== other.line.charCodeAt(other.timeStart + i)) return false;
    }
    return true;
  }

  /** One raw field; quoted values keep their double quotes so callers can tell text from hex. */
  get(name: string): string | undefined {
    if (this.all) return this.all[name];
    const line = this.line;
    const end = this.bodyEnd;
    const at = indexOfField(line, name, this.bodyStart, end);
    if (at < 0) return this.hasNestedList() ? this.fields[name] : undefined;
    const j = at + name.length + 1;
    const c = line.charCodeAt(j);
    if (c === DQUOTE && j < end) {
      const close = line.indexOf('"', j + 1);
      return close < 0 || close >= end ? line.slice(j, end) : line.slice(j, close + 1);
    }
    if ((c === SQUOTE || c === LBRACE) && j < end) return this.fields[name];
    // Bare value: up to the next space (indexOf is far faster than a char loop); tabs are checked only in the
    // rare record that has one.
    let k = line.indexOf(' ', j);
    if (k < 0 || k > end) k = end;
    if (this.hasTab === undefined) this.hasTab = indexWithin(line, '\t', this.bodyStart, end) >= 0;
    if (this.hasTab) {
      const t = line.indexOf('\t', j);
      if (t >= 0 && t < k) k = t;
    }
    return line.slice(j, k);
  }

  /**
   * decimal(get(name)) without cutting the value out when it is plain digits (pids, ids, exit codes: most of the
   * numbers an event reads).
   */
  getDecimal(name: string): number | undefined {
    if (this.all) return decimal(this.all[name]);
    const line = this.line;
    const end = this.bodyEnd;
    const at = indexOfField(line, name, this.bodyStart, end);
    if (at < 0) return decimal(this.get(name));
    const j = at + name.length + 1;
    let n = 0;
    let k = j;
    for (; k < end && k - j <= 15; k++) {
      const d = line.charCodeAt(k) - 48;
      if (d < 0 || d > 9) break;
      n = n * 10 + d;
    }
    // Digits up to a space or the end: the bare value get() would cut (a tab would end it too; fall back then).
    if (k > j && k - j <= 15 && (k === end || line.charCodeAt(k) === SPACE)) return n;
    return decimal(this.get(name));
  }

  /**
   * Whether the field dictionary has been built. Until it is, get() answers from the text alone, so a caller may
   * reuse an earlier answer instead of searching again.
   */
  get hasFieldMap(): boolean {
    return this.all !== undefined;
  }

  /** Whether the line has an ENRICHED part (text after a 0x1d separator); without one getEnriched is always undefined. */
  get hasEnriched(): boolean {
    return this.enrichedStart >= 0;
  }

  /** One ENRICHED translation (UID="root" → root, SYSCALL=execve, SADDR={ … }), quotes removed. */
  getEnriched(name: string): string | undefined {
    const from = this.enrichedStart;
    if (from < 0) return undefined;
    if (this.translated) return this.translated[name];
    const line = this.line;
    let at = indexOfField(line, name, from, line.length);
    if (at < 0) return undefined;
    // Kept as it always read: a text that starts " name=" has its value read from the "=" (never in real logs,
    // where the translations follow the separator directly).
    if (at === from + 1 && line.charCodeAt(from) === SPACE) at = from;
    const j = at + name.length + 1;
    const c = line.charCodeAt(j);
    if (c === LBRACE) return this.enriched[name];
    if (c === DQUOTE) {
      const end = line.indexOf('"', j + 1);
      return end < 0 ? line.slice(j + 1) : line.slice(j + 1, end);
    }
    let k = j;
    while (k < line.length) {
      const d = line.charCodeAt(k);
      if (d === SPACE || d === TAB) break;
      k++;
    }
    return line.slice(j, k);
  }

  /** Calls fn for each raw field in order, without keeping a dictionary (when none was built yet). */
  forEachField(fn: (key: string, value: string) => void): void {
    if (this.all) {
      for (const k in this.all) fn(k, this.all[k]!);
      return;
    }
    const sink = { set: fn };
    scanFieldsTo(this.line, this.bodyStart, this.bodyEnd, sink, false);
  }

  /** Every raw field (parsed on first use). */
  get fields(): Record<string, string> {
    if (!this.all) {
      this.all = Object.create(null) as Record<string, string>;
      scanFields(this.line, this.bodyStart, this.bodyEnd, this.all, false);
    }
    return this.all;
  }

  /** Every ENRICHED translation; empty for RAW logs. */
  get enriched(): Record<string, string> {
    if (!this.translated) {
      this.translated = Object.create(null) as Record<string, string>;
      if (this.enrichedStart >= 0) scanFields(this.line, this.enrichedStart, this.line.length, this.translated, true);
    }
    return this.translated;
  }

  /** A user-space record's msg='…' list (only there may a field sit that the plain search cannot see). */
  private hasNestedList(): boolean {
    return indexWithin(this.line, "='", this.bodyStart, this.bodyEnd) >= 0;
  }
}

export type RecordResult = { readonly ok: true; readonly record: AuditRecord } | { readonly ok: false; readonly message: string };

/**
 * Where in text[from, to) `name` starts a field: followed by "=", and at `from` or after a space. Searching for the
 * name itself is much faster than for " name=", whose leading space the search engine would stop at every few
 * characters (and needs no "name=" string built per call). -1 when not there.
 */
function indexOfField(text: string, name: string, from: number, to: number): number {
  const after = name.length;
  let at = text.indexOf(name, from);
  while (at >= 0 && ((at > from && text.charCodeAt(at - 1) !== SPACE) || text.charCodeAt(at + after) !== EQ)) {
    // indexOf('', n) past the end answers the end again: stop there.
    if (at >= to) return -1;
    at = text.indexOf(name, at + 1);
  }
  // The "=" must be inside the range too (the body ends at the 0x1d separator).
  return at < 0 || at + after >= to ? -1 : at;
}

/** text.indexOf(what, from) when the match lies within [from, to), else -1. */
function indexWithin(text: string, what: string, from: number, to: number): number {
  const at = text.indexOf(what, from);
  return at >= 0 && at + what.length <= to ? at : -1;
}

const GS = 0x1d;
const SPACE = 0x20;
const TAB = 0x09;
const EQ = 0x3d;
const DQUOTE = 0x22;
const SQUOTE = 0x27;
const LBRACE = 0x7b;

/** Parses one line. Never throws: anything that is not an audit record is reported as `ok: false`. */
export function parseAuditRecord(line: string): RecordResult {
  const record = readAuditRecord(line);
  return record ? { ok: true, record } : { ok: false, message: lastRecordError };
}

/** Why the last readAuditRecord call returned undefined. */
export let lastRecordError = '';

/**
 * parseAuditRecord without the result object (this runs for every line): the record, or undefined with the
 * reason in lastRecordError.
 */
export function readAuditRecord(line: string): AuditRecord | undefined {
  let start = line.indexOf('type=');
  if (start < 0) return fail('no "type=" field: not an audit record');
  // Only prefixes we know may precede type= (node=…, syslog/journal "audit:" headers); anything else is suspicious
  // but still parsed, since real logs come with many prefixes.
  const typeEnd = indexOfWhitespace(line, start + 5);
  if (typeEnd < 0) return fail('record has no msg=audit(...) header');
  if (typeEnd === start + 5) return fail('empty record type');
  const type = recordType(line, start + 5, typeEnd);
  const msgStart = line.indexOf('audit(', typeEnd);
  if (msgStart < 0) return fail('record has no msg=audit(...) header');
  const timeStart = msgStart + 6;
  const colon = line.indexOf(':', timeStart);
  const close = line.indexOf(')', timeStart);
  if (colon < 0 || close < 0 || colon > close) return fail('malformed audit(time:serial) header');
  let dot = line.indexOf('.', timeStart);
  if (dot >= colon) dot = -1;
  const timeMs = parseTimestamp(line, timeStart, colon, dot);
  const serial = parseDecimal(line, colon + 1, close);
  if (timeMs === undefined || serial === undefined) return fail(`malformed audit timestamp "${line.slice(msgStart, close + 1).slice(0, 60)}"`);
  const canonical = isCanonicalTime(line, timeStart, colon, dot);
  start = close + 1;
  if (line.charCodeAt(start) === 0x3a) start++;
  return newRecord(line, type, timeMs, serial, timeStart, colon, start, canonical);
}

function newRecord(line: string, type: string, timeMs: number, serial: number, timeStart: number, timeEnd: number, bodyStart: number, canonical: boolean): AuditRecord {
  const gs = line.indexOf('\x1d', bodyStart);
  return new AuditRecord(type, timeMs, serial, line, timeStart, timeEnd, bodyStart, gs < 0 ? line.length : gs, gs < 0 ? -1 : gs + 1, canonical);
}

/**
 * Whether line[from, to), a timestamp parseTimestamp accepted with its first "." at `dot`, is String(seconds) + "."
 * + three digits: the dot three digits from the end, no leading zero unless the seconds are "0", and at most 12
 * digits of seconds so that timeMs is exact (then timeMs and the text say the same).
 */
function isCanonicalTime(line: string, from: number, to: number, dot: number): boolean {
  return dot === to - 4 && dot > from && dot - from <= 12 && (dot - from === 1 || line.charCodeAt(from) !== 0x30);
}

function fail(message: string): undefined {
  lastRecordError = message;
  return undefined;
}

/**
 * The record types nearly every line has, as constant strings: a type cut from the line would be a new string per
 * record, hashed afresh by every Map lookup and compared character by character by every `=== 'SYSCALL'`, where
 * two constants compare by pointer. Picked by length and first letter (unique among these), then checked in full.
 */
function recordType(line: string, from: number, to: number): string {
  const first = line.charCodeAt(from);
  let known: string | undefined;
  switch (to - from) {
    case 3:
      known = first === 0x43 ? 'CWD' : first === 0x45 ? 'EOE' : undefined;
      break;
    case 4:
      known = first === 0x50 ? 'PATH' : undefined;
      break;
    case 6:
      known = first === 0x45 ? 'EXECVE' : undefined;
      break;
    case 7:
      known = first === 0x53 ? 'SYSCALL' : first === 0x4f ? 'OBJ_PID' : undefined;
      break;
    case 8:
      known = first === 0x53 ? 'SOCKADDR' : undefined;
      break;
    case 9:
      known = first === 0x50 ? 'PROCTITLE' : undefined;
      break;
    case 10:
      known = first === 0x42 ? 'BPRM_FCAPS' : undefined;
      break;
  }
  if (known === undefined) return line.slice(from, to);
  for (let i = 1; i < known.length; i++) if (line.charCodeAt(from + i) !== known.charCodeAt(i)) return line.slice(from, to);
  return known;
}

function indexOfWhitespace(s: string, from: number): number {
  for (let i = from; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === SPACE || c === TAB) return i;
  }
  return -1;
}

/**
 * ms since the epoch of "SECONDS[.FRACTION]" in line[from, to) (fraction cut or padded to 3 digits); `dot` is the
 * first "." in that range, or -1.
 */
function parseTimestamp(line: string, from: number, to: number, dot: number): number | undefined {
  const sec = parseDecimal(line, from, dot < 0 ? to : dot);
  if (sec === undefined) return undefined;
  if (dot < 0) return sec * 1000;
  const fracEnd = Math.min(to, dot + 4);
  // An empty fraction ("12.") reads as 000, as the padding of an empty string did.
  let ms = 0;
  for (let i = dot + 1; i < dot + 4; i++) {
    if (i >= fracEnd) {
      ms *= 10;
      continue;
    }
    const c = line.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return undefined;
    ms = ms * 10 + c;
  }
  return sec * 1000 + ms;
}

/** Plain decimal digits in line[from, to) (1 to 15 of them), else undefined. */
function parseDecimal(line: string, from: number, to: number): number | undefined {
  if (to <= from || to - from > 15) return undefined;
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = line.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return undefined;
    n = n * 10 + c;
  }
  return n;
}

/**
 * key=value pairs between `from` and `to`. Values: "double quoted" (kept with quotes unless `stripQuotes`),
 * 'single quoted' (a nested field list, flattened, as user-space records write msg='op=… res=success'),
 * { braced } (ENRICHED SADDR), or bare up to the next space. Words without "=" are ignored.
 */
function scanFields(line: string, from: number, to: number, out: Record<string, string>, stripQuotes: boolean): void {
  // First occurrence wins, as in AuditRecord.get (and outer fields over a nested msg='…' list).
  const sink: FieldSink = {
    set: (k, v) => {
      if (!(k in out)) out[k] = v;
    },
  };
  scanFieldsTo(line, from, to, sink, stripQuotes);
}

interface FieldSink {
  set(key: string, value: string): void;
}

function scanFieldsTo(line: string, from: number, to: number, out: FieldSink, stripQuotes: boolean): void {
  // Bare values end at a space, tab or GS. With neither of the latter two in range (nearly always), indexOf of the
  // next space finds the end far faster than a char loop.
  const tab = line.indexOf('\t', from);
  const gs = line.indexOf('\x1d', from);
  const spacesOnly = (tab < 0 || tab >= to) && (gs < 0 || gs >= to);
  let i = from;
  while (i < to) {
    let c = line.charCodeAt(i);
    while (i < to && (c === SPACE || c === TAB || c === GS)) c = line.charCodeAt(++i);
    if (i >= to) return;
    const keyStart = i;
    while (i < to && c !== EQ && c !== SPACE && c !== TAB) c = line.charCodeAt(++i);
    if (i >= to || c !== EQ) continue; // a bare word (e.g. "audit(...)" leftovers): skip
    const key = line.slice(keyStart, i);
    i++;
    c = line.charCodeAt(i);
    if (c === DQUOTE) {
      const end = line.indexOf('"', i + 1);
      const stop = end < 0 || end >= to ? to : end + 1;
      out.set(key, stripQuotes ? line.slice(i + 1, end < 0 || end >= to ? to : end) : line.slice(i, stop));
      i = stop;
    } else if (c === SQUOTE) {
      const end = line.lastIndexOf("'", to - 1);
      const stop = end > i ? end : to;
      // msg='…' is a nested list: flatten it (fields already seen keep priority: pid, uid, auid, ses).
      scanFieldsTo(line, i + 1, stop, out, false);
      out.set(key, line.slice(i + 1, stop));
      i = stop + 1;
    } else if (c === LBRACE) {
      const end = line.indexOf('}', i + 1);
      const stop = end < 0 || end >= to ? to : end + 1;
      out.set(key, line.slice(i, stop));
      i = stop;
    } else {
      const valueStart = i;
      if (spacesOnly) {
        const space = line.indexOf(' ', i);
        i = space < 0 || space > to ? to : space;
      } else {
        while (i < to && c !== SPACE && c !== TAB && c !== GS) c = line.charCodeAt(++i);
      }
      out.set(key, line.slice(valueStart, i));
    }
  }
}
