import type { StateKey } from './expiring-lru';

export type { StateKey };

/**
 * Per-instance memory the rules share: baselines ("seen before?"), recent activity windows
 * (downloads, writes, listeners) for sequences. Implementations must be bounded in memory and
 * serialisable (the detector Lambda keeps it in DynamoDB between batches).
 *
 * Keys are strings or, for pids, numbers (a number and its decimal string are the same key).
 */
export interface InstanceState {
  readonly instanceId: string;
  /** Remember `value` under (namespace, key) for `ttlMs` from `now`; each namespace is bounded (least recently used go first). */
  remember(namespace: string, key: StateKey, value: unknown, ttlMs: number, now: number): void;
  /** The value remembered under (namespace, key), unless expired at `now`. */
  recall<T>(namespace: string, key: StateKey, now: number): T | undefined;
  /** Forget (namespace, key). */
  forget(namespace: string, key: StateKey): void;
  /**
   * Baseline membership: returns true the first time (namespace, key) is seen on this instance, and
   * records it. Baselines do not expire with time, only by the namespace bound.
   */
  firstSeen(namespace: string, key: string, now: number): boolean;
  /** True while the instance's baseline is still learning (rules for New* types stay silent then). */
  isLearning(now: number): boolean;
}

/** The in-memory, serialisable implementation (re-exported here so callers find it beside the contract). */
export { MemoryInstanceState } from './memory-instance-state';
export type { MemoryInstanceStateJson, MemoryInstanceStateOptions } from './memory-instance-state';
