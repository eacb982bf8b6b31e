/**
 * Account-wide domain rarity for the DNS reputation model ("has this account queried this registrable
 * domain before?"), shared by every execution environment through the state table instead of being
 * each warm environment's own guess.
 *
 * Items in the state table, beside the per-instance state items: key `instanceId` =
 * `domain#<registrable domain>` (never an instance id), `firstSeenAt` (ISO), `expiresAt` (TTL). A
 * domain not queried for ACCOUNT_DOMAIN_TTL_SECONDS becomes rare again; one queried again in its last
 * REFRESH_WITHIN_SECONDS gets its TTL pushed back.
 *
 * Per SQS batch: `prefetch` reads (BatchGetItem) every candidate key of the batch's DNS names; each
 * instance's engine gets its own `AccountDomainView` over that snapshot, so a retried instance batch
 * recomputes against the same baseline; only after that instance's commit are its new domains written
 * (`record`). Two instances querying the same new domain at the same moment may both call it rare: each
 * really was the first for what the account knew when it asked.
 */
import { BatchGetCommand, BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { InstanceState, StateKey } from '../domain/detection/instance-state';
import { SEEN_DOMAINS_NAMESPACE } from '../domain/detection/rules/intel/domain-reputation';
import { normaliseDomain } from '../domain/intel/domain';
import type { ActivityEvent, RuntimeEvent } from '../domain/events/runtime-event';
import { type DetectorLog, type Sleep, backoffMs } from './ports';
import { STATE_TTL_ATTRIBUTE } from './table-schema';

export const ACCOUNT_DOMAIN_KEY_PREFIX = 'domain#';
export const ACCOUNT_DOMAIN_TTL_SECONDS = 90 * 24 * 60 * 60;
export const REFRESH_WITHIN_SECONDS = 30 * 24 * 60 * 60;
/** Known domains remembered per execution environment (saves reads of the fleet's everyday names). */
export const KNOWN_CACHE_SIZE = 50_000;
/** A name's registrable domain is one of its last few suffixes; deeper ones are never registrable. */
const MAX_SUFFIX_LABELS = 6;
const BATCH_GET_KEYS = 100;
const BATCH_WRITE_ITEMS = 25;
const MAX_ATTEMPTS = 6;

/**
 * Every key the reputation rule may ask about for `query`: its suffixes of 2..6 labels. The rule's
 * registrable domain (public-suffix and dynamic-DNS aware) is always one of them, so this needs no
 * copy of the rule's logic.
 */
export function candidateDomainKeys(query: string): string[] {
  const name = normaliseDomain(query);
  if (!name) return [];
  const labels = name.split('.');
  const keys: string[] = [];
  for (let n = 2; n <= Math.min(labels.length, MAX_SUFFIX_LABELS); n++) keys.push(labels.slice(-n).join('.'));
  return keys;
}

/** The domains seen before, as one invocation read them. */
export interface KnownDomains {
  has(domain: string): boolean;
  /** Keys that were looked up (a key outside them is a miss the view answers from memory). */
  readonly looked: ReadonlySet<string>;
}

/**
 * The account state one instance batch sees: the domain namespace answers from the prefetched
 * baseline plus what this batch added; every other namespace goes to the environment's memory.
 */
export class AccountDomainView implements InstanceState {
  private readonly added = new Set<string>();
  /** Keys asked for that were not prefetched (should stay 0: counted for the logs). */
  misses = 0;

  constructor(
    private readonly known: KnownDomains,
    private readonly memory: InstanceState,
  ) {}

  get instanceId(): string {
    return this.memory.instanceId;
  }

  /** Domains first seen by this batch, to record once the batch is committed. */
  newDomains(): string[] {
    return [...this.added];
  }

  firstSeen(namespace: string, key: string, now: number): boolean {
    if (namespace !== SEEN_DOMAINS_NAMESPACE) return this.memory.firstSeen(namespace, key, now);
    if (!this.known.looked.has(key)) {
      // Not prefetched (cannot happen for names the batch carries): answer from memory, as before.
      this.misses++;
      return this.memory.firstSeen(namespace, key, now);
    }
    if (this.known.has(key) || this.added.has(key)) return false;
    this.added.add(key);
    return true;
  }

  remember(namespace: string, key: StateKey, value: unknown, ttlMs: number, now: number): void {
    this.memory.remember(namespace, key, value, ttlMs, now);
  }

  recall<T>(namespace: string, key: StateKey, now: number): T | undefined {
    return this.memory.recall<T>(namespace, key, now);
  }

  forget(namespace: string, key: StateKey): void {
    this.memory.forget(namespace, key);
  }

  isLearning(now: number): boolean {
    return this.memory.isLearning(now);
  }
}

export class AccountDomainBaseline {
  /** domain → expiry (epoch s) of the stored item, for domains known to be stored. */
  private readonly knownCache = new Map<string, number>();

  constructor(
    private readonly dynamo: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly log: DetectorLog,
    private readonly sleep: Sleep,
  ) {}

  /** The candidate keys of every DNS query among `events`. */
  static keysOf(events: Iterable<RuntimeEvent>): Set<string> {
    const keys = new Set<string>();
    for (const e of events) {
      if (e.kind !== 'dns_query') continue;
      const query = (e as Extract<ActivityEvent, { kind: 'dns_query' }>).dns?.query;
      if (typeof query === 'string') for (const k of candidateDomainKeys(query)) keys.add(k);
    }
    return keys;
  }

  /** Reads which of `keys` the account has seen (cache first, then consistent BatchGetItem). */
  async prefetch(keys: ReadonlySet<string>, nowMs: number): Promise<KnownDomains & { refresh: string[] }> {
    const nowS = Math.floor(nowMs / 1000);
    const known = new Set<string>();
    const refresh: string[] = [];
    const toRead: string[] = [];
    for (const k of keys) {
      const exp = this.knownCache.get(k);
      if (exp !== undefined && exp > nowS) {
        known.add(k);
        if (exp - nowS < REFRESH_WITHIN_SECONDS) refresh.push(k);
      } else toRead.push(k);
    }
    for (let i = 0; i < toRead.length; i += BATCH_GET_KEYS) {
      let pending: Record<string, unknown>[] = toRead.slice(i, i + BATCH_GET_KEYS).map((d) => ({ instanceId: ACCOUNT_DOMAIN_KEY_PREFIX + d }));
      for (let attempt = 1; pending.length > 0; attempt++) {
        if (attempt > MAX_ATTEMPTS) throw new Error(`account domain baseline: ${pending.length} keys still unprocessed after ${MAX_ATTEMPTS} BatchGetItem attempts`);
        if (attempt > 1) await this.sleep(backoffMs(attempt - 1, 50, 2000));
        const out = await this.dynamo.send(new BatchGetCommand({ RequestItems: { [this.table]: { Keys: pending, ConsistentRead: true, ProjectionExpression: 'instanceId, #exp', ExpressionAttributeNames: { '#exp': STATE_TTL_ATTRIBUTE } } } }));
        for (const item of out.Responses?.[this.table] ?? []) {
          const domain = String(item['instanceId']).slice(ACCOUNT_DOMAIN_KEY_PREFIX.length);
          const exp = Number(item[STATE_TTL_ATTRIBUTE]);
          // TTL deletion lags: an expired item still read back is treated as gone.
          if (!Number.isFinite(exp) || exp <= nowS) continue;
          known.add(domain);
          this.remember(domain, exp);
          if (exp - nowS < REFRESH_WITHIN_SECONDS) refresh.push(domain);
        }
        pending = (out.UnprocessedKeys?.[this.table]?.Keys as Record<string, unknown>[] | undefined) ?? [];
      }
    }
    return { has: (d) => known.has(d), looked: keys, refresh };
  }

  /**
   * Stores `domains` as seen (new ones, and known ones near expiry). Best effort: a failure is logged
   * and leaves those names rare for a later batch, which can at worst score them once more.
   */
  async record(domains: readonly string[], nowMs: number): Promise<number> {
    if (domains.length === 0) return 0;
    const nowS = Math.floor(nowMs / 1000);
    const expiresAt = nowS + ACCOUNT_DOMAIN_TTL_SECONDS;
    const firstSeenAt = new Date(nowMs).toISOString();
    let written = 0;
    try {
      for (let i = 0; i < domains.length; i += BATCH_WRITE_ITEMS) {
        const chunk = domains.slice(i, i + BATCH_WRITE_ITEMS);
        let pending: Record<string, unknown>[] = chunk.map((d) => ({ PutRequest: { Item: { instanceId: ACCOUNT_DOMAIN_KEY_PREFIX + d, firstSeenAt, [STATE_TTL_ATTRIBUTE]: expiresAt } } }));
        for (let attempt = 1; pending.length > 0; attempt++) {
          if (attempt > MAX_ATTEMPTS) throw new Error(`${pending.length} items still unprocessed after ${MAX_ATTEMPTS} BatchWriteItem attempts`);
          if (attempt > 1) await this.sleep(backoffMs(attempt - 1, 50, 2000));
          const out = await this.dynamo.send(new BatchWriteCommand({ RequestItems: { [this.table]: pending as never } }));
          pending = (out.UnprocessedItems?.[this.table] as Record<string, unknown>[] | undefined) ?? [];
        }
        for (const d of chunk) this.remember(d, expiresAt);
        written += chunk.length;
      }
    } catch (error) {
      this.log.warn('account domain baseline not updated; these domains stay rare for now', { domains: domains.length, written, error: (error as Error).message });
    }
    return written;
  }

  private remember(domain: string, expiresAt: number): void {
    if (!this.knownCache.has(domain) && this.knownCache.size >= KNOWN_CACHE_SIZE) {
      const oldest = this.knownCache.keys().next().value;
      if (oldest !== undefined) this.knownCache.delete(oldest);
    }
    this.knownCache.set(domain, expiresAt);
  }
}
