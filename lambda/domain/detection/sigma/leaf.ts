/**
 * One Sigma field condition (`Field|mod|mod: value(s)`) compiled to a predicate over a runtime event.
 * Strings are matched case-insensitively (Sigma's default) against text lowercased once per event
 * and per field; patterns are lowercased once here. Many plain values become one Set lookup.
 */
import type { ActivityEvent, EventKind } from '../../events/runtime-event';
import { parseCidr, parseIp } from '../../intel/ip';
import { base64, base64Offsets, windashVariants } from './encodings';
import type { FieldDef, FieldValue, LogsourceMapping } from './field-map';
import { compileGlob, parseGlob, type StringTest } from './glob';
import { compileSafeRegex, REGEX_INPUT_LIMIT } from './safe-regex';
import type { SigmaIssue } from './types';
import type { ScalarValue } from './yaml-tree';

/** Per-event memo shared by every rule of a rule set: field values and their lowercase forms. */
export interface MatchEnv {
  readonly event: ActivityEvent;
  value(def: FieldDef): FieldValue;
  lower(text: string): string;
  /** Which prefilter atoms occur in the event (see prefilter.ts), computed once per event. */
  atomHits(): Uint8Array;
}

export interface Leaf {
  readonly kinds: readonly EventKind[];
  /**
   * Prefilter: the leaf cannot hold unless the lowercased field contains one of these literals
   * (e.g. `Image|endswith: '/bin/nc'` needs "/bin/nc"). Absent when the leaf cannot be indexed.
   */
  readonly atoms?: { readonly def: FieldDef; readonly literals: readonly string[] };
  /** True when the leaf can hold on an event that lacks the field (null value, exists: false). */
  readonly matchesAbsent: boolean;
  test(env: MatchEnv): boolean;
}

/** Whether the condition is evaluated as written (positive) or under an odd number of `not`s. */
export type Polarity = 'positive' | 'negative';

export interface FieldSpec {
  readonly key: string;
  readonly line: number;
  readonly values: readonly { readonly value: ScalarValue; readonly line: number }[];
}

type CompileResult = { readonly ok: true; readonly leaf: Leaf } | { readonly ok: false; readonly issues: readonly SigmaIssue[] };

const MATCH_MODS = new Set(['contains', 'startswith', 'endswith']);
const TYPE_MODS = new Set(['re', 'cidr', 'lt', 'lte', 'gt', 'gte', 'exists']);
const NOT_SUPPORTED: Readonly<Record<string, string>> = {
  expand: 'the expand modifier needs placeholder values from a pipeline configuration, which Picket does not have',
  wide: 'the wide (UTF-16) modifier only makes sense for Windows logs',
  utf16: 'the utf16 modifier only makes sense for Windows logs',
  utf16le: 'the utf16le modifier only makes sense for Windows logs',
  utf16be: 'the utf16be modifier only makes sense for Windows logs',
};
const KNOWN_MODS = new Set([...MATCH_MODS, ...TYPE_MODS, 'all', 'cased', 'base64', 'base64offset', 'windash', 'fieldref', 'i', 'm', 's']);

function elementsOf(v: FieldValue): readonly string[] {
  return v === undefined ? [] : typeof v === 'string' ? [v] : v;
}

/** Whether `test` holds for the value or one of its elements (no allocation on the hot path). */
function anyElement(v: FieldValue, test: (t: string) => boolean): boolean {
  if (v === undefined) return false;
  if (typeof v === 'string') return test(v);
  for (const t of v) if (test(t)) return true;
  return false;
}

/** Compiles `key: values` under `mapping`. Every problem found is returned, each with its line. */
export function compileLeaf(spec: FieldSpec, mapping: LogsourceMapping, polarity: Polarity): CompileResult {
  const issues: SigmaIssue[] = [];
  const [field, ...mods] = spec.key.split('|');
  const fail = (code: SigmaIssue['code'], message: string, line = spec.line) => issues.push({ code, line, message });

  for (const m of mods) {
    if (NOT_SUPPORTED[m]) fail('modifier', `${spec.key}: ${NOT_SUPPORTED[m]}`);
    else if (!KNOWN_MODS.has(m)) fail('modifier', `${spec.key}: unknown modifier ${m}`);
  }
  const resolved = mapping.resolve(field!);
  if (!resolved.ok) fail('field', `${field}: ${resolved.reason} (${mapping.name})`);
  if (issues.length > 0 || !resolved.ok) return { ok: false, issues };
  const def = resolved.def;

  const has = (m: string) => mods.includes(m);
  const matchMods = mods.filter((m) => MATCH_MODS.has(m));
  const typeMods = mods.filter((m) => TYPE_MODS.has(m));
  if (matchMods.length > 1 || typeMods.length > 1 || (matchMods.length > 0 && typeMods.length > 0)) {
    fail('modifier', `${spec.key}: conflicting modifiers ${[...matchMods, ...typeMods].join(', ')}`);
  }
  if ((has('i') || has('m') || has('s')) && !has('re')) fail('modifier', `${spec.key}: i/m/s modifiers only apply to re`);
  if (has('base64offset') && !has('contains')) fail('modifier', `${spec.key}: base64offset must be combined with contains`);
  if (has('fieldref') && (typeMods.length > 0 || has('base64') || has('base64offset') || has('windash'))) {
    fail('modifier', `${spec.key}: fieldref only combines with contains, startswith, endswith, all, cased`);
  }
  if (spec.values.length === 0) fail('value', `${spec.key}: empty value list`);
  if (issues.length > 0) return { ok: false, issues };

  const all = has('all');
  const kinds = def.kinds;
  const get = def;

  // exists: presence test, no values to match.
  if (has('exists')) {
    const v = spec.values[0]!;
    if (spec.values.length !== 1 || typeof v.value !== 'boolean') {
      fail('value', `${spec.key}: exists takes true or false`, v.line);
      return { ok: false, issues };
    }
    const want = v.value;
    const present = (env: MatchEnv) => elementsOf(env.value(get)).length > 0;
    return { ok: true, leaf: { kinds, matchesAbsent: !want, test: (env) => present(env) === want } };
  }

  // null: the field is absent or empty. Allowed alone or beside other values (then OR).
  const nullValues = spec.values.filter((v) => v.value === null);
  const plainValues = spec.values.filter((v) => v.value !== null);
  if (all && nullValues.length > 0) fail('value', `${spec.key}: null cannot be combined with all`, nullValues[0]!.line);

  for (const v of plainValues) {
    const text = String(v.value);
    const why = def.checkValue?.(text);
    if (why) fail('value', `${field}: ${why}`, v.line);
  }
  if (issues.length > 0) return { ok: false, issues };

  /** One test per written value (each may stand for several spellings: windash, base64offset). */
  const tests: ((env: MatchEnv) => boolean)[] = [];
  /** Per written value: the literal each of its spellings must contain (undefined: not indexable). */
  const atomSets: (string[] | undefined)[] = [];
  const cased = has('cased');
  const unknown = polarity === 'negative'; // the answer that cannot widen the rule

  if (has('fieldref')) {
    const mode = (matchMods[0] ?? 'equals') as 'equals' | 'contains' | 'startswith' | 'endswith';
    for (const v of plainValues) {
      const other = mapping.resolve(String(v.value));
      if (!other.ok) {
        fail('field', `fieldref ${String(v.value)}: ${other.reason}`, v.line);
        continue;
      }
      const otherDef = other.def;
      tests.push((env) => {
        const mine = elementsOf(env.value(get));
        const theirs = elementsOf(env.value(otherDef));
        for (const a of mine) {
          const aa = cased ? a : env.lower(a);
          for (const b of theirs) {
            const bb = cased ? b : env.lower(b);
            if (mode === 'equals' ? aa === bb : mode === 'contains' ? aa.includes(bb) : mode === 'startswith' ? aa.startsWith(bb) : aa.endsWith(bb)) {
              return true;
            }
          }
        }
        return false;
      });
    }
  } else if (has('re')) {
    const flags = (has('i') ? 'i' : '') + (has('m') ? 'm' : '') + (has('s') ? 's' : '');
    for (const v of plainValues) {
      const r = compileSafeRegex(String(v.value), flags);
      if (!r.ok) {
        fail('value', `${spec.key}: ${r.reason}`, v.line);
        continue;
      }
      const { regex, prefixSound } = r.compiled;
      const one = (t: string): boolean => {
        if (t.length <= REGEX_INPUT_LIMIT) return regex.test(t);
        if (regex.test(t.slice(0, REGEX_INPUT_LIMIT)) && prefixSound) return true;
        return unknown;
      };
      tests.push((env) => anyElement(env.value(get), one));
    }
  } else if (has('cidr')) {
    for (const v of plainValues) {
      const c = parseCidr(String(v.value));
      if (!c) {
        fail('value', `${spec.key}: ${String(v.value)} is not an IP address or CIDR`, v.line);
        continue;
      }
      const inRange = (t: string) => inCidr(t, c.version, c.words, c.prefix);
      tests.push((env) => anyElement(env.value(get), inRange));
    }
  } else if (typeMods.length === 1) {
    const op = typeMods[0]!;
    for (const v of plainValues) {
      const n = typeof v.value === 'number' ? v.value : Number(v.value);
      if (typeof v.value === 'boolean' || !Number.isFinite(n)) {
        fail('value', `${spec.key}: ${String(v.value)} is not a number`, v.line);
        continue;
      }
      const cmp = op === 'lt' ? (x: number) => x < n : op === 'lte' ? (x: number) => x <= n : op === 'gt' ? (x: number) => x > n : (x: number) => x >= n;
      const holds = (t: string) => {
        const x = t.trim() === '' ? Number.NaN : Number(t);
        return Number.isFinite(x) && cmp(x);
      };
      tests.push((env) => anyElement(env.value(get), holds));
    }
  } else {
    const mode = (matchMods[0] ?? 'equals') as 'equals' | 'contains' | 'startswith' | 'endswith';
    const encoded = has('base64') || has('base64offset');
    const setValues = new Set<string>();
    const literals: string[] = [];
    for (const v of plainValues) {
      const text = String(v.value);
      let spellings: string[] = [text];
      if (has('windash')) {
        const w = windashVariants(text);
        if (!w) {
          fail('value', `${spec.key}: ${text} has too many option dashes to expand`, v.line);
          continue;
        }
        spellings = w;
      }
      // Base64 text is case-sensitive and has no wildcards: escape the encoded form.
      if (has('base64')) spellings = spellings.map((s) => escapeGlob(base64(s)));
      if (has('base64offset')) spellings = spellings.flatMap((s) => base64Offsets(s).map(escapeGlob));
      const caseSensitive = cased || encoded;
      const norm = (s: string) => (caseSensitive ? s : s.toLowerCase());
      const chunks = spellings.map((s) => longestLiteral(s).toLowerCase());
      atomSets.push(chunks.every((c) => c.length > 0) ? chunks : undefined);
      // Plain equality without wildcards (and not under all): one Set lookup for every such value.
      if (mode === 'equals' && !all && spellings.every((s) => !parseGlob(s).hasWildcard)) {
        for (const s of spellings) setValues.add(norm(parseGlob(s).chars.join('')));
        continue;
      }
      // Literal values of one leaf (no all) join one alternation: one regex scan instead of N includes().
      if (!all && spellings.every((s) => !parseGlob(s).hasWildcard)) {
        for (const s of spellings) literals.push(parseGlob(norm(s)).chars.join(''));
        continue;
      }
      const globs: StringTest[] = spellings.map((s) => compileGlob(norm(s), mode));
      const one = globs.length === 1 ? globs[0]! : (t: string) => globs.some((g) => g(t));
      tests.push((env) => {
        const v = env.value(get);
        if (typeof v === 'string') return one(caseSensitive ? v : env.lower(v));
        if (v === undefined) return false;
        for (const t of v) if (one(caseSensitive ? t : env.lower(t))) return true;
        return false;
      });
    }
    if (literals.length > 0) {
      const caseSensitive = cased || encoded;
      const alternation = literals.map(escapeRegex).join('|');
      const re = new RegExp(mode === 'startswith' ? `^(?:${alternation})` : mode === 'endswith' ? `(?:${alternation})$` : alternation);
      tests.push((env) => {
        const v = env.value(get);
        if (typeof v === 'string') return re.test(caseSensitive ? v : env.lower(v));
        if (v === undefined) return false;
        for (const t of v) if (re.test(caseSensitive ? t : env.lower(t))) return true;
        return false;
      });
    }
    if (setValues.size > 0) {
      const caseSensitive = cased || encoded;
      tests.push((env) => {
        const v = env.value(get);
        if (typeof v === 'string') return setValues.has(caseSensitive ? v : env.lower(v));
        if (v === undefined) return false;
        for (const t of v) if (setValues.has(caseSensitive ? t : env.lower(t))) return true;
        return false;
      });
    }
  }
  if (issues.length > 0) return { ok: false, issues };

  // Plain equality on a field whose values pin down the event kind (auditd type, SYSCALL).
  let leafKinds = kinds;
  if (def.kindsForValue && mods.length === 0 && nullValues.length === 0) {
    const union = new Set<EventKind>();
    for (const v of plainValues) for (const k of def.kindsForValue(String(v.value))) union.add(k);
    leafKinds = kinds.filter((k) => union.has(k));
  }
  if (nullValues.length > 0) tests.push((env) => elementsOf(env.value(get)).every((t) => t === ''));
  const matchesAbsent = nullValues.length > 0;
  const test =
    tests.length === 1 ? tests[0]! : all ? (env: MatchEnv) => tests.every((t) => t(env)) : (env: MatchEnv) => tests.some((t) => t(env));
  // Fields that only name the event kind (auditd type, SYSCALL) select nothing the kind filter does not.
  const atoms = nullValues.length === 0 && atomSets.length > 0 && !def.kindsForValue ? pickAtoms(atomSets, all) : undefined;
  return { ok: true, leaf: { kinds: leafKinds, matchesAbsent, test, ...(atoms ? { atoms: { def, literals: atoms } } : {}) } };
}

/** The longest wildcard-free run of a Sigma value (any match of the value contains it). */
function longestLiteral(value: string): string {
  let best = '';
  let run = '';
  for (const c of parseGlob(value).chars) {
    if (c.length > 1) {
      // a wildcard sentinel
      if (run.length > best.length) best = run;
      run = '';
    } else run += c;
  }
  return run.length > best.length ? run : best;
}

/**
 * Literals necessary for the leaf: without all, every value must be indexable and any may hold;
 * with all, one indexable value suffices (it must hold), the one with the longest literals.
 */
function pickAtoms(sets: readonly (string[] | undefined)[], all: boolean): string[] | undefined {
  if (!all) return sets.every((x) => x !== undefined) ? [...new Set(sets.flat() as string[])] : undefined;
  let best: string[] | undefined;
  for (const x of sets) if (x && (!best || Math.min(...x.map((l) => l.length)) > Math.min(...best.map((l) => l.length)))) best = x;
  return best;
}

function escapeRegex(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
}

function escapeGlob(s: string): string {
  return s.replace(/[\\*?]/g, (c) => `\\${c}`);
}

function inCidr(text: string, version: 4 | 6, words: Uint16Array, prefix: number): boolean {
  const ip = parseIp(text);
  if (!ip || ip.version !== version) return false;
  for (let bit = 0; bit < prefix; bit += 16) {
    const take = Math.min(16, prefix - bit);
    const mask = (0xffff << (16 - take)) & 0xffff;
    const w = bit >> 4;
    if ((ip.words[w]! & mask) !== (words[w]! & mask)) return false;
  }
  return true;
}
