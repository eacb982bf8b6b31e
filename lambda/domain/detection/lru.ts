/**
 * A Map bounded to `capacity` entries; reading or writing makes an entry most recent.
 *
 * Recency is a doubly linked list through the nodes: a read moves two pointers instead of deleting
 * and re-inserting the Map entry (the engine reads its instance and finding caches on every event).
 */
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
  private oldest: LruNode<K, V> | undefined = undefined;
  private newest: LruNode<K, V> | undefined = undefined;

  constructor(
    readonly capacity: number,
    private readonly onEvict?: (key: K, value: V) => void,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`LRU capacity must be a positive integer, got ${capacity}`);
  }

  get size(): number {
    return this.map.size;
  }

  get(key: K): V | undefined {
    const node = this.map.get(key);
    if (node === undefined) return undefined;
    if (node !== this.newest) {
      this.unlink(node);
      this.append(node);
    }
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
      if (known !== this.newest) {
        this.unlink(known);
        this.append(known);
      }
      return;
    }
    const node = new LruNode(key, value);
    this.map.set(key, node);
    this.append(node);
    while (this.map.size > this.capacity) {
      const oldest = this.oldest;
      if (!oldest) break;
      this.unlink(oldest);
      this.map.delete(oldest.key);
      this.onEvict?.(oldest.key, oldest.value);
    }
  }

  delete(key: K): boolean {
    const node = this.map.get(key);
    if (node === undefined) return false;
    this.unlink(node);
    return this.map.delete(key);
  }

  /** Values from the least to the most recently used. */
  *values(): IterableIterator<V> {
    for (let node = this.oldest; node; node = node.newer) yield node.value;
  }

  private append(node: LruNode<K, V>): void {
    node.older = this.newest;
    node.newer = undefined;
    if (this.newest) this.newest.newer = node;
    else this.oldest = node;
    this.newest = node;
  }

  private unlink(node: LruNode<K, V>): void {
    if (node.older) node.older.newer = node.newer;
    else this.oldest = node.newer;
    if (node.newer) node.newer.older = node.older;
    else this.newest = node.older;
    node.older = undefined;
    node.newer = undefined;
  }
}
