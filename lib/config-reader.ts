/**
 * A small typed reader for untrusted JSON configuration: every accessor checks one key, records a
 * ConfigIssue instead of throwing (so all problems are reported together) and returns the default
 * when the key is absent or wrong, which lets validation carry on past the first mistake.
 */
import type { ConfigIssue } from './config-error';

export type JsonObject = Record<string, unknown>;

export function isPlainObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function joinPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return parent ? `${parent}.${key}` : key;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}

/** The known key closest to a typo, when it is close enough to be a plausible suggestion. */
export function closestKey(unknown: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of known) {
    const distance = editDistance(unknown, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(unknown.length / 3)) ? best : undefined;
}

const quote = (s: string): string => JSON.stringify(s);
export const quoteList = (values: readonly string[]): string => values.map(quote).join(', ');

export interface NumberRule {
  readonly min?: number;
  readonly max?: number;
  readonly integer?: boolean;
}

export interface StringRule {
  /** Whole-value pattern. */
  readonly pattern?: RegExp;
  /** Human wording of the pattern for the error message, e.g. `an instance id such as "i-0123456789abcdef0"`. */
  readonly describe?: string;
  readonly maxLength?: number;
}

export class ConfigReader {
  readonly issues: ConfigIssue[] = [];

  report(path: string, value: unknown, expected: string, fix: string): void {
    this.issues.push({ path, value, expected, fix });
  }

  /**
   * Checks that `value` is an object whose keys are all known. Returns the object (or an empty one when
   * absent or wrong, so that every nested key falls back to its default).
   */
  section(value: unknown, path: string, known: readonly string[]): JsonObject {
    if (value === undefined) return {};
    if (!isPlainObject(value)) {
      this.report(path, value, `an object with keys ${quoteList(known)}`, `replace ${path || 'the file content'} with an object, or remove it to use the defaults`);
      return {};
    }
    for (const key of Object.keys(value)) {
      if (known.includes(key)) continue;
      const keyPath = joinPath(path, key);
      const suggestion = closestKey(key, known);
      this.report(
        keyPath,
        value[key],
        `no key named ${quote(key)} here (known keys: ${quoteList(known)})`,
        suggestion ? `rename ${quote(key)} to ${quote(suggestion)}` : `remove ${keyPath}; see docs/config.md for the keys of ${path || 'the top level'}`,
      );
    }
    return value;
  }

  boolean(obj: JsonObject, path: string, key: string, fallback: boolean): boolean {
    const value = obj[key];
    if (value === undefined) return fallback;
    if (typeof value === 'boolean') return value;
    const keyPath = joinPath(path, key);
    this.report(keyPath, value, 'true or false (a JSON boolean, not a string)', `set ${keyPath} to true or false, or remove it to use the default (${fallback})`);
    return fallback;
  }

  number(obj: JsonObject, path: string, key: string, fallback: number, rule: NumberRule = {}): number {
    const value = obj[key];
    if (value === undefined) return fallback;
    const checked = this.numberValue(value, joinPath(path, key), rule, `remove it to use the default (${fallback})`);
    return checked ?? fallback;
  }

  optionalNumber(obj: JsonObject, path: string, key: string, rule: NumberRule = {}): number | undefined {
    const value = obj[key];
    if (value === undefined) return undefined;
    return this.numberValue(value, joinPath(path, key), rule, 'remove it to use the default');
  }

  numberValue(value: unknown, keyPath: string, rule: NumberRule, orElse: string): number | undefined {
    const kind = rule.integer ? 'an integer' : 'a number';
    const bounds =
      rule.min !== undefined && rule.max !== undefined
        ? ` from ${rule.min} to ${rule.max}`
        : rule.min !== undefined
          ? ` of at least ${rule.min}`
          : rule.max !== undefined
            ? ` of at most ${rule.max}`
            : '';
    const expected = `${kind}${bounds} (a JSON number, not a string)`;
    const ok =
      typeof value === 'number' &&
      Number.isFinite(value) &&
      (!rule.integer || Number.isInteger(value)) &&
      (rule.min === undefined || value >= rule.min) &&
      (rule.max === undefined || value <= rule.max);
    if (ok) return value as number;
    this.report(keyPath, value, expected, `set ${keyPath} to ${kind}${bounds}, or ${orElse}`);
    return undefined;
  }

  string(obj: JsonObject, path: string, key: string, fallback: string, rule: StringRule = {}): string {
    const value = obj[key];
    if (value === undefined) return fallback;
    return this.stringValue(value, joinPath(path, key), rule, `remove it to use the default (${quote(fallback)})`) ?? fallback;
  }

  optionalString(obj: JsonObject, path: string, key: string, rule: StringRule = {}): string | undefined {
    const value = obj[key];
    if (value === undefined) return undefined;
    return this.stringValue(value, joinPath(path, key), rule, 'remove it');
  }

  stringValue(value: unknown, keyPath: string, rule: StringRule, orElse: string): string | undefined {
    const expected = rule.describe ?? (rule.pattern ? `a string matching ${rule.pattern}` : 'a non-empty string');
    const ok =
      typeof value === 'string' &&
      value.length > 0 &&
      (rule.maxLength === undefined || value.length <= rule.maxLength) &&
      (rule.pattern === undefined || rule.pattern.test(value));
    if (ok) return value as string;
    const limit = rule.maxLength !== undefined ? ` of at most ${rule.maxLength} characters` : '';
    this.report(keyPath, value, expected + limit, `set ${keyPath} to ${expected}${limit}, or ${orElse}`);
    return undefined;
  }

  oneOf<T extends string>(obj: JsonObject, path: string, key: string, fallback: T, allowed: readonly T[]): T {
    const value = obj[key];
    if (value === undefined) return fallback;
    if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
    const keyPath = joinPath(path, key);
    this.report(keyPath, value, `one of ${quoteList(allowed)}`, `set ${keyPath} to one of ${quoteList(allowed)}, or remove it to use the default (${quote(fallback)})`);
    return fallback;
  }

  /** An array of strings, each checked by `rule`; bad entries are reported and dropped. */
  stringArray(obj: JsonObject, path: string, key: string, fallback: readonly string[], rule: StringRule & { unique?: boolean } = {}): string[] {
    const value = obj[key];
    if (value === undefined) return [...fallback];
    const keyPath = joinPath(path, key);
    if (!Array.isArray(value)) {
      const each = rule.describe ?? 'strings';
      this.report(keyPath, value, `an array of ${each}`, `wrap the value in [ ], e.g. ${keyPath}: [${describeFirst(value)}]`);
      return [...fallback];
    }
    const out: string[] = [];
    value.forEach((entry, index) => {
      const checked = this.stringValue(entry, joinPath(keyPath, index), rule, 'remove the entry');
      if (checked === undefined) return;
      if (rule.unique && out.includes(checked)) {
        this.report(joinPath(keyPath, index), entry, 'each value once', `remove the duplicate ${quote(checked)}`);
        return;
      }
      out.push(checked);
    });
    return out;
  }
}

function describeFirst(value: unknown): string {
  return typeof value === 'string' ? quote(value) : String(value);
}
