/**
 * Sigma `re` values as JavaScript RegExps that cannot stall the detector on attacker-controlled input:
 *  1. the pattern is translated from the PCRE/Python dialect Sigma uses (leading `(?i)`-style flags,
 *     `(?P<name>` groups) and rejected when JavaScript cannot express it;
 *  2. backreferences, and groups under an unbounded repeat that themselves hold a variable
 *     quantifier or an alternation (`(a+)+`, `(a|aa)*`, `(\w*\s?)+`), are rejected as
 *     catastrophic-backtracking shapes (bounded repeats such as `(x\s?){2,20}` are left to the probe);
 *  3. every accepted pattern is probed at load on adversarial inputs of REGEX_INPUT_LIMIT characters
 *     and rejected if one probe takes longer than PROBE_BUDGET_MS;
 *  4. at match time only the first REGEX_INPUT_LIMIT characters are searched (see `prefixSound`).
 */

/** Most characters a regex is run over (the longest single argument or path the event contract keeps). */
export const REGEX_INPUT_LIMIT = 4096;
const PROBE_BUDGET_MS = 25;

export interface CompiledRegex {
  readonly regex: RegExp;
  /**
   * True when a match in a prefix of the text proves a match in the whole text (no `$`, `\b`, `\B`,
   * lookahead or lookbehind). Then a cut input that matches is a sound match; otherwise, and when a cut
   * input does not match, the result is unknown and the caller picks the answer that cannot widen the rule.
   */
  readonly prefixSound: boolean;
}

export type RegexResult = { readonly ok: true; readonly compiled: CompiledRegex } | { readonly ok: false; readonly reason: string };

interface Quantifier {
  readonly length: number;
  readonly variable: boolean;
  readonly unbounded: boolean;
}

/** Reads a quantifier at `i`, if there is one. */
function quantifierAt(p: string, i: number): Quantifier | undefined {
  const c = p[i];
  let q: Quantifier | undefined;
  if (c === '*' || c === '+') q = { length: 1, variable: true, unbounded: true };
  else if (c === '?') q = { length: 1, variable: true, unbounded: false };
  else if (c === '{') {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(p.slice(i));
    if (!m) return undefined;
    const min = Number(m[1]);
    const max = m[2] === undefined ? min : m[3] === '' ? Number.POSITIVE_INFINITY : Number(m[3]);
    q = { length: m[0].length, variable: max !== min, unbounded: max === Number.POSITIVE_INFINITY };
  }
  if (q && p[i + q.length] === '?') q = { ...q, length: q.length + 1 }; // lazy: same shape
  return q;
}

interface GroupInfo {
  /** Holds a variable quantifier (direct or nested). */
  variable: boolean;
  /** Holds an alternation at its own level or below. */
  alternation: boolean;
}

/** Returns why the pattern is unsafe, or undefined. Scans the source once, tracking groups and classes. */
export function catastrophicShape(p: string): string | undefined {
  const stack: GroupInfo[] = [{ variable: false, alternation: false }];
  let inClass = false;
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === '\\') {
      const n = p[i + 1] ?? '';
      if (!inClass && (/[1-9]/.test(n) || n === 'k')) return 'backreferences are not accepted (they defeat linear-time matching)';
      i++;
      if (!inClass) markQuantified(p, i + 1, stack);
      continue;
    }
    if (inClass) {
      if (c === ']') {
        inClass = false;
        markQuantified(p, i + 1, stack);
      }
      continue;
    }
    if (c === '[') {
      inClass = true;
      if (p[i + 1] === '^') i++;
      if (p[i + 1] === ']') i++;
      continue;
    }
    if (c === '(') {
      stack.push({ variable: false, alternation: false });
      continue;
    }
    if (c === '|') {
      stack[stack.length - 1]!.alternation = true;
      continue;
    }
    if (c === ')') {
      const inner = stack.pop();
      if (!inner || stack.length === 0) return 'unbalanced parentheses';
      const q = quantifierAt(p, i + 1);
      const outer = stack[stack.length - 1]!;
      if (q) {
        if (inner.variable && q.unbounded) {
          return `nested quantifier at offset ${i + 1}: a repeated group that itself repeats can backtrack exponentially`;
        }
        if (inner.alternation && q.unbounded) {
          return `alternation under an unbounded repeat at offset ${i + 1} can backtrack exponentially`;
        }
        if (q.variable) outer.variable = true;
        i += q.length;
      }
      if (inner.variable) outer.variable = true;
      if (inner.alternation) outer.alternation = true;
      continue;
    }
    markQuantified(p, i + 1, stack);
  }
  return stack.length === 1 ? undefined : 'unbalanced parentheses';
}

function markQuantified(p: string, at: number, stack: GroupInfo[]): void {
  const q = quantifierAt(p, at);
  if (q?.variable) stack[stack.length - 1]!.variable = true;
}

/** Sigma's regex dialect → JavaScript source and flags, or why not. */
function translate(pattern: string, flags: string): { source: string; flags: string } | string {
  let source = pattern;
  let f = flags;
  const inline = /^\(\?([imsx]+)\)/.exec(source);
  if (inline) {
    if (inline[1]!.includes('x')) return 'the x (verbose) regex flag is not supported';
    for (const ch of inline[1]!) if (!f.includes(ch)) f += ch;
    source = source.slice(inline[0].length);
  }
  if (/\(\?[imsx-]+[:)]/.test(source)) return 'inline regex flags inside the pattern are not supported in JavaScript';
  source = source.replace(/\(\?P</g, '(?<');
  if (/\(\?P[=>]/.test(source)) return 'Python named backreferences are not supported';
  if (/\\[AZz]/.test(source)) return '\\A, \\Z and \\z anchors are not supported (use ^ and $)';
  return { source, flags: f };
}

function probes(source: string): string[] {
  const literalChars = source.replace(/[\\^$.*+?()[\]{}|]/g, '').slice(0, 16) || 'a';
  const base = [' ', 'a', '0', '-', '/', '.', '\t', 'a ', '-a ', '0 ', literalChars, `${literalChars} `];
  return base.map((unit) => unit.repeat(Math.ceil(REGEX_INPUT_LIMIT / unit.length)).slice(0, REGEX_INPUT_LIMIT - 1) + '!');
}

/** Compiles a Sigma `re` value; `flags` from the i/m/s sub-modifiers. */
export function compileSafeRegex(pattern: string, flags: string): RegexResult {
  const t = translate(pattern, flags);
  if (typeof t === 'string') return { ok: false, reason: t };
  const shape = catastrophicShape(t.source);
  if (shape) return { ok: false, reason: shape };
  let regex: RegExp;
  try {
    regex = new RegExp(t.source, t.flags);
  } catch (e) {
    return { ok: false, reason: `invalid regular expression: ${(e as Error).message}` };
  }
  for (const probe of probes(t.source)) {
    const start = performance.now();
    regex.test(probe);
    const ms = performance.now() - start;
    if (ms > PROBE_BUDGET_MS) {
      return { ok: false, reason: `regular expression took ${ms.toFixed(0)} ms on a ${REGEX_INPUT_LIMIT}-character probe: too slow to run on every event` };
    }
  }
  const prefixSound = !/\$|\\[bB]|\(\?<?[=!]/.test(t.source);
  return { ok: true, compiled: { regex, prefixSound } };
}
