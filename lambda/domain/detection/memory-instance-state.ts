/**
 * In-memory InstanceState: per-namespace LRU maps with optional expiry, serialisable to JSON so the
 * detector Lambda can keep it in DynamoDB between batches and `picket detect` can keep it in memory.
 *
 * Values must be JSON-serialisable (plain objects, arrays, strings, numbers, booleans, null).
 */
import { ExpiringLru, type StateKey } from './expiring-lru';
import type { InstanceState } from './instance-state';

export interface MemoryInstanceStateOptions {
  /** Most entries kept per namespace; the least recently used go first. @default 2048 */
  readonly maxEntriesPerNamespace?: number;
  /** Most namespaces; creating one more drops the least recently written one (never `picket.*`). @default 128 */
  readonly maxNamespaces?: number;
  /** How long after the first event a fresh instance's baseline is still learning. @default 24 h */
  readonly learningPeriodMs?: number;
}

/** Serialised form (`toJSON`): versioned so stored state from an older build is recognised. */
export interface MemoryInstanceStateJson {
  readonly v: 1;
  readonly instanceId: string;
  /** Event time of the first event seen, epoch ms; absent before any. */
  readonly learningSince?: number;
  readonly learningPeriodMs: number;
  /** namespace → [key, value, expiresAt (epoch ms) or null for "never"]; least recently used first. */
  readonly namespaces: Readonly<Record<string, readonly (readonly [StateKey, unknown, number | null])[]>>;
}

const DEFAULT_MAX_ENTRIES = 2048;
const DEFAULT_MAX_NAMESPACES = 128;
const DEFAULT_LEARNING_MS = 24 * 60 * 60 * 1000;
const BASELINE_PREFIX = 'baseline:';
const RESERVED_PREFIX = 'picket.';

export class MemoryInstanceState implements InstanceState {
  private readonly namespaces = new Map<string, ExpiringLru>();
  /** Counts writes: a namespace's stamp says how recently it was written (namespace eviction order). */
  private writeClock = 0;
  private readonly maxEntries: number;
  private readonly maxNamespaces: number;
  private readonly learningPeriodMs: number;
  private learningSince: number | undefined;
  /** Set whenever anything changes, so persistence can skip unchanged state. */
  dirty = false;

  constructor(
    readonly instanceId: string,
    options: MemoryInstanceStateOptions = {},
  ) {
    this.maxEntries = positiveInt('maxEntriesPerNamespace', options.maxEntriesPerNamespace ?? DEFAULT_MAX_ENTRIES);
    this.maxNamespaces = positiveInt('maxNamespaces', options.maxNamespaces ?? DEFAULT_MAX_NAMESPACES);
    this.learningPeriodMs = options.learningPeriodMs ?? DEFAULT_LEARNING_MS;
    if (!(this.learningPeriodMs >= 0)) {
      throw new RangeError(`learningPeriodMs must be >= 0, got ${String(options.learningPeriodMs)}`);
    }
  }

  remember(namespace: string, key: StateKey, value: unknown, ttlMs: number, now: number): void {
    this.touchLearning(now);
    this.put(namespace, key, value, now + ttlMs);
  }

  recall<T>(namespace: string, key: StateKey, now: number): T | undefined {
    const ns = this.namespaces.get(namespace);
    if (!ns) return undefined;
    const entry = ns.lookup(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= now) {
      ns.remove(entry);
      this.dirty = true;
      return undefined;
    }
    ns.touch(entry);
    return entry.value as T;
  }

  forget(namespace: string, key: StateKey): void {
    const ns = this.namespaces.get(namespace);
    const entry = ns?.lookup(key);
    if (ns && entry) {
      ns.remove(entry);
      this.dirty = true;
    }
  }

  firstSeen(namespace: string, key: string, now: number): boolean {
    this.touchLearning(now);
    const ns = baselineNamespace(namespace);
    if (this.recall(ns, key, now) !== undefined) return false;
    this.put(ns, key, 1, Number.POSITIVE_INFINITY);
    return true;
  }

  isLearning(now: number): boolean {
    this.touchLearning(now);
    return now - (this.learningSince ?? now) < this.learningPeriodMs;
  }

  /** Entries held across all namespaces (for metrics and bound tests). */
  size(): number {
    let total = 0;
    for (const ns of this.namespaces.values()) total += ns.size;
    return total;
  }

  toJSON(): MemoryInstanceStateJson {
    const namespaces: Record<string, (readonly [StateKey, unknown, number | null])[]> = {};
    // Least recently written namespace first, least recently used entry first (what fromJSON replays).
    const byWrite = [...this.namespaces].sort((a, b) => a[1].written - b[1].written);
    for (const [name, ns] of byWrite) {
      const entries: (readonly [StateKey, unknown, number | null])[] = [];
      for (const e of ns.entries()) entries.push([e.key, e.value, Number.isFinite(e.expiresAt) ? e.expiresAt : null]);
      namespaces[name] = entries;
    }
    return {
      v: 1,
      instanceId: this.instanceId,
      ...(this.learningSince !== undefined ? { learningSince: this.learningSince } : {}),
      learningPeriodMs: this.learningPeriodMs,
      namespaces,
    };
  }

  /**
   * Rebuilds state from `toJSON` output. Throws a TypeError naming the field when `json` is not
   * state this class wrote; bounds from `options` apply (a smaller bound drops the oldest entries).
   */
  static fromJSON(json: unknown, options: MemoryInstanceStateOptions = {}): MemoryInstanceState {
    if (typeof json !== 'object' || json === null) throw new TypeError('instance state: expected an object');
    const o = json as Partial<MemoryInstanceStateJson>;
    if (o.v !== 1) throw new TypeError(`instance state: unsupported version ${JSON.stringify(o.v)} (expected 1)`);
    if (typeof o.instanceId !== 'string') throw new TypeError('instance state: instanceId must be a string');
    if (typeof o.namespaces !== 'object' || o.namespaces === null) {
      throw new TypeError('instance state: namespaces must be an object');
    }
    const state = new MemoryInstanceState(o.instanceId, {
      learningPeriodMs: typeof o.learningPeriodMs === 'number' ? o.learningPeriodMs : undefined,
      ...options,
    });
    if (typeof o.learningSince === 'number') state.learningSince = o.learningSince;
    for (const [name, entries] of Object.entries(o.namespaces)) {
      if (!Array.isArray(entries)) throw new TypeError(`instance state: namespace ${JSON.stringify(name)} must be an array`);
      for (const [i, entry] of entries.entries()) {
        if (!Array.isArray(entry) || (typeof entry[0] !== 'string' && typeof entry[0] !== 'number')) {
          throw new TypeError(`instance state: namespace ${JSON.stringify(name)} entry ${i} must be [key, value, expiresAt]`);
        }
        const expiresAt = entry[2] === null ? Number.POSITIVE_INFINITY : Number(entry[2]);
        state.put(name, entry[0], entry[1], expiresAt);
      }
    }
    state.dirty = false;
    return state;
  }

  private put(namespace: string, key: StateKey, value: unknown, expiresAt: number): void {
    let ns = this.namespaces.get(namespace);
    if (!ns) {
      if (this.namespaces.size >= this.maxNamespaces) this.evictNamespace();
      ns = new ExpiringLru(this.maxEntries);
      this.namespaces.set(namespace, ns);
    }
    ns.written = ++this.writeClock;
    ns.put(key, value, expiresAt);
    this.dirty = true;
  }

  /** Drops the least recently written namespace; `picket.*` namespaces (the engine's own) are kept. */
  private evictNamespace(): void {
    let victim: string | undefined;
    let oldest = Number.POSITIVE_INFINITY;
    for (const [name, ns] of this.namespaces) {
      if (ns.written < oldest && !name.startsWith(RESERVED_PREFIX)) {
        victim = name;
        oldest = ns.written;
      }
    }
    if (victim !== undefined) this.namespaces.delete(victim);
  }

  private touchLearning(now: number): void {
    if (this.learningSince === undefined && Number.isFinite(now)) {
      this.learningSince = now;
      this.dirty = true;
    }
  }
}

/** `baseline:<namespace>`, built once per namespace: rules ask on every event with the same few names. */
function baselineNamespace(namespace: string): string {
  let name = baselineNames.get(namespace);
  if (name === undefined) {
    name = BASELINE_PREFIX + namespace;
    // Namespaces are rule constants; the bound only guards against a rule that builds them from data.
    if (baselineNames.size >= 1024) baselineNames.clear();
    baselineNames.set(namespace, name);
  }
  return name;
}
const baselineNames = new Map<string, string>();

function positiveInt(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`${name} must be a positive integer, got ${String(value)}`);
  }
  return value;
}
