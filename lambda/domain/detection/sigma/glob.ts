/**
 * Sigma string values: `*` (any run) and `?` (one character) are wildcards, `\*` `\?` `\\` escape
 * them, any other backslash is literal. A value compiles to the cheapest exact test that implements
 * it (equals / startsWith / endsWith / includes) and only falls back to a wildcard matcher when a
 * wildcard sits inside the value. The matcher is iterative (greedy star with one backtrack point):
 * O(text × pattern) at worst, never exponential, so attacker-controlled command lines cannot stall it.
 */

export type StringTest = (text: string) => boolean;

interface ParsedGlob {
  /** Pattern characters with wildcards replaced by the sentinel codes below. */
  readonly chars: readonly string[];
  readonly hasWildcard: boolean;
}
const STAR = '\u0000*';
const ANY = '\u0000?';

export function parseGlob(value: string): ParsedGlob {
  const chars: string[] = [];
  let hasWildcard = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === '\\') {
      const next = value[i + 1];
      if (next === '*' || next === '?' || next === '\\') {
        chars.push(next);
        i++;
        continue;
      }
      chars.push(c);
    } else if (c === '*') {
      if (chars[chars.length - 1] !== STAR) chars.push(STAR);
      hasWildcard = true;
    } else if (c === '?') {
      chars.push(ANY);
      hasWildcard = true;
    } else {
      chars.push(c);
    }
  }
  return { chars, hasWildcard };
}

/** Text of a glob with no wildcards (after unescaping). */
function literal(chars: readonly string[]): string {
  return chars.join('');
}

/**
 * Compiles a Sigma value to a test over already-normalised text (the caller lowercases both sides
 * for case-insensitive matching). `mode` wraps the value as Sigma's contains/startswith/endswith do.
 */
export function compileGlob(value: string, mode: 'equals' | 'contains' | 'startswith' | 'endswith'): StringTest {
  const { chars } = parseGlob(value);
  const body = [...chars];
  if (mode === 'contains' || mode === 'endswith') body.unshift(STAR);
  if (mode === 'contains' || mode === 'startswith') body.push(STAR);
  // Collapse repeated stars from wrapping a value that already starts/ends with one.
  const pat = body.filter((c, i) => !(c === STAR && body[i - 1] === STAR));
  const inner = pat.slice(pat[0] === STAR ? 1 : 0, pat[pat.length - 1] === STAR ? -1 : undefined);
  if (!inner.includes(STAR) && !inner.includes(ANY)) {
    const lit = literal(inner);
    const lead = pat[0] === STAR;
    const trail = pat.length > 0 && pat[pat.length - 1] === STAR;
    if (lead && trail) return lit === '' ? () => true : (t) => t.includes(lit);
    if (lead) return (t) => t.endsWith(lit);
    if (trail) return (t) => t.startsWith(lit);
    return (t) => t === lit;
  }
  return (t) => wildcardMatch(pat, t);
}

function wildcardMatch(pat: readonly string[], text: string): boolean {
  let p = 0;
  let t = 0;
  let starP = -1;
  let starT = 0;
  while (t < text.length) {
    const pc = pat[p];
    if (pc !== undefined && pc !== STAR && (pc === ANY || pc === text[t])) {
      p++;
      t++;
    } else if (pc === STAR) {
      starP = p++;
      starT = t;
    } else if (starP >= 0) {
      p = starP + 1;
      t = ++starT;
    } else {
      return false;
    }
  }
  while (pat[p] === STAR) p++;
  return p === pat.length;
}
