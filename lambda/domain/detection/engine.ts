/**
 * The detection engine: runtime events in, GuardDuty-shaped finding updates out. Pure (no SDK, no
 * clock: time is the event's `ts`), so the detector Lambda, `picket detect` and `picket watch` run
 * the same code and a replay gives the same findings.
 *
 * Per event: reject forged/garbled events → drop redeliveries (per-instance seq window) → run the
 * rules registered for the kind (each isolated: a throwing rule is counted and reported, the rest
 * still run) → aggregate candidates into findings by deterministic id → apply suppression →
 * decide publication (new findings at once, updates at most once per interval of event time).
 */
import type { ActivityEvent, EventKind } from '../events/runtime-event';
import { type FindingTypeInfo, findingTypeInfo } from '../findings/catalogue';
import type { Finding, InstanceDetails } from '../findings/finding';
import { findingArn, findingId } from '../findings/finding-id';
import { type SuppressionConfig, type SuppressionRule, SuppressionRuleSet } from '../findings/suppression';
import { EMPTY_INTEL } from '../intel/intel-index';
import { parseEventTime } from './event-time';
import { buildFinding, clampSeverity } from './finding-builder';
import type { InstanceState } from './instance-state';
import type { IntelSet } from './intel-set';
import { LruMap } from './lru';
import { MemoryInstanceState, type MemoryInstanceStateOptions } from './memory-instance-state';
import type { DetectionRule, FindingCandidate, RuleContext } from './rule';
import { SeqWindow } from './seq-window';

export const DEFAULT_UPDATE_INTERVAL_MS = 5 * 60 * 1000;
export const DEFAULT_MAX_CACHED_FINDINGS = 10_000;
export const DEFAULT_MAX_INSTANCES = 1_000;

export interface DetectionEngineOptions {
  /** Rules to run (e.g. BUILTIN_RULES plus compiled Sigma rules). Rule ids must be unique. */
  readonly rules: readonly DetectionRule[];
  /** Threat, trusted and hash lists. @default an empty IntelSet */
  readonly intel?: IntelSet;
  /** Suppression rules: a compiled set, a config (central + per account) or a list of central rules. @default none */
  readonly suppression?: SuppressionRuleSet | SuppressionConfig | readonly SuppressionRule[];
  /** 12-digit account the findings belong to. */
  readonly accountId: string;
  readonly region: string;
  /** @default 'aws' */
  readonly partition?: string;
  /** Detector id findings cite (`service.detectorId`, part of the ARN). */
  readonly detectorId: string;
  /**
   * Per-instance state provider (the Lambda loads it from DynamoDB before the batch). Called on
   * every event, so it should be a map lookup. @default in-memory MemoryInstanceState per instance, LRU-bounded
   */
  readonly stateFor?: (instanceId: string) => InstanceState;
  /** Options for the default per-instance state (ignored with `stateFor`). */
  readonly stateOptions?: MemoryInstanceStateOptions;
  /** State shared by all instances of the account (domain rarity). @default in-memory */
  readonly accountState?: InstanceState;
  /** EC2 details for `resource.instanceDetails` (tags, ENIs…). @default `{instanceId}` only */
  readonly instanceDetails?: (instanceId: string) => InstanceDetails | undefined;
  /** Least event time between two published updates of one finding, ms. @default 300000 (5 min) */
  readonly updateIntervalMs?: number;
  /** Findings kept in memory for aggregation (least recently updated go first). @default 10000 */
  readonly maxCachedFindings?: number;
  /** Instances whose default state is kept in memory. @default 1000 */
  readonly maxInstances?: number;
  /** Drop redelivered events by per-instance `seq`. @default true */
  readonly dedupe?: boolean;
  /** Called when a rule throws or returns something unusable (the engine carries on). */
  readonly onRuleError?: (error: RuleFailure) => void;
}

export type FindingChange = 'created' | 'updated';

export interface FindingUpdate {
  /** The finding after this change (store it: it is the full current document). */
  readonly finding: Finding;
  readonly change: FindingChange;
  /** Publish on the findings bus now. False for throttled updates (see flushDue) and archived findings. */
  readonly publish: boolean;
  /** Suppressed by a rule: store and count, never publish. */
  readonly archived: boolean;
  /** Name of the suppression rule, when archived. */
  readonly suppressedBy?: string;
}

export interface RuleFailure {
  readonly ruleId: string;
  readonly instanceId: string;
  readonly seq: number;
  readonly kind: EventKind;
  readonly error: unknown;
}

export type RejectReason = 'source-mismatch' | 'bad-timestamp' | 'bad-event';

export interface EngineStats {
  eventsSeen: number;
  eventsEvaluated: number;
  duplicates: number;
  /** Older than the seq window: already processed or too late to tell. */
  stale: number;
  rejected: Record<RejectReason, number>;
  ruleErrors: Record<string, number>;
  findingsCreated: number;
  findingsUpdated: number;
  archived: number;
  published: number;
}

interface CachedFinding {
  /** The document as of the last change the engine handed out (folded repeats are not in it yet). */
  finding: Finding;
  /** Repeats counted since `finding` was built, not yet written into a document (see documentOf). */
  folded: FoldedRepeats | undefined;
  /** `finding.service.eventFirstSeen` / `eventLastSeen` as epoch ms (parsed once, compared on every repeat). */
  firstSeenMs: number;
  lastSeenMs: number;
  /** Event time of the last publication (or creation), ms. */
  lastPublishedAt: number;
  /** An update happened since the last publication. */
  pending: boolean;
  suppressedBy?: string;
}

/** The changing fields of a finding whose throttled repeats are folded (updated in place, one object per fold). */
interface FoldedRepeats {
  count: number;
  severity: number;
  eventFirstSeen: string;
  eventLastSeen: string;
}

/** Reserved namespace (MemoryInstanceState never evicts `picket.*` namespaces). */
const SEQ_NAMESPACE = 'picket.engine';
const SEQ_KEY = 'seq';

export class DetectionEngine {
  readonly stats: EngineStats = {
    eventsSeen: 0,
    eventsEvaluated: 0,
    duplicates: 0,
    stale: 0,
    rejected: { 'source-mismatch': 0, 'bad-timestamp': 0, 'bad-event': 0 },
    ruleErrors: {},
    findingsCreated: 0,
    findingsUpdated: 0,
    archived: 0,
    published: 0,
  };

  private readonly rulesByKind = new Map<EventKind, RuleSlot[]>();
  private intel: IntelSet;
  private readonly suppression: SuppressionRuleSet;
  private readonly partition: string;
  private readonly updateIntervalMs: number;
  private readonly findings: LruMap<string, CachedFinding>;
  private readonly pending = new Set<string>();
  /** Ids with repeats folded since their last returned update (takeFolded hands them out). */
  private readonly folded = new Set<string>();
  /**
   * Folded findings pushed out of the cache (or replaced by restoreFinding): returned by the next
   * process that completes, or by takeFolded; kept here until then, so a throwing call loses none.
   */
  private evictedFolded: FindingUpdate[] = [];
  /** Whether any suppression rule can see this account's findings (if not, throttled repeats fold). */
  private readonly suppressionApplies: boolean;
  private readonly stateFor: (instanceId: string) => InstanceState;
  private readonly accountState: InstanceState;
  private readonly dedupe: boolean;
  private readonly seqWindows = new WeakMap<InstanceState, SeqWindow>();
  /**
   * Finding ids by instance, then type, then aggregation key: a repeat skips the SHA-256. Nested
   * maps rather than one map of joined keys, so a lookup hashes the candidate's aggregation key
   * once and builds no string (bounded, see findingIdFor).
   */
  private readonly ids = new Map<string, Map<string, Map<string, string>>>();
  private idCount = 0;
  /**
   * The context handed to the rules, refilled for each event instead of allocated: a rule may read
   * it during evaluate, never keep it (the next event overwrites it).
   */
  private readonly context: MutableRuleContext;
  /** The event process is evaluating, and the updates it has caused so far (countRepeat adds to them). */
  private readonly current: { event: ActivityEvent | undefined; now: number; updates: FindingUpdate[] | undefined } = {
    event: undefined,
    now: 0,
    updates: undefined,
  };

  constructor(private readonly options: DetectionEngineOptions) {
    if (!/^\d{12}$/.test(options.accountId)) {
      throw new RangeError(`accountId must be a 12-digit AWS account id, got ${JSON.stringify(options.accountId)}`);
    }
    if (!options.region) throw new RangeError('region must be a non-empty region name such as eu-west-1');
    if (!options.detectorId) throw new RangeError('detectorId must be a non-empty string');
    this.updateIntervalMs = options.updateIntervalMs ?? DEFAULT_UPDATE_INTERVAL_MS;
    if (!(this.updateIntervalMs >= 0)) throw new RangeError(`updateIntervalMs must be >= 0, got ${options.updateIntervalMs}`);
    const seen = new Set<string>();
    for (const rule of options.rules) {
      if (seen.has(rule.id)) throw new RangeError(`duplicate rule id ${JSON.stringify(rule.id)}: rule ids must be unique`);
      seen.add(rule.id);
      for (const kind of rule.kinds) {
        const list = this.rulesByKind.get(kind) ?? [];
        list.push(new RuleSlot(rule));
        this.rulesByKind.set(kind, list);
      }
    }
    this.intel = options.intel ?? EMPTY_INTEL;
    const s = options.suppression;
    this.suppression = s instanceof SuppressionRuleSet ? s : new SuppressionRuleSet(s ?? {});
    this.partition = options.partition ?? 'aws';
    this.dedupe = options.dedupe ?? true;
    for (const [name, value] of [['maxCachedFindings', options.maxCachedFindings], ['maxInstances', options.maxInstances]] as const) {
      if (value !== undefined && !(Number.isInteger(value) && value >= 1)) throw new RangeError(`${name} must be a positive integer, got ${value}`);
    }
    this.suppressionApplies = this.suppression.appliesTo(options.accountId);
    this.findings = new LruMap(options.maxCachedFindings ?? DEFAULT_MAX_CACHED_FINDINGS, (id, cached) => this.evicted(id, cached));
    if (options.stateFor) {
      this.stateFor = options.stateFor;
    } else {
      const states = new LruMap<string, InstanceState>(options.maxInstances ?? DEFAULT_MAX_INSTANCES);
      this.stateFor = (instanceId) => {
        const known = states.get(instanceId);
        if (known) return known;
        const created = new MemoryInstanceState(instanceId, options.stateOptions);
        states.set(instanceId, created);
        return created;
      };
    }
    this.accountState = options.accountState ?? new MemoryInstanceState(`account:${options.accountId}`, options.stateOptions);
    this.context = {
      state: this.accountState,
      intel: this.intel,
      now: 0,
      accountState: this.accountState,
      countRepeat: (type, aggregationKey, severity) => this.countRepeat(type, aggregationKey, severity),
    };
  }

  /**
   * Runs the rules on one event and returns the finding changes it caused (often none): created
   * findings, updates to publish now, and suppression changes. A repeat inside the update interval
   * is folded into the cached finding instead (no document per event): takeFolded hands out the
   * current documents to store, flushDue/flushAll the ones to publish.
   * `sourceInstanceId`, when given, is the instance the transport vouches for (the EventBridge
   * `source`); an event describing another instance is rejected and counted, never evaluated.
   */
  process(event: ActivityEvent, sourceInstanceId?: string): readonly FindingUpdate[] {
    this.stats.eventsSeen++;
    if (typeof event !== 'object' || event === null || typeof event.instanceId !== 'string' || typeof event.process !== 'object') {
      this.stats.rejected['bad-event']++;
      return NO_UPDATES;
    }
    if (sourceInstanceId !== undefined && event.instanceId !== sourceInstanceId) {
      this.stats.rejected['source-mismatch']++;
      return NO_UPDATES;
    }
    const now = parseEventTime(event.ts);
    if (Number.isNaN(now)) {
      this.stats.rejected['bad-timestamp']++;
      return NO_UPDATES;
    }
    const state = this.stateFor(event.instanceId);
    if (this.dedupe && isAgentSequenced(event)) {
      const verdict = this.seqWindow(state, now).check(event.seq);
      if (verdict === 'duplicate') {
        this.stats.duplicates++;
        return NO_UPDATES;
      }
      if (verdict === 'stale') {
        this.stats.stale++;
        return NO_UPDATES;
      }
    }
    const rules = this.rulesByKind.get(event.kind);
    if (!rules) return NO_UPDATES;
    this.stats.eventsEvaluated++;
    const ctx = this.context;
    ctx.state = state;
    ctx.intel = this.intel;
    ctx.now = now;
    this.current.event = event;
    this.current.now = now;
    this.current.updates = undefined;
    try {
      for (const slot of rules) {
        const rule = slot.rule;
        let candidates: readonly FindingCandidate[];
        try {
          candidates = slot.evaluate.call(rule, event, ctx);
        } catch (error) {
          this.ruleFailed(rule, event, error);
          continue;
        }
        if (!candidates || candidates.length === 0) continue;
        for (const candidate of candidates) {
          const update = this.apply(rule, candidate, event, now);
          if (update) this.collect(update);
        }
      }
      const updates = this.current.updates;
      if (this.evictedFolded.length === 0) return updates ?? NO_UPDATES;
      // Older changes first: the folded findings this or an earlier call pushed out of the cache.
      const evicted = this.evictedFolded;
      this.evictedFolded = [];
      return updates === undefined ? evicted : evicted.concat(updates);
    } finally {
      // countRepeat answers false outside process (a rule that kept the context past its call).
      this.current.event = undefined;
      this.current.updates = undefined;
    }
  }

  /**
   * Swaps the intel (scheduled refresh of threat lists) without losing aggregation state: findings
   * already raised keep counting; new lookups use the new lists.
   */
  setIntel(intel: IntelSet): void {
    this.intel = intel;
  }

  /** Throttled updates whose interval has passed at `now` (epoch ms), marked publish. */
  flushDue(now: number): FindingUpdate[] {
    const due: FindingUpdate[] = [];
    for (const id of this.pending) {
      const cached = this.findings.peek(id);
      if (!cached) {
        this.pending.delete(id);
        continue;
      }
      if (now - cached.lastPublishedAt >= this.updateIntervalMs) due.push(this.publishPending(id, cached));
    }
    return due;
  }

  /**
   * The current documents of findings whose throttled repeats process folded instead of returning
   * (publish false: flushDue still publishes them when their interval has passed). Call it where
   * findings are stored, at the end of a batch or of a run; until then the counts live only here.
   */
  takeFolded(): FindingUpdate[] {
    const out = this.evictedFolded;
    this.evictedFolded = [];
    for (const id of this.folded) {
      const cached = this.findings.peek(id);
      if (cached) out.push(this.foldedUpdate(cached));
    }
    this.folded.clear();
    return out;
  }

  /** Every throttled update, due or not (end of a CLI run or of a local watch session). */
  flushAll(): FindingUpdate[] {
    const all: FindingUpdate[] = [];
    for (const id of this.pending) {
      const cached = this.findings.peek(id);
      if (cached) all.push(this.publishPending(id, cached));
    }
    this.pending.clear();
    return all;
  }

  /**
   * Seeds the aggregation cache with a stored finding (the Lambda reads the findings table), so a
   * repeat updates it instead of creating it again. `lastPublishedAt` is epoch ms.
   */
  restoreFinding(finding: Finding, lastPublishedAt: number, pending = false): void {
    const suppressedBy = finding.service.archived ? String(finding.service.additionalInfo?.suppressedBy ?? 'stored') : undefined;
    const { firstSeenMs, lastSeenMs } = seenMs(finding);
    // Repeats folded into a finding this replaces are handed out first, not dropped.
    const replaced = this.findings.peek(finding.id);
    if (replaced && this.folded.delete(finding.id)) {
      this.evictedFolded.push(this.foldedUpdate(replaced));
    }
    this.findings.set(finding.id, { finding, folded: undefined, firstSeenMs, lastSeenMs, lastPublishedAt, pending, suppressedBy });
    if (pending) this.pending.add(finding.id);
  }

  /** The cached finding with this id, if still in memory. */
  getFinding(id: string): Finding | undefined {
    const cached = this.findings.peek(id);
    return cached ? this.documentOf(cached) : undefined;
  }

  /** Findings currently in the aggregation cache. */
  cachedFindings(): Finding[] {
    return [...this.findings.values()].map((c) => this.documentOf(c));
  }

  private publishPending(id: string, cached: CachedFinding): FindingUpdate {
    const finding = this.documentOf(cached);
    this.pending.delete(id);
    this.folded.delete(id);
    cached.pending = false;
    cached.lastPublishedAt = Date.parse(finding.updatedAt);
    this.stats.published++;
    return { finding, change: 'updated', publish: true, archived: false };
  }

  /** The cached finding's document with its folded repeats written in (built once per fold, then kept). */
  private documentOf(cached: CachedFinding): Finding {
    const folded = cached.folded;
    if (folded === undefined) return cached.finding;
    cached.finding = withCounters(cached.finding, folded);
    cached.folded = undefined;
    return cached.finding;
  }

  /** A finding's folded repeats as an update to store (not to publish: flushDue does that when due). */
  private foldedUpdate(cached: CachedFinding): FindingUpdate {
    return { finding: this.documentOf(cached), change: 'updated', publish: false, archived: false };
  }

  /** LRU eviction: a finding whose folded repeats were never handed out is handed out later (to store), never dropped. */
  private evicted(id: string, cached: CachedFinding): void {
    this.pending.delete(id);
    if (!this.folded.delete(id)) return;
    this.evictedFolded.push(this.foldedUpdate(cached));
  }

  private seqWindow(state: InstanceState, now: number): SeqWindow {
    // Hot path: the live window is cached per state object; it is also stored in the state (under a
    // reserved namespace the state never evicts) so the state's serialisation persists it.
    const live = this.seqWindows.get(state);
    if (live) return live;
    const stored = state.recall<unknown>(SEQ_NAMESPACE, SEQ_KEY, now);
    const window = stored instanceof SeqWindow ? stored : SeqWindow.fromJSON(stored);
    if (!(stored instanceof SeqWindow)) state.remember(SEQ_NAMESPACE, SEQ_KEY, window, Number.POSITIVE_INFINITY, now);
    this.seqWindows.set(state, window);
    return window;
  }

  private findingIdFor(instanceId: string, type: string, aggregationKey: string): string {
    let byType = this.ids.get(instanceId);
    if (byType === undefined) {
      byType = new Map();
      this.ids.set(instanceId, byType);
    }
    let byKey = byType.get(type);
    if (byKey === undefined) {
      byKey = new Map();
      byType.set(type, byKey);
    }
    let id = byKey.get(aggregationKey);
    if (id === undefined) {
      id = findingId(this.options.accountId, instanceId, type, aggregationKey);
      // Bounded like the findings cache; clearing only costs the hashes again.
      if (this.idCount >= MAX_REMEMBERED_IDS) {
        this.ids.clear();
        this.idCount = 0;
        return id;
      }
      byKey.set(aggregationKey, id);
      this.idCount++;
    }
    return id;
  }

  private ruleFailed(rule: DetectionRule, event: ActivityEvent, error: unknown): void {
    this.stats.ruleErrors[rule.id] = (this.stats.ruleErrors[rule.id] ?? 0) + 1;
    this.options.onRuleError?.({ ruleId: rule.id, instanceId: event.instanceId, seq: event.seq, kind: event.kind, error });
  }

  private apply(rule: DetectionRule, candidate: FindingCandidate, event: ActivityEvent, now: number): FindingUpdate | undefined {
    const info = typeof candidate?.type === 'string' ? findingTypeInfo(candidate.type) : undefined;
    if (!info || typeof candidate.aggregationKey !== 'string' || typeof candidate.description !== 'string') {
      this.ruleFailed(
        rule,
        event,
        new TypeError(`rule ${rule.id} returned an unusable candidate (unknown type ${JSON.stringify(candidate?.type)} or missing aggregationKey/description)`),
      );
      return undefined;
    }
    const { accountId, region, detectorId } = this.options;
    const id = this.findingIdFor(event.instanceId, info.type, candidate.aggregationKey);
    const cached = this.findings.get(id);
    if (!cached) {
      const details = this.options.instanceDetails?.(event.instanceId) ?? { instanceId: event.instanceId };
      let finding = buildFinding(
        { accountId, region, partition: this.partition, detectorId, id, arn: findingArn(this.partition, region, accountId, detectorId, id) },
        info,
        candidate,
        event,
        rule.id,
        details,
      );
      const suppressedBy = this.suppression.match(finding);
      if (suppressedBy) finding = archive(finding, suppressedBy.name);
      const { firstSeenMs, lastSeenMs } = seenMs(finding);
      this.findings.set(id, { finding, folded: undefined, firstSeenMs, lastSeenMs, lastPublishedAt: now, pending: false, suppressedBy: suppressedBy?.name });
      this.stats.findingsCreated++;
      if (suppressedBy) {
        this.stats.archived++;
        return { finding, change: 'created', publish: false, archived: true, suppressedBy: suppressedBy.name };
      }
      this.stats.published++;
      return { finding, change: 'created', publish: true, archived: false };
    }
    return this.repeat(id, cached, info, candidate.severity, event, now);
  }

  private collect(update: FindingUpdate): void {
    const current = this.current;
    if (current.updates) current.updates.push(update);
    else current.updates = [update];
  }

  /** RuleContext.countRepeat: a repeat of a cached finding, applied without the rule's candidate. */
  private countRepeat(type: string, aggregationKey: string, severity: number | undefined): boolean {
    const event = this.current.event;
    if (event === undefined || typeof type !== 'string' || typeof aggregationKey !== 'string') return false;
    const info = findingTypeInfo(type);
    if (!info) return false;
    const id = this.findingIdFor(event.instanceId, info.type, aggregationKey);
    const cached = this.findings.get(id);
    if (!cached) return false;
    const update = this.repeat(id, cached, info, severity, event, this.current.now);
    if (update) this.collect(update);
    return true;
  }

  /**
   * One more occurrence of a cached finding: count, first/last seen, severity (the highest seen),
   * suppression, publication. A throttled repeat that no suppression rule can see is folded into
   * the cached finding (no document is built, nothing is returned; takeFolded hands it out).
   */
  private repeat(id: string, cached: CachedFinding, info: FindingTypeInfo, candidateSeverity: number | undefined, event: ActivityEvent, now: number): FindingUpdate | undefined {
    const prev = cached.finding;
    const folded = cached.folded;
    const later = now >= cached.lastSeenMs;
    const earlier = now < cached.firstSeenMs;
    const count = (folded ? folded.count : prev.service.count) + 1;
    const severity = Math.max(folded ? folded.severity : prev.severity, clampSeverity(candidateSeverity ?? info.defaultSeverity));
    const lastSeen = later ? event.ts : folded ? folded.eventLastSeen : prev.service.eventLastSeen;
    const firstSeen = earlier ? event.ts : folded ? folded.eventFirstSeen : prev.service.eventFirstSeen;
    if (later) cached.lastSeenMs = now;
    if (earlier) cached.firstSeenMs = now;
    this.stats.findingsUpdated++;
    if (cached.suppressedBy === undefined && !this.suppressionApplies && now - cached.lastPublishedAt < this.updateIntervalMs) {
      if (folded) {
        // Already folded: the id is in `pending` and `folded` (whatever hands a fold out clears `cached.folded`).
        folded.count = count;
        folded.severity = severity;
        folded.eventFirstSeen = firstSeen;
        folded.eventLastSeen = lastSeen;
        return undefined;
      }
      cached.folded = { count, severity, eventFirstSeen: firstSeen, eventLastSeen: lastSeen };
      cached.pending = true;
      this.pending.add(id);
      this.folded.add(id);
      return undefined;
    }
    let finding = withCounters(prev, { count, severity, eventFirstSeen: firstSeen, eventLastSeen: lastSeen });
    cached.folded = undefined;
    this.folded.delete(id);
    // Re-check suppression on every change: a severity change can move a finding into or out of a rule.
    const suppressedBy = this.suppression.match(finding)?.name;
    const wasArchived = cached.suppressedBy !== undefined;
    if (suppressedBy) finding = archive(finding, suppressedBy);
    else if (wasArchived) finding = unarchive(finding);
    cached.finding = finding;
    cached.suppressedBy = suppressedBy;
    if (suppressedBy) {
      this.stats.archived++;
      cached.pending = false;
      this.pending.delete(id);
      return { finding, change: 'updated', publish: false, archived: true, suppressedBy };
    }
    // No longer suppressed: it was never published, so publish now like a new finding.
    if (wasArchived || now - cached.lastPublishedAt >= this.updateIntervalMs) {
      cached.lastPublishedAt = now;
      cached.pending = false;
      this.pending.delete(id);
      this.stats.published++;
      return { finding, change: 'updated', publish: true, archived: false };
    }
    cached.pending = true;
    this.pending.add(id);
    return { finding, change: 'updated', publish: false, archived: false };
  }
}

const MAX_REMEMBERED_IDS = 16_384;

/**
 * A rule as the engine calls it. Rules are object literals of many shapes, so reading `evaluate`
 * off each one is a megamorphic property load on every call; the slots all have one shape, and the
 * function is read from them and called with the rule as `this`.
 */
class RuleSlot {
  readonly evaluate: DetectionRule['evaluate'];
  constructor(readonly rule: DetectionRule) {
    this.evaluate = rule.evaluate;
  }
}

/** What process returns for the (usual) event that changes no finding: one shared, frozen array. */
const NO_UPDATES: readonly FindingUpdate[] = Object.freeze([]);

type MutableRuleContext = { -readonly [K in keyof RuleContext]: RuleContext[K] };

function seenMs(finding: Finding): { firstSeenMs: number; lastSeenMs: number } {
  return { firstSeenMs: parseEventTime(finding.service.eventFirstSeen), lastSeenMs: parseEventTime(finding.service.eventLastSeen) };
}

/** `prev` with a repeat's count, severity and times (and not archived: callers re-archive if a rule still matches). */
function withCounters(prev: Finding, c: FoldedRepeats): Finding {
  return {
    ...prev,
    severity: c.severity,
    updatedAt: c.eventLastSeen,
    service: { ...prev.service, archived: false, count: c.count, eventLastSeen: c.eventLastSeen, eventFirstSeen: c.eventFirstSeen },
  };
}

function unarchive(finding: Finding): Finding {
  const { suppressedBy: _dropped, ...rest } = finding.service.additionalInfo ?? {};
  return { ...finding, service: { ...finding.service, archived: false, additionalInfo: rest } };
}

function archive(finding: Finding, ruleName: string): Finding {
  return {
    ...finding,
    service: {
      ...finding.service,
      archived: true,
      additionalInfo: { ...finding.service.additionalInfo, suppressedBy: ruleName },
    },
  };
}

/**
 * Agent events carry a per-instance sequence; agentless parsers number lines of one log file, so
 * their seq says nothing about redelivery across files and is not deduplicated.
 */
function isAgentSequenced(event: ActivityEvent): boolean {
  return event.sensor !== 'route53-resolver' && event.sensor !== 'vpc-flow-logs' && Number.isFinite(event.seq);
}
