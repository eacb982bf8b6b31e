/**
 * Sigma YAML to a small tree that keeps the 1-based line of every key and value, so every load
 * report can point at the line to fix. Built on the `yaml` package's Document + LineCounter; aliases,
 * custom tags and duplicate keys are refused (a rule is data, not a program).
 */
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, type Node, parseAllDocuments } from 'yaml';

export type ScalarValue = string | number | boolean | null;

export type YNode =
  | { readonly kind: 'scalar'; readonly value: ScalarValue; readonly line: number }
  | { readonly kind: 'seq'; readonly items: readonly YNode[]; readonly line: number }
  | { readonly kind: 'map'; readonly entries: readonly YEntry[]; readonly line: number };

export interface YEntry {
  readonly key: string;
  readonly line: number;
  readonly value: YNode;
}

/** A YAML problem with the line it is on. */
export class SigmaYamlError extends Error {
  constructor(
    message: string,
    readonly line: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SigmaYamlError';
  }
}

/** Parses every YAML document of a file; throws SigmaYamlError on the first syntax problem. */
export function parseYamlDocuments(text: string): YNode[] {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, uniqueKeys: true, prettyErrors: false, strict: true });
  // An empty or comment-only file is an EmptyStream, not an array.
  if (!Array.isArray(docs)) return [];
  const lineOf = (offset: number | undefined): number => (offset === undefined ? 1 : lineCounter.linePos(offset).line);
  const out: YNode[] = [];
  for (const doc of docs) {
    const err = doc.errors[0];
    if (err) throw new SigmaYamlError(`YAML: ${err.message.split('\n')[0]}`, lineOf(err.pos[0]), { cause: err });
    if (doc.contents === null) continue;
    out.push(convert(doc.contents as Node, lineOf));
  }
  return out;
}

function convert(node: Node, lineOf: (offset: number | undefined) => number): YNode {
  const line = lineOf(node.range?.[0]);
  if (isAlias(node)) throw new SigmaYamlError('YAML aliases (*name) are not accepted in Sigma rules', line);
  if (node.tag && !node.tag.startsWith('tag:yaml.org,2002:')) {
    throw new SigmaYamlError(`YAML tag ${node.tag} is not accepted in Sigma rules`, line);
  }
  if (isScalar(node)) {
    const v = node.value;
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return { kind: 'scalar', value: v, line };
    if (typeof v === 'number') return { kind: 'scalar', value: v, line };
    // Dates and other resolved types: keep their source text, Sigma compares strings.
    return { kind: 'scalar', value: String(node.source ?? v), line };
  }
  if (isSeq(node)) return { kind: 'seq', items: node.items.map((i) => convert(i as Node, lineOf)), line };
  if (isMap(node)) {
    const entries: YEntry[] = [];
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const keyNode = pair.key as Node | null;
      const keyLine = lineOf(keyNode?.range?.[0]);
      if (!isScalar(keyNode) || (typeof keyNode.value !== 'string' && typeof keyNode.value !== 'number')) {
        throw new SigmaYamlError('YAML map keys must be plain strings', keyLine);
      }
      const value: YNode =
        pair.value === null || pair.value === undefined
          ? { kind: 'scalar', value: null, line: keyLine }
          : convert(pair.value as Node, lineOf);
      entries.push({ key: String(keyNode.value), line: keyLine, value });
    }
    return { kind: 'map', entries, line };
  }
  throw new SigmaYamlError('unrecognised YAML node', line);
}

/** The entry for `key` in a map node, if any. */
export function entry(node: YNode, key: string): YEntry | undefined {
  return node.kind === 'map' ? node.entries.find((e) => e.key === key) : undefined;
}

/** A scalar entry as a string (numbers stringified), or undefined. */
export function scalarText(node: YNode | undefined): string | undefined {
  if (node?.kind !== 'scalar' || node.value === null) return undefined;
  return String(node.value);
}
