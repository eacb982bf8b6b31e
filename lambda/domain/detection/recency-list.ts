/**
 * The recency order of the LRU maps (LruMap, ExpiringLru): a doubly linked list threaded through their own
 * nodes, so making an entry most recent moves two pointers instead of deleting and re-inserting a Map entry.
 */
export interface RecencyNode<N> {
  /** Towards the least recently used end. */
  older: N | undefined;
  /** Towards the most recently used end. */
  newer: N | undefined;
}

export class RecencyList<N extends RecencyNode<N>> {
  oldest: N | undefined = undefined;
  newest: N | undefined = undefined;

  /** Adds `node` (not in the list) as the most recent. */
  append(node: N): void {
    node.older = this.newest;
    node.newer = undefined;
    if (this.newest) this.newest.newer = node;
    else this.oldest = node;
    this.newest = node;
  }

  /** Takes `node` (in the list) out. */
  unlink(node: N): void {
    if (node.older) node.older.newer = node.newer;
    else this.oldest = node.newer;
    if (node.newer) node.newer.older = node.older;
    else this.newest = node.older;
    node.older = undefined;
    node.newer = undefined;
  }

  /** Makes `node` (in the list) the most recent. */
  touch(node: N): void {
    if (node === this.newest) return;
    this.unlink(node);
    this.append(node);
  }
}
