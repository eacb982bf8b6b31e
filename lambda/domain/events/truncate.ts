/**
 * Producer-side truncation: an event that breaks LIMITS is cut until it fits and says so, instead of being
 * rejected by the validator and lost. Consumers never truncate; they reject (validate.ts).
 *
 * How things are cut, and why:
 * - argv (of the process and of each ancestor): at most `maxArgs` entries and `maxArgChars` per entry,
 *   keeping the start (the program and its first options matter most); `argvTruncated: true` is set.
 * - any other string (paths, names, answers): when too long the middle is replaced by "…", keeping the
 *   head and the tail, because the tail of a path carries the file name and markers such as " (deleted)".
 * - `lineage`: at most `maxLineage` ancestors (nearest kept); other lists at most `maxArgs` entries.
 * - if the event is still over `maxEventBytes`, the same cuts are repeated with smaller budgets, argv first
 *   (the usual culprit), then lineage argv, then other strings and the lineage itself.
 * Every cut field is named in `truncatedFields` (e.g. `process.exe`, `lineage[1].argv`).
 */
import { LIMITS, type RuntimeEvent } from './runtime-event';

/** The limits truncation enforces; LIMITS by default (tests and cautious producers may pass smaller ones). */
export interface TruncationLimits {
  readonly maxEventBytes: number;
  readonly maxArgs: number;
  readonly maxArgChars: number;
  readonly maxLineage: number;
}

interface Budget {
  /** Characters kept per argv entry. */
  readonly argChars: number;
  /** argv entries kept (process). */
  readonly argCount: number;
  /** argv entries kept per ancestor. */
  readonly lineageArgCount: number;
  /** Characters kept in any other string. */
  readonly textChars: number;
  /** Entries kept in any other list. */
  readonly listItems: number;
  /** Ancestors kept. */
  readonly lineage: number;
}

const ELLIPSIS = '…';

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/** The first `maxChars` UTF-16 units of text, never ending inside a surrogate pair. */
export function cutHead(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  let end = Math.max(0, maxChars);
  if (end > 0 && isHighSurrogate(text.charCodeAt(end - 1))) end--;
  return text.slice(0, end);
}

/** text in at most `maxChars` UTF-16 units: head + "…" + tail, never splitting a surrogate pair. */
export function cutMiddle(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  if (maxChars < 3) return cutHead(text, maxChars);
  const keep = maxChars - ELLIPSIS.length;
  const head = cutHead(text, Math.ceil(keep / 2));
  let tailStart = text.length - (keep - Math.ceil(keep / 2));
  if (tailStart < text.length && isLowSurrogate(text.charCodeAt(tailStart))) tailStart++;
  return head + ELLIPSIS + text.slice(tailStart);
}

/**
 * An argv cut to `maxArgs` entries of at most `maxArgChars` characters each (start kept), and whether
 * anything was cut. For producers building events by hand; truncateEvent does this for whole events.
 */
export function truncateArgv(
  argv: readonly string[],
  limits: Pick<TruncationLimits, 'maxArgs' | 'maxArgChars'> = LIMITS,
): { readonly argv: readonly string[]; readonly truncated: boolean } {
  let truncated = argv.length > limits.maxArgs;
  const kept = truncated ? argv.slice(0, limits.maxArgs) : argv;
  const cut = kept.map((arg) => {
    const short = cutHead(arg, limits.maxArgChars);
    if (short !== arg) truncated = true;
    return short;
  });
  return truncated ? { argv: cut, truncated } : { argv, truncated };
}

type Json = unknown;

/** Walks a value applying a budget; returns the same reference for anything it did not change. */
class Cutter {
  readonly cutPaths = new Set<string>();

  constructor(private readonly budget: Budget) {}

  event(event: Record<string, Json>): Record<string, Json> {
    let out: Record<string, Json> | undefined;
    for (const key of Object.keys(event)) {
      // truncatedFields is bookkeeping, rewritten by the caller.
      if (key === 'truncatedFields') continue;
      const value = event[key];
      let next: Json;
      if (key === 'lineage' && Array.isArray(value)) next = this.lineage(value);
      else if (key === 'process') next = this.argvHolder(value, 'process', this.budget.argCount);
      else next = this.any(value, key);
      if (next !== value) {
        out ??= { ...event };
        out[key] = next;
      }
    }
    return out ?? event;
  }

  private lineage(entries: readonly Json[]): Json {
    let changed = entries.length > this.budget.lineage;
    if (changed) this.cutPaths.add('lineage');
    const kept = entries.slice(0, this.budget.lineage).map((entry, i) => {
      const next = this.argvHolder(entry, `lineage[${i}]`, this.budget.lineageArgCount);
      if (next !== entry) changed = true;
      return next;
    });
    return changed ? kept : entries;
  }

  /** A process or lineage entry: its argv is cut head-first and flagged; the rest like any object. */
  private argvHolder(value: Json, path: string, argCount: number): Json {
    if (!isPlainObject(value)) return this.any(value, path);
    let out: Record<string, Json> | undefined;
    for (const key of Object.keys(value)) {
      const field = value[key];
      const fieldPath = `${path}.${key}`;
      const next = key === 'argv' && Array.isArray(field) ? this.argv(field, fieldPath, argCount) : this.any(field, fieldPath);
      if (next !== field) {
        out ??= { ...value };
        out[key] = next;
      }
    }
    if (out !== undefined && this.cutPaths.has(`${path}.argv`)) out['argvTruncated'] = true;
    return out ?? value;
  }

  private argv(argv: readonly Json[], path: string, argCount: number): Json {
    let changed = argv.length > argCount;
    const kept = argv.slice(0, argCount).map((arg) => {
      if (typeof arg !== 'string') return arg;
      const short = cutHead(arg, this.budget.argChars);
      if (short !== arg) changed = true;
      return short;
    });
    if (!changed) return argv;
    this.cutPaths.add(path);
    return kept;
  }

  private any(value: Json, path: string): Json {
    if (typeof value === 'string') {
      if (value.length <= this.budget.textChars) return value;
      this.cutPaths.add(path);
      return cutMiddle(value, this.budget.textChars);
    }
    if (Array.isArray(value)) {
      let changed = value.length > this.budget.listItems;
      if (changed) this.cutPaths.add(path);
      const kept = value.slice(0, this.budget.listItems).map((item, i) => {
        const next = this.any(item, `${path}[${i}]`);
        if (next !== item) changed = true;
        return next;
      });
      return changed ? kept : value;
    }
    if (isPlainObject(value)) {
      let out: Record<string, Json> | undefined;
      for (const key of Object.keys(value)) {
        const field = value[key];
        const next = this.any(field, `${path}.${key}`);
        if (next !== field) {
          out ??= { ...value };
          out[key] = next;
        }
      }
      return out ?? value;
    }
    return value;
  }
}

function isPlainObject(value: Json): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Budgets from LIMITS down: argv shrinks first, then lineage argv, then other strings and the lineage. */
function budgets(limits: TruncationLimits): Budget[] {
  const first: Budget = {
    argChars: limits.maxArgChars,
    argCount: limits.maxArgs,
    lineageArgCount: limits.maxArgs,
    textChars: limits.maxArgChars,
    listItems: limits.maxArgs,
    lineage: limits.maxLineage,
  };
  const shrink = (b: Budget, changes: Partial<Budget>): Budget => {
    const next = { ...b, ...changes };
    // Never grow past LIMITS when a caller passes small limits.
    return {
      argChars: Math.min(next.argChars, first.argChars),
      argCount: Math.min(next.argCount, first.argCount),
      lineageArgCount: Math.min(next.lineageArgCount, first.lineageArgCount),
      textChars: Math.min(next.textChars, first.textChars),
      listItems: Math.min(next.listItems, first.listItems),
      lineage: Math.min(next.lineage, first.lineage),
    };
  };
  const steps: Budget[] = [first];
  const add = (changes: Partial<Budget>) => steps.push(shrink(steps[steps.length - 1]!, changes));
  add({ argChars: 1024, argCount: 64, lineageArgCount: 32 });
  add({ argChars: 256, argCount: 32, lineageArgCount: 8 });
  add({ argChars: 128, argCount: 16, lineageArgCount: 2 });
  add({ lineageArgCount: 0, textChars: 1024, listItems: 32 });
  add({ textChars: 256, listItems: 16, lineage: 4 });
  add({ argChars: 64, argCount: 8, textChars: 128, listItems: 8, lineage: 1 });
  return steps;
}

function serialisedBytes(value: Json): number {
  return Buffer.byteLength(JSON.stringify(value), 'utf8');
}

/**
 * The event cut to fit `limits` (LIMITS by default), with `argvTruncated` and `truncatedFields` set for
 * what was cut; the very same object when nothing had to be. Never throws on a well-typed event. Only
 * oversized unknown properties can defeat it (they are cut like other strings, but not dropped), and then
 * the validator rejects the result: producers should validate after truncating.
 */
export function truncateEvent<T extends RuntimeEvent>(event: T, limits: TruncationLimits = LIMITS): T {
  const source = event as unknown as Record<string, Json>;
  let result: Record<string, Json> = source;
  let cut = new Set<string>();
  for (const budget of budgets(limits)) {
    const cutter = new Cutter(budget);
    result = cutter.event(source);
    cut = cutter.cutPaths;
    if (cut.size === 0 && result === source) {
      // Within the per-field limits: done if the whole fits too.
      if (serialisedBytes(source) <= limits.maxEventBytes) return event;
      continue;
    }
    result = withTruncatedFields(result, cut);
    if (serialisedBytes(result) <= limits.maxEventBytes) break;
  }
  return result as unknown as T;
}

function withTruncatedFields(event: Record<string, Json>, cut: ReadonlySet<string>): Record<string, Json> {
  const previous = Array.isArray(event['truncatedFields']) ? (event['truncatedFields'] as Json[]).filter((f) => typeof f === 'string') : [];
  const fields = [...new Set([...(previous as string[]), ...cut])].sort();
  return { ...event, truncatedFields: fields.slice(0, LIMITS.maxArgs).map((f) => cutMiddle(f, LIMITS.maxArgChars)) };
}
