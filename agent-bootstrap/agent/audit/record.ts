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
    /** The timestamp as written ("1626611363.720"), part of the event identity. */
    readonly timeText: string,
    readonly serial: number,
    /** The raw key=value text after the header, with a leading space. */
    private readonly body: string,
    /** The ENRICHED text after the 0x1d separator, when any. */
    private readonly enrichedBody: string | undefined,
  ) {}

  /** One raw field; quoted values keep their double quotes so callers can tell text from hex. */
  get(name: string): string | undefined {
    if (this.all) return this.all[name];
    const body = this.body;
    const at = indexOfField(body, name, 1) - 1;
    if (at < 0) return body.indexOf("='") >= 0 ? this.fields[name] : undefined;
    const j = at + name.length + 2;
    const c = body.charCodeAt(j);
    if (c === DQUOTE) {
      const end = body.indexOf('"', j + 1);
      return end < 0 ? body.slice(j) : body.slice(j, end + 1);
    }
    if (c === SQUOTE || c === LBRACE) return this.fields[name];
    // Bare value: up to the next space (indexOf is far faster than a char loop); tabs are checked only in the
    // rare record that has one.
    let k = body.indexOf(' ', j);
    if (k < 0) k = body.length;
    if (this.hasTab === undefined) this.hasTab = body.indexOf('\t') >= 0;
    if (this.hasTab) {
      const t = body.indexOf('\t', j);
      if (t >= 0 && t < k) k = t;
    }
    return body.slice(j, k);
  }

  /**
   * decimal(get(name)) without cutting the value out when it is plain digits (pids, ids, exit codes: most of the
   * numbers an event reads).
   */
  getDecimal(name: string): number | undefined {
    if (this.all) return decimal(this.all[name]);
    const body = this.body;
    const at = indexOfField(body, name, 1) - 1;
    if (at < 0) return decimal(this.get(name));
    const j = at + name.length + 2;
    let n = 0;
    let k = j;
    for (; k < body.length && k - j <= 15; k++) {
      const d = body.charCodeAt(k) - 48;
      if (d < 0 || d > 9) break;
      n = n * 10 + d;
    }
    // Digits up to a space or the end: the bare value get() would cut (a tab would end it too; fall back then).
    if (k > j && k - j <= 15 && (k === body.length || body.charCodeAt(k) === SPACE)) return n;
    return decimal(this.get(name));
  }

  /**
   * Whether the field dictionary has been built. Until it is, get() answers from the text alone, so a caller may
   * reuse an earlier answer instead of searching again.
   */
  get hasFieldMap(): boolean {
    return this.all !== undefined;
  }

  /** One ENRICHED translation (UID="root" → root, SYSCALL=execve, SADDR={ … }), quotes removed. */
  getEnriched(name: string): string | undefined {
    const text = this.enrichedBody;
    if (text === undefined) return undefined;
    if (this.translated) return this.translated[name];
    let at = indexOfField(text, name, 0);
    if (at < 0) return undefined;
    // Kept as it always read: a text that starts " name=" has its value read from the "=" (never in real logs,
    // where the translations follow the separator directly).
    if (at === 1 && text.charCodeAt(0) === SPACE) at = 0;
    const j = at + name.length + 1;
    const c = text.charCodeAt(j);
    if (c === LBRACE) return this.enriched[name];
    if (c === DQUOTE) {
      const end = text.indexOf('"', j + 1);
      return end < 0 ? text.slice(j + 1) : text.slice(j + 1, end);
    }
    let k = j;
    while (k < text.length) {
      const d = text.charCodeAt(k);
      if (d === SPACE || d === TAB) break;
      k++;
    }
    return text.slice(j, k);
  }

  /** Calls fn for each raw field in order, without keeping a dictionary (when none was built yet). */
  forEachField(fn: (key: string, value: string) => void): void {
    if (this.all) {
      for (const k in this.all) fn(k, this.all[k]!);
      return;
    }
    const sink = { set: fn };
    scanFieldsTo(this.body, 0, this.body.length, sink, false);
  }

  /** Every raw field (parsed on first use). */
  get fields(): Record<string, string> {
    if (!this.all) {
      this.all = Object.create(null) as Record<string, string>;
      scanFields(this.body, 0, this.body.length, this.all, false);
    }
    return this.all;
  }

  /** Every ENRICHED translation; empty for RAW logs. */
  get enriched(): Record<string, string> {
    if (!this.translated) {
      this.translated = Object.create(null) as Record<string, string>;
      if (this.enrichedBody !== undefined) scanFields(this.enrichedBody, 0, this.enrichedBody.length, this.translated, true);
    }
    return this.translated;
  }
}

export type RecordResult = { readonly ok: true; readonly record: AuditRecord } | { readonly ok: false; readonly message: string };

/**
 * The first index ≥ from where `name` is followed by "=" and starts the text or follows a space: where " name="
 * would be found, plus one. Searching for the name itself is much faster than for " name=", whose leading space
 * the search engine would stop at every few characters (and needs no "name=" string looked up per call).
 */
function indexOfField(text: string, name: string, from: number): number {
  const after = name.length;
  let at = text.indexOf(name, from);
  while (at >= 0 && ((at > 0 && text.charCodeAt(at - 1) !== SPACE) || text.charCodeAt(at + after) !== EQ)) {
    // indexOf('', n) past the end answers the end again: stop there.
    if (at >= text.length) return -1;
    at = text.indexOf(name, at + 1);
  }
  return at;
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
  const type = line.slice(start + 5, typeEnd);
  const msgStart = line.indexOf('audit(', typeEnd);
  if (msgStart < 0) return fail('record has no msg=audit(...) header');
  const colon = line.indexOf(':', msgStart + 6);
  const close = line.indexOf(')', msgStart + 6);
  if (colon < 0 || close < 0 || colon > close) return fail('malformed audit(time:serial) header');
  const timeMs = parseTimestamp(line, msgStart + 6, colon);
  const serial = parseDecimal(line, colon + 1, close);
  if (timeMs === undefined || serial === undefined) return fail(`malformed audit timestamp "${line.slice(msgStart, close + 1).slice(0, 60)}"`);
  start = close + 1;
  if (line.charCodeAt(start) === 0x3a) start++;

  const gs = line.indexOf('\x1d', start);
  const rawEnd = gs < 0 ? line.length : gs;
  const body = line.charCodeAt(start) === SPACE ? line.slice(start, rawEnd) : ` ${line.slice(start, rawEnd)}`;
  return new AuditRecord(type, timeMs, line.slice(msgStart + 6, colon), serial, body, gs >= 0 ? line.slice(gs + 1) : undefined);
}

function fail(message: string): undefined {
  lastRecordError = message;
  return undefined;
}

function indexOfWhitespace(s: string, from: number): number {
  for (let i = from; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === SPACE || c === TAB) return i;
  }
  return -1;
}

/** ms since the epoch of "SECONDS[.FRACTION]" in line[from, to) (fraction cut or padded to 3 digits). */
function parseTimestamp(line: string, from: number, to: number): number | undefined {
  let dot = line.indexOf('.', from);
  if (dot >= to) dot = -1;
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
