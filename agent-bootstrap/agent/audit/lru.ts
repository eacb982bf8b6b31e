/** A Map with a size cap that forgets the least recently used entry (get() and set() both count as use). */
export class LruMap<K, V> {
  private readonly map = new Map<K, V>();
  /**
   * The most recently used key, when known: using it again changes no order, so its delete and re-insert are
   * skipped (the process table asks for the same pid event after event).
   */
  private newest: K | undefined;
  private newestKnown = false;

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.map.size;
  }

  get(key: K): V | undefined {
    const value = this.map.get(key);
    if (value !== undefined && !(this.newestKnown && this.newest === key)) {
      this.map.delete(key);
      this.map.set(key, value);
      this.newest = key;
      this.newestKnown = true;
    }
    return value;
  }

  /** Read without counting as use. */
  peek(key: K): V | undefined {
    return this.map.get(key);
  }

  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    this.newest = key;
    this.newestKnown = true;
    if (this.map.size > this.capacity) {
      const oldest = this.map.keys().next();
      // With capacity 0 the evicted key is the one just set: forget() clears `newest` too.
      if (!oldest.done) this.forget(oldest.value);
    }
  }

  delete(key: K): boolean {
    if (this.newestKnown && this.newest === key) this.forgetNewest();
    return this.map.delete(key);
  }

  private forget(key: K): void {
    if (this.newestKnown && this.newest === key) this.forgetNewest();
    this.map.delete(key);
  }

  private forgetNewest(): void {
    this.newestKnown = false;
    this.newest = undefined;
  }

  values(): IterableIterator<V> {
    return this.map.values();
  }
}
