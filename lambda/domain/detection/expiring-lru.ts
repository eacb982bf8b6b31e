/**
 * A string-keyed LRU with a per-entry expiry time: one namespace of MemoryInstanceState.
 *
 * Recency is a doubly linked list threaded through the entries, so reading or rewriting an entry
 * moves two pointers instead of deleting and re-inserting it in the Map (which leaves holes that
 * V8 must compact and rehash; the rules touch state on almost every event). Each entry is one
 * object: updating an existing key allocates nothing.
 */
import { RecencyList } from './recency-list';

/**
 * A state key. Numbers are for pids, the most common keys: the rules pass them as they come in the
 * event, so no number is converted to a string and back on every event. A number key and its
 * decimal string name the same entry (see mapKey).
 */
export type StateKey = string | number;

export class ExpiringEntry {
  /** Towards the least recently used end. */
  older: ExpiringEntry | undefined = undefined;
  /** Towards the most recently used end. */
  newer: ExpiringEntry | undefined = undefined;

  constructor(
    readonly key: StateKey,
    /** `key` as the Map holds it (see mapKey), kept so eviction does not convert it again. */
    readonly mapKey: string | number,
    public value: unknown,
    /** Epoch ms; POSITIVE_INFINITY for "never". */
    public expiresAt: number,
  ) {}
}

/**
 * The Map key for a state key: a canonical decimal integer (pids, the most common keys) becomes a
 * number. A Map compares number keys by value in the hash table itself; a string key that is not
 * the same object means reading the other string too, a cache miss per probe on a large table.
 * Canonical integer strings and numbers correspond one to one, so no two keys collide.
 */
function mapKey(key: StateKey): string | number {
  if (typeof key === 'number') return Number.isInteger(key) && key >= 0 && key <= MAX_NUMBER_KEY ? key : mapKey(String(key));
  const n = key.length;
  if (n === 0 || n > 9) return key;
  const first = key.charCodeAt(0) - 48;
  if (first < 0 || first > 9 || (first === 0 && n > 1)) return key;
  let value = first;
  for (let i = 1; i < n; i++) {
    const d = key.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return key;
    value = value * 10 + d;
  }
  return value;
}

/** Largest number a key keeps as a number: the 9-digit strings mapKey converts. */
const MAX_NUMBER_KEY = 999_999_999;

export class ExpiringLru {
  private readonly map = new Map<string | number, ExpiringEntry>();
  private readonly order = new RecencyList<ExpiringEntry>();
  /** Stamp of the owner's write clock at the last write (the owner evicts whole namespaces by it). */
  written = 0;

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.map.size;
  }

  /** The entry under `key`, expired or not, without changing its recency. */
  lookup(key: StateKey): ExpiringEntry | undefined {
    return this.map.get(mapKey(key));
  }

  /** Makes `entry` the most recently used. */
  touch(entry: ExpiringEntry): void {
    this.order.touch(entry);
  }

  /** Writes `key` as the most recently used entry, then drops the least recently used beyond capacity. */
  put(key: StateKey, value: unknown, expiresAt: number): void {
    const k = mapKey(key);
    const known = this.map.get(k);
    if (known) {
      known.value = value;
      known.expiresAt = expiresAt;
      this.touch(known);
      return;
    }
    const entry = new ExpiringEntry(key, k, value, expiresAt);
    this.map.set(k, entry);
    this.order.append(entry);
    while (this.map.size > this.capacity && this.order.oldest) this.remove(this.order.oldest);
  }

  remove(entry: ExpiringEntry): void {
    const k = entry.mapKey;
    if (this.map.get(k) !== entry) return;
    this.order.unlink(entry);
    this.map.delete(k);
  }

  /** Entries from the least to the most recently used. */
  *entries(): Generator<ExpiringEntry> {
    for (let e = this.order.oldest; e; e = e.newer) yield e;
  }
}
