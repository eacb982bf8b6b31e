/**
 * A Map bounded to `capacity` entries (0 keeps nothing); reading or writing makes an entry most recent.
 * Used by the engine and by the agent's process table, exe-hash cache and /proc caches.
 *
 * Recency is a doubly linked list through the nodes (RecencyList): a read moves two pointers instead of
 * deleting and re-inserting the Map entry (the engine reads its instance and finding caches on every event).
 */
import { RecencyList } from './recency-list';

class LruNode<K, V> {
  older: LruNode<K, V> | undefined = undefined;
  newer: LruNode<K, V> | undefined = undefined;

  constructor(
    readonly key: K,
    public value: V,
  ) {}
}

export class LruMap<K, V> {
  private readonly map = new Map<K, LruNode<K, V>>();
  private readonly order = new RecencyList<LruNode<K, V>>();

  constructor(
    readonly capacity: number,
    private readonly onEvict?: (key: K, value: V) => void,
  ) {
    if (!Number.isInteger(capacity) || capacity < 0) throw new RangeError(`LRU capacity must be an integer >= 0, got ${capacity}`);
  }

  get size(): number {
    return this.map.size;
  }

  get(key: K): V | undefined {
    const node = this.map.get(key);
    if (node === undefined) return undefined;
    this.order.touch(node);
    return node.value;
  }

  /** Reads without refreshing recency. */
  peek(key: K): V | undefined {
    return this.map.get(key)?.value;
  }

  set(key: K, value: V): void {
    const known = this.map.get(key);
    if (known !== undefined) {
      known.value = value;
      this.order.touch(known);
      return;
    }
    const node = new LruNode(key, value);
    this.map.set(key, node);
    this.order.append(node);
    while (this.map.size > this.capacity) {
      const oldest = this.order.oldest;
      if (!oldest) break;
      this.order.unlink(oldest);
      this.map.delete(oldest.key);
      this.onEvict?.(oldest.key, oldest.value);
    }
  }

  delete(key: K): boolean {
    const node = this.map.get(key);
    if (node === undefined) return false;
    this.order.unlink(node);
    return this.map.delete(key);
  }

  /** Values from the least to the most recently used. */
  *values(): IterableIterator<V> {
    for (let node = this.order.oldest; node; node = node.newer) yield node.value;
  }
}
