/**
 * Suppression rules with GuardDuty filter semantics. A rule's criteria name finding fields by dotted
 * path (`type`, `severity`, `resource.instanceDetails.instanceId`,
 * `service.runtimeDetails.process.executablePath`, `resource.instanceDetails.tags.key`, …); arrays on
 * the path are searched element by element. Every criterion must hold (AND); within a criterion
 * every operator given must hold. A matching finding is archived: stored and counted, not published.
 *
 * Operators (GuardDuty's long names are accepted too):
 *   eq / equals          – the field has any of the values
 *   neq / notEquals      – the field has none of the values (a missing field satisfies it)
 *   gt/gte/lt/lte (greaterThan, greaterThanOrEqual, lessThan, lessThanOrEqual)
 *                        – numeric; ISO timestamps compare as epoch ms; a missing field fails
 *   matches              – any value matches any wildcard pattern (`*` any run, `?` one character)
 *   notMatches           – no value matches any pattern
 * Comparisons are case-sensitive, like GuardDuty's filters (paths and types are case-sensitive too).
 *
 * Scopes: central rules apply to every finding; account rules only to findings whose `accountId`
 * is that account.
 */
import type { Finding } from './finding';

export type CriterionValue = string | number;

export interface Condition {
  readonly eq?: readonly CriterionValue[];
  readonly neq?: readonly CriterionValue[];
  readonly gt?: number;
  readonly gte?: number;
  readonly lt?: number;
  readonly lte?: number;
  readonly matches?: readonly string[];
  readonly notMatches?: readonly string[];
}

export interface SuppressionRule {
  readonly name: string;
  readonly description?: string;
  /** Only archiving exists (GuardDuty's NOOP would just be a saved filter). */
  readonly action: 'ARCHIVE';
  /** Field path → condition. */
  readonly criterion: Readonly<Record<string, Condition>>;
}

export interface SuppressionConfig {
  /** Rules applied to every account's findings. */
  readonly central?: readonly SuppressionRule[];
  /** Rules applied only to the findings of that account (12-digit account id → rules). */
  readonly accounts?: Readonly<Record<string, readonly SuppressionRule[]>>;
}

export class SuppressionConfigError extends Error {
  constructor(
    readonly where: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${where}: ${message}`, options);
    this.name = 'SuppressionConfigError';
  }
}

const OPERATOR_ALIASES: Readonly<Record<string, keyof Condition>> = {
  eq: 'eq',
  equals: 'eq',
  neq: 'neq',
  notEquals: 'neq',
  gt: 'gt',
  greaterThan: 'gt',
  gte: 'gte',
  greaterThanOrEqual: 'gte',
  lt: 'lt',
  lessThan: 'lt',
  lte: 'lte',
  lessThanOrEqual: 'lte',
  matches: 'matches',
  notMatches: 'notMatches',
};

type Predicate = (finding: Finding) => boolean;

interface CompiledRule {
  readonly rule: SuppressionRule;
  readonly test: Predicate;
}

/** Compiled suppression rules; `match` returns the first rule that archives the finding. */
export class SuppressionRuleSet {
  private readonly central: readonly CompiledRule[];
  private readonly byAccount: ReadonlyMap<string, readonly CompiledRule[]>;

  constructor(config: SuppressionConfig | readonly SuppressionRule[] = {}) {
    const c: SuppressionConfig = Array.isArray(config) ? { central: config as readonly SuppressionRule[] } : (config as SuppressionConfig);
    this.central = (c.central ?? []).map((r, i) => compileRule(r, `central rule ${i} (${r.name})`));
    this.byAccount = new Map(
      Object.entries(c.accounts ?? {}).map(([account, rules]) => [
        account,
        rules.map((r, i) => compileRule(r, `account ${account} rule ${i} (${r.name})`)),
      ]),
    );
  }

  get size(): number {
    let n = this.central.length;
    for (const rules of this.byAccount.values()) n += rules.length;
    return n;
  }

  /** Whether any rule can archive a finding of this account (central rules apply to every account). */
  appliesTo(accountId: string): boolean {
    return this.central.length > 0 || (this.byAccount.get(accountId)?.length ?? 0) > 0;
  }

  /** The rule that archives `finding`, or undefined. */
  match(finding: Finding): SuppressionRule | undefined {
    for (const r of this.central) if (r.test(finding)) return r.rule;
    const own = this.byAccount.get(finding.accountId);
    if (own) for (const r of own) if (r.test(finding)) return r.rule;
    return undefined;
  }
}

/** Values at a dotted path; arrays anywhere on the path fan out. */
export function valuesAt(root: unknown, path: readonly string[]): unknown[] {
  let current: unknown[] = [root];
  for (const key of path) {
    const next: unknown[] = [];
    for (const v of current) {
      if (v === null || v === undefined) continue;
      if (Array.isArray(v)) {
        for (const el of v) {
          const child = (el as Record<string, unknown> | null)?.[key];
          if (child !== undefined) next.push(child);
        }
      } else if (typeof v === 'object') {
        const child = (v as Record<string, unknown>)[key];
        if (child !== undefined) next.push(child);
      }
    }
    current = next;
  }
  return current.flatMap((v) => (Array.isArray(v) ? v : [v])).filter((v) => v !== undefined && v !== null);
}

/** `*` → any run of characters, `?` → exactly one; everything else literal; anchored. */
export function wildcardToRegExp(pattern: string): RegExp {
  let re = '';
  for (const ch of pattern) {
    if (ch === '*') re += '[\\s\\S]*';
    else if (ch === '?') re += '[\\s\\S]';
    else re += ch.replace(/[.+^${}()|[\]\\/-]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 'u');
}

function asNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string') {
    if (/^-?\d+(\.\d+)?$/.test(v)) return Number(v);
    // ISO timestamps (createdAt, eventLastSeen, …) compare as epoch ms, as GuardDuty's filters do.
    if (/^\d{4}-\d{2}-\d{2}T/.test(v)) {
      const t = Date.parse(v);
      return Number.isNaN(t) ? undefined : t;
    }
  }
  return undefined;
}

function equalsValue(fieldValue: unknown, wanted: CriterionValue): boolean {
  if (typeof fieldValue === 'number' || typeof wanted === 'number') {
    const a = asNumber(fieldValue);
    const b = asNumber(wanted);
    return a !== undefined && a === b;
  }
  return String(fieldValue) === wanted;
}

function compileCondition(path: readonly string[], cond: Condition, where: string): Predicate[] {
  const preds: Predicate[] = [];
  if (cond.eq) {
    const wanted = cond.eq;
    preds.push((f) => valuesAt(f, path).some((v) => wanted.some((w) => equalsValue(v, w))));
  }
  if (cond.neq) {
    const unwanted = cond.neq;
    preds.push((f) => !valuesAt(f, path).some((v) => unwanted.some((w) => equalsValue(v, w))));
  }
  const numeric: [keyof Condition, (a: number, b: number) => boolean][] = [
    ['gt', (a, b) => a > b],
    ['gte', (a, b) => a >= b],
    ['lt', (a, b) => a < b],
    ['lte', (a, b) => a <= b],
  ];
  for (const [op, cmp] of numeric) {
    const bound = cond[op];
    if (bound === undefined) continue;
    if (typeof bound !== 'number' || !Number.isFinite(bound)) {
      throw new SuppressionConfigError(where, `${op} needs a number (epoch ms for timestamps), got ${JSON.stringify(bound)}`);
    }
    preds.push((f) =>
      valuesAt(f, path).some((v) => {
        const n = asNumber(v);
        return n !== undefined && cmp(n, bound);
      }),
    );
  }
  if (cond.matches) {
    const res = cond.matches.map(wildcardToRegExp);
    preds.push((f) => valuesAt(f, path).some((v) => res.some((re) => re.test(String(v)))));
  }
  if (cond.notMatches) {
    const res = cond.notMatches.map(wildcardToRegExp);
    preds.push((f) => !valuesAt(f, path).some((v) => res.some((re) => re.test(String(v)))));
  }
  if (preds.length === 0) throw new SuppressionConfigError(where, 'condition has no operator (eq, neq, gt, gte, lt, lte, matches, notMatches)');
  return preds;
}

function compileRule(rule: SuppressionRule, where: string): CompiledRule {
  const preds: Predicate[] = [];
  const entries = Object.entries(rule.criterion ?? {});
  if (entries.length === 0) throw new SuppressionConfigError(where, 'criterion is empty: a rule without criteria would archive every finding');
  for (const [field, cond] of entries) {
    if (field.length === 0 || field.split('.').some((p) => p.length === 0)) {
      throw new SuppressionConfigError(where, `field path ${JSON.stringify(field)} is not a dotted path such as resource.instanceDetails.instanceId`);
    }
    preds.push(...compileCondition(field.split('.'), cond, `${where} field ${field}`));
  }
  return { rule, test: (f) => preds.every((p) => p(f)) };
}

function normaliseCondition(raw: unknown, where: string): Condition {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new SuppressionConfigError(where, 'condition must be an object such as {"eq": ["value"]}');
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) {
    const op = OPERATOR_ALIASES[k];
    if (!op) throw new SuppressionConfigError(where, `unknown operator ${JSON.stringify(k)} (use ${Object.keys(OPERATOR_ALIASES).join(', ')})`);
    if (op === 'eq' || op === 'neq' || op === 'matches' || op === 'notMatches') {
      const list = Array.isArray(v) ? v : [v];
      for (const item of list) {
        if (typeof item !== 'string' && typeof item !== 'number') {
          throw new SuppressionConfigError(where, `${k} values must be strings or numbers, got ${JSON.stringify(item)}`);
        }
        if ((op === 'matches' || op === 'notMatches') && typeof item !== 'string') {
          throw new SuppressionConfigError(where, `${k} patterns must be strings`);
        }
      }
      out[op] = list;
    } else {
      const n = typeof v === 'string' ? Number(v) : v;
      if (typeof n !== 'number' || !Number.isFinite(n)) throw new SuppressionConfigError(where, `${k} needs a number, got ${JSON.stringify(v)}`);
      out[op] = n;
    }
  }
  return out as Condition;
}

function parseRule(raw: unknown, where: string): SuppressionRule {
  if (typeof raw !== 'object' || raw === null) throw new SuppressionConfigError(where, 'rule must be an object');
  const r = raw as Record<string, unknown>;
  if (typeof r.name !== 'string' || r.name.length === 0) throw new SuppressionConfigError(where, 'rule needs a non-empty "name"');
  const w = `${where} (${r.name})`;
  const action = r.action === undefined ? 'ARCHIVE' : String(r.action).toUpperCase();
  if (action !== 'ARCHIVE') throw new SuppressionConfigError(w, `action must be "ARCHIVE", got ${JSON.stringify(r.action)}`);
  // GuardDuty's API shape is findingCriteria.criterion; a bare "criterion" or "criteria" is accepted too.
  const fc = r.findingCriteria as Record<string, unknown> | undefined;
  const criterionRaw = fc?.criterion ?? fc?.Criterion ?? r.criterion ?? r.criteria;
  if (typeof criterionRaw !== 'object' || criterionRaw === null) {
    throw new SuppressionConfigError(w, 'rule needs "findingCriteria": {"criterion": {field: condition}}');
  }
  const criterion: Record<string, Condition> = {};
  for (const [field, cond] of Object.entries(criterionRaw)) criterion[field] = normaliseCondition(cond, `${w} field ${field}`);
  const rule: SuppressionRule = {
    name: r.name,
    action: 'ARCHIVE',
    criterion,
    ...(typeof r.description === 'string' ? { description: r.description } : {}),
  };
  compileRule(rule, w); // validate now so errors point at the config, not at the first finding
  return rule;
}

/**
 * Parses suppression config JSON: either an array of rules (central), or
 * `{"rules": [...], "accounts": {"111122223333": [...]}}` (`central` is accepted for `rules`).
 * `source` names the file in errors.
 */
export function parseSuppressionConfig(json: unknown, source: string): SuppressionConfig {
  if (Array.isArray(json)) return { central: json.map((r, i) => parseRule(r, `${source}: rule ${i}`)) };
  if (typeof json !== 'object' || json === null) {
    throw new SuppressionConfigError(source, 'expected an array of rules or {"rules": [...], "accounts": {...}}');
  }
  const o = json as Record<string, unknown>;
  const central = o.rules ?? o.central ?? [];
  if (!Array.isArray(central)) throw new SuppressionConfigError(source, '"rules" must be an array');
  const accounts: Record<string, SuppressionRule[]> = {};
  if (o.accounts !== undefined) {
    if (typeof o.accounts !== 'object' || o.accounts === null) throw new SuppressionConfigError(source, '"accounts" must be an object');
    for (const [account, rules] of Object.entries(o.accounts)) {
      if (!/^\d{12}$/.test(account)) throw new SuppressionConfigError(source, `account key ${JSON.stringify(account)} is not a 12-digit account id`);
      if (!Array.isArray(rules)) throw new SuppressionConfigError(source, `accounts.${account} must be an array of rules`);
      accounts[account] = rules.map((r, i) => parseRule(r, `${source}: accounts.${account} rule ${i}`));
    }
  }
  return { central: central.map((r, i) => parseRule(r, `${source}: rule ${i}`)), accounts };
}
