/**
 * One instance's share of an SQS batch, end to end: load its state and stored findings, run the
 * engine over its events (records in seq order), publish, export, and commit state + findings in one
 * transaction. A lost commit race recomputes everything from the state the winner wrote, so counts
 * are never applied twice. Publication happens before the commit: a crash or failure in between
 * brings the records back and the findings are published again (at-least-once; consumers key on
 * finding id + updatedAt), whereas committing first could lose a publication for good.
 */
import { DetectionEngine, type EngineStats, type FindingUpdate } from '../domain/detection/engine';
import type { InstanceState } from '../domain/detection/instance-state';
import type { IntelSet } from '../domain/detection/intel-set';
import type { MemoryInstanceStateOptions } from '../domain/detection/memory-instance-state';
import type { DetectionRule } from '../domain/detection/rule';
import type { ActivityEvent, RuntimeEvent } from '../domain/events/runtime-event';
import type { Finding, InstanceDetails } from '../domain/findings/finding';
import type { SuppressionRuleSet } from '../domain/findings/suppression';
import { ConcurrentUpdateError } from './errors';
import { fitFinding } from './fit-finding';
import type { FindingItem, FindingsStore } from './findings-store';
import type { FindingsPublisher, PublishItem } from './publisher';
import { type DetectorLog, type Sleep, backoffMs } from './ports';
import type { SecurityHubExporter } from './security-hub';
import type { StateStore } from './state-store';

export const MAX_COMMIT_ATTEMPTS = 5;

export interface InstanceBatchDeps {
  readonly rules: readonly DetectionRule[];
  readonly suppression: SuppressionRuleSet;
  readonly accountId: string;
  readonly region: string;
  readonly partition: string;
  readonly detectorId: string;
  readonly updateIntervalMs: number;
  readonly stateOptions?: MemoryInstanceStateOptions;
  /**
   * State shared by all instances of the account (domain rarity), made fresh for every attempt so a
   * retried batch recomputes against the same account baseline (see account-domains.ts).
   */
  readonly accountStateFor: () => InstanceState;
  readonly stateStore: StateStore;
  readonly findingsStore: FindingsStore;
  readonly publisher: FindingsPublisher;
  readonly securityHub?: SecurityHubExporter;
  readonly log: DetectorLog;
  readonly sleep: Sleep;
}

export interface InstanceBatchInput {
  readonly instanceId: string;
  /** The instance's records, each with its events (any order: sorted by firstSeq here). */
  readonly records: readonly { readonly firstSeq: number; readonly events: readonly RuntimeEvent[] }[];
  readonly intel: IntelSet;
  readonly details: InstanceDetails;
  /** Wall clock, epoch ms (stamps the state item and its TTL). */
  readonly nowMs: number;
}

export interface InstanceBatchOutcome {
  readonly instanceId: string;
  readonly stats: EngineStats;
  /** Findings created in this batch (not archived). */
  readonly created: readonly Finding[];
  readonly published: number;
  readonly archived: number;
  readonly stored: number;
  readonly commitAttempts: number;
  readonly securityHubFailures: number;
  /** The account state the committed attempt used (what it learnt is recorded after the commit). */
  readonly accountState?: InstanceState;
}

interface Collapsed {
  /** Final document per finding id, with bookkeeping. */
  readonly items: FindingItem[];
  /** Snapshots to publish (the latest published one per id). */
  readonly publish: PublishItem[];
  readonly created: Finding[];
  readonly archived: number;
}

/** Many updates of one finding in a batch → one stored document and at most one publication. */
function collapse(updates: readonly FindingUpdate[], table: string, lastPublishedBefore: ReadonlyMap<string, number>): Collapsed {
  const last = new Map<string, FindingUpdate>();
  const published = new Map<string, FindingUpdate>();
  const created: Finding[] = [];
  let archived = 0;
  for (const u of updates) {
    last.set(u.finding.id, u);
    if (u.publish) published.set(u.finding.id, u);
    if (u.change === 'created' && !u.archived) created.push(u.finding);
    if (u.archived) archived++;
  }
  const publish: PublishItem[] = [];
  const publishedJson = new Map<string, string>();
  for (const [id, u] of published) {
    const fitted = fitFinding(u.finding);
    publish.push(fitted);
    publishedJson.set(id, fitted.json);
  }
  const items: FindingItem[] = [];
  for (const [id, u] of last) {
    const fitted = fitFinding(u.finding);
    const pub = published.get(id);
    items.push({
      finding: fitted.finding,
      json: fitted.json,
      bytes: Buffer.byteLength(fitted.json, 'utf8'),
      lastPublishedAt: pub ? Date.parse(pub.finding.updatedAt) : (lastPublishedBefore.get(id) ?? Date.parse(u.finding.createdAt)),
      publishPending: !u.publish && !u.archived,
      table,
    });
  }
  return { items, publish, created, archived };
}

export async function processInstanceBatch(deps: InstanceBatchDeps, input: InstanceBatchInput): Promise<InstanceBatchOutcome> {
  const records = [...input.records].sort((a, b) => a.firstSeq - b.firstSeq);
  let knownIds: string[] = [];
  for (let attempt = 1; ; attempt++) {
    const loaded = await deps.stateStore.load(input.instanceId);
    const stored = await deps.findingsStore.loadForInstance(input.instanceId, knownIds);
    const accountState = deps.accountStateFor();
    const engine = new DetectionEngine({
      rules: deps.rules,
      intel: input.intel,
      suppression: deps.suppression,
      accountId: deps.accountId,
      region: deps.region,
      partition: deps.partition,
      detectorId: deps.detectorId,
      updateIntervalMs: deps.updateIntervalMs,
      stateFor: () => loaded.state,
      accountState,
      instanceDetails: () => input.details,
      onRuleError: (failure) =>
        deps.log.error('detection rule failed', { ruleId: failure.ruleId, instanceId: failure.instanceId, seq: failure.seq, kind: failure.kind, error: (failure.error as Error)?.message ?? String(failure.error) }),
    });
    const lastPublishedBefore = new Map<string, number>();
    for (const s of stored) {
      engine.restoreFinding(s.finding, s.lastPublishedAt, s.publishPending);
      lastPublishedBefore.set(s.finding.id, s.lastPublishedAt);
    }
    const updates: FindingUpdate[] = [];
    for (const record of records) {
      for (const event of record.events) {
        if (event.kind === 'heartbeat') continue;
        for (const u of engine.process(event as ActivityEvent, input.instanceId)) updates.push(u);
      }
    }
    // Throttled updates fall due in event time, like the engine's own interval check (a spooled,
    // late batch must not publish every update at once).
    for (const u of engine.flushDue(latestEventMs(records) ?? input.nowMs)) updates.push(u);
    // Repeats inside the update interval were folded: their current documents, to store (not publish).
    for (const u of engine.takeFolded()) updates.push(u);
    const outcome = collapse(updates, deps.findingsStore.table, lastPublishedBefore);

    const stats = engine.stats;
    const rejected = Object.values(stats.rejected).reduce((a, b) => a + b, 0);
    if (stats.eventsSeen - stats.duplicates - stats.stale - rejected === 0 && outcome.items.length === 0) {
      // A pure redelivery: nothing new to publish or store.
      return { instanceId: input.instanceId, stats, created: [], published: 0, archived: 0, stored: 0, commitAttempts: 0, securityHubFailures: 0 };
    }
    await deps.publisher.publish(outcome.publish);
    const securityHubFailures = deps.securityHub && outcome.publish.length > 0 ? await deps.securityHub.export(outcome.publish.map((p) => p.finding)) : 0;
    try {
      await deps.stateStore.commit(loaded, outcome.items, input.nowMs);
    } catch (error) {
      if (!(error instanceof ConcurrentUpdateError) || attempt >= MAX_COMMIT_ATTEMPTS) throw error;
      deps.log.warn('state commit lost a race; recomputing from fresh state', { instanceId: input.instanceId, attempt, error: error.message });
      knownIds = outcome.items.map((i) => i.finding.id);
      await deps.sleep(backoffMs(attempt, 50, 1000));
      continue;
    }
    return {
      instanceId: input.instanceId,
      stats: engine.stats,
      created: outcome.created,
      published: outcome.publish.length,
      archived: outcome.archived,
      stored: outcome.items.length,
      commitAttempts: attempt,
      securityHubFailures,
      accountState,
    };
  }
}

function latestEventMs(records: InstanceBatchInput['records']): number | undefined {
  let latest: number | undefined;
  for (const r of records) {
    for (const e of r.events) {
      const t = Date.parse(e.ts);
      if (!Number.isNaN(t) && (latest === undefined || t > latest)) latest = t;
    }
  }
  return latest;
}
