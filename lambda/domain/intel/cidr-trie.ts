/**
 * Binary (bit-per-level) trie of CIDR prefixes. A lookup walks at most 32 (IPv4) or 128 (IPv6)
 * nodes whatever the number of prefixes, which is the "cost independent of list size" the detector
 * promises. The most specific (longest) matching prefix wins.
 *
 * Nodes live in one growable Int32Array (two child slots per node) so a million prefixes cost a
 * few tens of MB, not millions of objects.
 */

export class CidrTrie<V> {
  private children = new Int32Array(2 * 1024);
  private values: (V | undefined)[] = [undefined];
  private nodeCount = 1;
  private prefixes = 0;

  /** Number of distinct prefixes stored. */
  get size(): number {
    return this.prefixes;
  }

  /** Stores `value` for `words`/`prefix`; keeps the first value when the same prefix is inserted twice. */
  insert(words: Uint16Array, prefix: number, value: V): void {
    let node = 0;
    for (let bit = 0; bit < prefix; bit++) {
      const b = (words[bit >> 4] >>> (15 - (bit & 15))) & 1;
      const slot = node * 2 + b;
      let next = this.children[slot];
      if (next === 0) {
        next = this.allocate();
        this.children[slot] = next;
      }
      node = next;
    }
    if (this.values[node] === undefined) {
      this.values[node] = value;
      this.prefixes++;
    }
  }

  /** The value of the longest stored prefix containing the address, if any. */
  lookup(words: Uint16Array, bits: number): V | undefined {
    let node = 0;
    let best = this.values[0];
    for (let bit = 0; bit < bits; bit++) {
      const b = (words[bit >> 4] >>> (15 - (bit & 15))) & 1;
      node = this.children[node * 2 + b];
      if (node === 0) break;
      const v = this.values[node];
      if (v !== undefined) best = v;
    }
    return best;
  }

  private allocate(): number {
    const id = this.nodeCount++;
    if (id * 2 + 1 >= this.children.length) {
      const grown = new Int32Array(this.children.length * 2);
      grown.set(this.children);
      this.children = grown;
    }
    this.values.push(undefined);
    return id;
  }
}
