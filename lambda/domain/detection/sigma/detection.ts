/**
 * A Sigma `detection` block compiled to one predicate plus the event kinds it can match.
 *
 * Search identifiers: a map is an AND of field conditions, a list of maps an OR of such ANDs, a list
 * of plain values a keyword (full-text) search. Every search identifier is compiled per use in the
 * condition with that use's polarity (under an even or odd number of `not`s), so a value Picket can
 * only partly evaluate (a regex over a cut input) always falls to the answer that narrows the rule.
 * Anything that cannot be compiled is returned as issues, each with its line: the caller skips the rule.
 */
import type { EventKind } from '../../events/runtime-event';
import { type ConditionAst, ConditionError, expandPattern, parseCondition } from './condition';
import type { LogsourceMapping } from './field-map';
import { compileGlob } from './glob';
import { compileLeaf, type FieldSpec, type Leaf, type MatchEnv, type Polarity } from './leaf';
import type { AtomRegistry } from './prefilter';
import type { SigmaIssue } from './types';
import type { YEntry, YNode } from './yaml-tree';

export interface CompiledDetection {
  readonly kinds: readonly EventKind[];
  /** Prefilter: one of these atom ids must occur in `env.atomHits()` for the detection to hold; null: no prefilter. */
  readonly atoms: Int32Array | null;
  test(env: MatchEnv): boolean;
}

interface Node {
  readonly kinds: ReadonlySet<EventKind>;
  readonly test: (env: MatchEnv) => boolean;
  /** Necessary atoms (one must occur) or null when the node cannot be indexed. */
  readonly atoms: AtomSet | null;
}

interface AtomSet {
  readonly ids: ReadonlySet<number>;
  /** Length of the shortest literal in the set (selectivity estimate). */
  readonly minLength: number;
}

/**
 * AND: any child's necessary atoms are necessary for the whole; keep the most selective — the set
 * whose shortest literal is longest (a 2-character literal occurs almost everywhere), then the smaller.
 */
function andAtoms(nodes: readonly Node[]): AtomSet | null {
  let best: AtomSet | null = null;
  for (const n of nodes) {
    const a = n.atoms;
    if (a && (!best || a.minLength > best.minLength || (a.minLength === best.minLength && a.ids.size < best.ids.size))) best = a;
  }
  return best;
}
/** OR: every branch must be indexed, and any branch's atoms may be the one. */
function orAtoms(nodes: readonly Node[]): AtomSet | null {
  if (nodes.some((n) => !n.atoms)) return null;
  return { ids: new Set(nodes.flatMap((n) => [...n.atoms!.ids])), minLength: Math.min(...nodes.map((n) => n.atoms!.minLength)) };
}

const flip = (p: Polarity): Polarity => (p === 'positive' ? 'negative' : 'positive');
const intersect = (sets: readonly ReadonlySet<EventKind>[]): Set<EventKind> =>
  new Set([...sets[0]!].filter((k) => sets.every((s) => s.has(k))));
const union = (sets: readonly ReadonlySet<EventKind>[]): Set<EventKind> => new Set(sets.flatMap((s) => [...s]));

function andNode(nodes: readonly Node[]): Node {
  const tests = nodes.map((n) => n.test);
  const test = tests.length === 1 ? tests[0]! : (env: MatchEnv) => tests.every((t) => t(env));
  return { kinds: intersect(nodes.map((n) => n.kinds)), test, atoms: andAtoms(nodes) };
}
function orNode(nodes: readonly Node[]): Node {
  const tests = nodes.map((n) => n.test);
  const test = tests.length === 1 ? tests[0]! : (env: MatchEnv) => tests.some((t) => t(env));
  return { kinds: union(nodes.map((n) => n.kinds)), test, atoms: orAtoms(nodes) };
}

export function compileDetection(
  detection: YNode,
  mapping: LogsourceMapping,
  registry: AtomRegistry,
): { ok: true; value: CompiledDetection } | { ok: false; issues: SigmaIssue[] } {
  const issues: SigmaIssue[] = [];
  if (detection.kind !== 'map') return { ok: false, issues: [{ code: 'invalid', line: detection.line, message: 'detection must be a map' }] };
  const allKinds = new Set(mapping.kinds);
  const searches = new Map<string, YEntry>();
  let conditionEntry: YEntry | undefined;
  for (const e of detection.entries) {
    if (e.key === 'condition') conditionEntry = e;
    else if (e.key === 'timeframe') issues.push({ code: 'aggregation', line: e.line, message: 'timeframe (Sigma correlation) is not supported' });
    else searches.set(e.key, e);
  }
  if (!conditionEntry) return { ok: false, issues: [{ code: 'invalid', line: detection.line, message: 'detection has no condition' }] };
  const conditions: { text: string; line: number }[] = [];
  const cv = conditionEntry.value;
  if (cv.kind === 'scalar' && typeof cv.value === 'string') conditions.push({ text: cv.value, line: cv.line });
  else if (cv.kind === 'seq' && cv.items.every((i) => i.kind === 'scalar' && typeof i.value === 'string')) {
    for (const i of cv.items) if (i.kind === 'scalar') conditions.push({ text: String(i.value), line: i.line });
  } else return { ok: false, issues: [{ code: 'invalid', line: cv.line, message: 'condition must be a string or a list of strings' }] };

  const names = [...searches.keys()];
  const cache = new Map<string, Node | undefined>();

  const compileSearch = (name: string, polarity: Polarity, line: number): Node | undefined => {
    const key = `${polarity}:${name}`;
    if (cache.has(key)) return cache.get(key);
    const entry = searches.get(name);
    let node: Node | undefined;
    if (!entry) {
      issues.push({ code: 'condition', line, message: `condition refers to ${name}, which the detection does not define` });
    } else {
      node = compileSearchValue(entry, polarity);
    }
    cache.set(key, node);
    return node;
  };

  const compileSearchValue = (entry: YEntry, polarity: Polarity): Node | undefined => {
    const v = entry.value;
    if (v.kind === 'map') return compileMap(v, polarity);
    if (v.kind === 'seq' && v.items.length > 0 && v.items.every((i) => i.kind === 'map')) {
      const parts = v.items.map((i) => compileMap(i, polarity));
      return parts.every((p): p is Node => p !== undefined) ? orNode(parts) : undefined;
    }
    if (v.kind === 'scalar' || (v.kind === 'seq' && v.items.every((i) => i.kind === 'scalar'))) {
      const values = v.kind === 'scalar' ? [v] : v.items;
      return compileKeywords(values as readonly Extract<YNode, { kind: 'scalar' }>[], false, polarity, entry.line);
    }
    issues.push({ code: 'invalid', line: v.line, message: `search identifier ${entry.key} mixes maps and plain values` });
    return undefined;
  };

  const compileKeywords = (
    values: readonly Extract<YNode, { kind: 'scalar' }>[],
    all: boolean,
    polarity: Polarity,
    line: number,
  ): Node | undefined => {
    const haystack = mapping.keywordHaystack;
    if (!haystack) {
      issues.push({ code: 'keywords', line, message: `keyword search is not supported for ${mapping.name} (use field conditions)` });
      return undefined;
    }
    if (polarity === 'negative') {
      // The decoded event fields are not the raw log line: excluding on them could let through what the raw line would exclude.
      issues.push({ code: 'keywords', line, message: 'keyword search under "not" is not supported (the event is not the raw audit line)' });
      return undefined;
    }
    if (values.some((v) => v.value === null)) {
      issues.push({ code: 'keywords', line, message: 'null keywords are not supported' });
      return undefined;
    }
    const globs = values.map((v) => compileGlob(String(v.value).toLowerCase(), 'contains'));
    const one = (env: MatchEnv, g: (t: string) => boolean) => haystack(env.event).some((t) => g(env.lower(t)));
    const test = all ? (env: MatchEnv) => globs.every((g) => one(env, g)) : (env: MatchEnv) => globs.some((g) => one(env, g));
    return { kinds: allKinds, test, atoms: null };
  };

  const compileMap = (m: YNode, polarity: Polarity): Node | undefined => {
    if (m.kind !== 'map') return undefined;
    const leaves: Node[] = [];
    let failed = false;
    // auditd: aN of a SYSCALL record is a raw hex syscall argument, not argv.
    if (mapping.name === 'linux/auditd') {
      const typeEntry = m.entries.find((e) => e.key === 'type');
      const types = typeEntry ? scalarTexts(typeEntry.value).map((t) => t.toUpperCase()) : [];
      if (types.length > 0 && !types.includes('EXECVE')) {
        for (const e of m.entries) {
          if (/^a\d+(\||$)/.test(e.key)) {
            issues.push({ code: 'field', line: e.line, message: `${e.key}: with type ${types.join('/')} this is a raw syscall argument, which runtime events do not carry` });
            failed = true;
          }
        }
      }
    }
    for (const e of m.entries) {
      if (e.key.startsWith('|')) {
        const mods = e.key.slice(1).split('|');
        const values = e.value.kind === 'seq' ? e.value.items : [e.value];
        if (mods.some((x) => x !== 'all') || !values.every((x) => x.kind === 'scalar')) {
          issues.push({ code: 'keywords', line: e.line, message: `keyword modifiers ${e.key} are not supported (only |all)` });
          failed = true;
          continue;
        }
        const k = compileKeywords(values as Extract<YNode, { kind: 'scalar' }>[], true, polarity, e.line);
        if (k) leaves.push(k);
        else failed = true;
        continue;
      }
      const spec: FieldSpec = {
        key: e.key,
        line: e.line,
        values:
          e.value.kind === 'scalar'
            ? [{ value: e.value.value, line: e.value.line }]
            : e.value.kind === 'seq' && e.value.items.every((i) => i.kind === 'scalar')
              ? e.value.items.map((i) => ({ value: i.kind === 'scalar' ? i.value : null, line: i.line }))
              : [],
      };
      if (spec.values.length === 0 && e.value.kind !== 'seq') {
        issues.push({ code: 'invalid', line: e.line, message: `${e.key}: value must be a scalar or a list of scalars` });
        failed = true;
        continue;
      }
      const r = compileLeaf(spec, mapping, polarity);
      if (!r.ok) {
        issues.push(...r.issues);
        failed = true;
        continue;
      }
      leaves.push(leafNode(r.leaf, allKinds, registry));
    }
    if (failed) return undefined;
    if (leaves.length === 0) {
      issues.push({ code: 'invalid', line: m.line, message: 'empty search identifier' });
      return undefined;
    }
    return andNode(leaves);
  };

  const compileAst = (ast: ConditionAst, polarity: Polarity, line: number): Node | undefined => {
    switch (ast.type) {
      case 'ref':
        return compileSearch(ast.name, polarity, line);
      case 'not': {
        const inner = compileAst(ast.operand, flip(polarity), line);
        if (!inner) return undefined;
        const t = inner.test;
        return { kinds: allKinds, test: (env) => !t(env), atoms: null };
      }
      case 'and':
      case 'or': {
        const parts = ast.operands.map((o) => compileAst(o, polarity, line));
        if (!parts.every((p): p is Node => p !== undefined)) return undefined;
        return ast.type === 'and' ? andNode(parts) : orNode(parts);
      }
      case 'of': {
        const matched = expandPattern(ast.pattern, names);
        if (matched.length === 0) {
          issues.push({ code: 'condition', line, message: `"${ast.pattern}" matches no search identifier` });
          return undefined;
        }
        const parts = matched.map((n) => compileSearch(n, polarity, line));
        if (!parts.every((p): p is Node => p !== undefined)) return undefined;
        if (ast.quantifier === 'all') return andNode(parts);
        if (ast.quantifier === 1) return orNode(parts);
        const need = ast.quantifier;
        if (need > parts.length) {
          issues.push({ code: 'condition', line, message: `"${need} of ${ast.pattern}" needs more identifiers than the ${parts.length} it matches` });
          return undefined;
        }
        const tests = parts.map((p) => p.test);
        return {
          kinds: union(parts.map((p) => p.kinds)),
          atoms: orAtoms(parts),
          test: (env) => {
            let n = 0;
            for (const t of tests) if (t(env) && ++n >= need) return true;
            return false;
          },
        };
      }
    }
  };

  const roots: Node[] = [];
  for (const c of conditions) {
    let ast: ConditionAst;
    try {
      ast = parseCondition(c.text);
    } catch (err) {
      if (!(err instanceof ConditionError)) throw err;
      issues.push({ code: err.aggregation ? 'aggregation' : 'condition', line: c.line, message: err.message });
      continue;
    }
    const node = compileAst(ast, 'positive', c.line);
    if (node) roots.push(node);
  }
  if (issues.length > 0 || roots.length === 0) return { ok: false, issues: dedupe(issues) };
  const root = orNode(roots);
  const kinds = mapping.kinds.filter((k) => root.kinds.has(k));
  if (kinds.length === 0) {
    return { ok: false, issues: [{ code: 'condition', line: conditionEntry.line, message: 'the condition can never hold on any event kind (contradictory selections)' }] };
  }
  return { ok: true, value: { kinds, test: root.test, atoms: root.atoms ? Int32Array.from(root.atoms.ids) : null } };
}

function leafNode(leaf: Leaf, allKinds: ReadonlySet<EventKind>, registry: AtomRegistry): Node {
  const kinds = leaf.matchesAbsent ? allKinds : new Set(leaf.kinds.filter((k) => allKinds.has(k)));
  const a = leaf.atoms;
  const atoms = a ? { ids: new Set(a.literals.map((l) => registry.id(a.def, l))), minLength: Math.min(...a.literals.map((l) => l.length)) } : null;
  return { kinds, test: leaf.test, atoms };
}

function scalarTexts(n: YNode): string[] {
  if (n.kind === 'scalar') return n.value === null ? [] : [String(n.value)];
  if (n.kind === 'seq') return n.items.flatMap(scalarTexts);
  return [];
}

function dedupe(issues: SigmaIssue[]): SigmaIssue[] {
  const seen = new Set<string>();
  return [...issues].sort((a, b) => a.line - b.line).filter((i) => {
    const k = `${i.line}|${i.code}|${i.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
