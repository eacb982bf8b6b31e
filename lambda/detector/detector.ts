/**
 * The detector's batch logic behind the thin handler: SQS batch in, partial batch response out.
 *
 * 1. Every record goes through the ingest gate. Records that can never be valid (not JSON, forged or
 *    foreign source, broken envelope) are rejected: counted (EventsRejected by Reason), logged, and
 *    reported as processed so SQS deletes them — retrying cannot fix them. Bad single events inside
 *    a good record are rejected alone.
 * 2. Accepted events are grouped by the instance named in `source` (the only part IAM vouches for)
 *    and each instance's group runs through processInstanceBatch (state, engine, publish, commit).
 * 3. Powertools Batch builds the response: records of instances whose processing failed (throttling,
 *    lost races beyond the retries, publish failures) are the batch item failures — only they come
 *    back, and after maxReceiveCount they land in the DLQ (alarmed).
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord, ScheduledEvent } from 'aws-lambda';
import type { RuntimeEvent } from '../domain/events/runtime-event';
import type { InstanceState } from '../domain/detection/instance-state';
import type { IntelSet } from '../domain/detection/intel-set';
import { MemoryInstanceState, type MemoryInstanceStateOptions } from '../domain/detection/memory-instance-state';
import type { DetectionRule } from '../domain/detection/rule';
import { severityLabel } from '../domain/findings/finding';
import { SuppressionRuleSet } from '../domain/findings/suppression';
import { messageOf, nameOf } from './errors';
import { fitFinding } from './fit-finding';
import { FindingsStore } from './findings-store';
import { type GatedRecord, gateRecord } from './gate-record';
import { type InstanceBatchOutcome, processInstanceBatch } from './instance-batch';
import { InstanceDetailsCache } from './instance-details';
import { AccountDomainBaseline, AccountDomainView } from './account-domains';
import { CustomRulesCache } from './custom-rules-cache';
import { IntelCache } from './intel-cache';
import { type DetectorClients, type DetectorLog, type DetectorMetrics, METRIC, type Sleep, realSleep } from './ports';
import { FindingsPublisher } from './publisher';
import { SecurityHubExporter } from './security-hub';
import type { DetectorSettings } from './settings';
import { StateStore } from './state-store';

export interface DetectorOptions {
  readonly settings: DetectorSettings;
  readonly clients: DetectorClients;
  readonly rules: readonly DetectionRule[];
  readonly log: DetectorLog;
  readonly metrics: DetectorMetrics;
  /** @default Date.now */
  readonly now?: () => number;
  /** @default real timers */
  readonly sleep?: Sleep;
  /** Seed list directory; false for none. @default next to the handler, else the repository's intel/ */
  readonly seedDir?: string | false;
  /** Per-instance state bounds. @default MemoryInstanceState defaults (24 h learning) */
  readonly stateOptions?: MemoryInstanceStateOptions;
  /** Attempts per PutEvents entry. @default 6 */
  readonly publishAttempts?: number;
}

/** Why a record was retried, by message id (for logs and tests). */
export class RecordFailedError extends Error {
  override readonly name = 'RecordFailedError';
}

export class Detector {
  private readonly intel: IntelCache;
  private readonly customRules: CustomRulesCache;
  /** Built-in rules followed by the custom rules of the last load (rebuilt only when those change). */
  private rules: { custom: readonly DetectionRule[]; all: readonly DetectionRule[] } | undefined;
  private readonly details: InstanceDetailsCache;
  private readonly stateStore: StateStore;
  private readonly findingsStore: FindingsStore;
  private readonly publisher: FindingsPublisher;
  private readonly securityHub?: SecurityHubExporter;
  private readonly suppression: SuppressionRuleSet;
  /** The environment's account memory for namespaces other than domain rarity. */
  private readonly accountMemory: InstanceState;
  private readonly accountDomains: AccountDomainBaseline;
  private readonly now: () => number;
  private readonly sleep: Sleep;

  constructor(private readonly options: DetectorOptions) {
    const { settings, clients, log } = options;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? realSleep;
    this.intel = new IntelCache({ s3: clients.s3, locations: settings.intelLocations, ttlMs: settings.intelTtlMs, log, ...(options.seedDir !== undefined ? { seedDir: options.seedDir } : {}) });
    this.customRules = new CustomRulesCache({ s3: clients.s3, ttlMs: settings.intelTtlMs, log, metrics: options.metrics, ...(settings.customRulesLocation ? { location: settings.customRulesLocation } : {}) });
    this.details = new InstanceDetailsCache(clients.ec2, log);
    this.stateStore = new StateStore(clients.dynamo, settings.stateTable, options.stateOptions);
    this.findingsStore = new FindingsStore(clients.dynamo, settings.findingsTable);
    this.publisher = new FindingsPublisher(clients.events, settings.findingsBus, { sleep: this.sleep, ...(options.publishAttempts ? { maxAttempts: options.publishAttempts } : {}) });
    if (settings.securityHubExport) {
      if (!clients.securityHub) throw new TypeError('securityHubExport is on but no Security Hub client was given');
      this.securityHub = new SecurityHubExporter(clients.securityHub, log);
    }
    this.suppression = new SuppressionRuleSet(settings.suppression);
    this.accountMemory = new MemoryInstanceState(`account:${settings.accountId}`, options.stateOptions);
    this.accountDomains = new AccountDomainBaseline(clients.dynamo, settings.stateTable, log, this.sleep);
  }

  /**
   * Handles one SQS batch and returns the partial batch response (only retryable failures listed);
   * a scheduled event (the construct's flush rule) publishes pending updates that fell due.
   */
  async handle(event: SQSEvent | ScheduledEvent, context?: Context): Promise<SQSBatchResponse> {
    if (!('Records' in event)) {
      if (event['detail-type'] !== 'Scheduled Event') throw new TypeError(`unexpected event: expected an SQS batch or a Scheduled Event, got detail-type ${JSON.stringify(event['detail-type'])}`);
      await this.flushPending();
      return { batchItemFailures: [] };
    }
    const failures = await this.process(event.Records);
    const processor = new BatchProcessor(EventType.SQS);
    const recordHandler = async (record: SQSRecord) => {
      const failure = failures.get(record.messageId);
      if (failure) throw new RecordFailedError(failure);
    };
    return processPartialResponse(event, recordHandler, processor, { ...(context ? { context } : {}), processInParallel: false });
  }

  /** Gates and processes the records; returns the message ids to retry, with why. */
  async process(records: readonly SQSRecord[]): Promise<Map<string, string>> {
    const { log, metrics } = this.options;
    const nowMs = this.now();
    const failures = new Map<string, string>();
    const groups = new Map<string, Extract<GatedRecord, { ok: true }>[]>();
    for (const record of records) {
      const gated = gateRecord(record, this.options.settings.accountId);
      if (!gated.ok) {
        metrics.count(METRIC.eventsRejected, gated.events, { Reason: gated.rejection.code });
        log.warn('record rejected', { messageId: gated.messageId, reason: gated.rejection.code, detail: gated.rejection.reason, events: gated.events, instanceId: gated.sender?.instanceId });
        continue;
      }
      for (const r of gated.rejected) {
        metrics.count(METRIC.eventsRejected, 1, { Reason: r.code });
        log.warn('event rejected', { messageId: gated.messageId, instanceId: gated.sender.instanceId, index: r.index, reason: r.code, detail: r.reason });
      }
      if (gated.events.length === 0) continue;
      const group = groups.get(gated.sender.instanceId) ?? [];
      group.push(gated);
      groups.set(gated.sender.instanceId, group);
    }
    if (groups.size === 0) return failures;

    let intel: IntelSet;
    let rules: readonly DetectionRule[];
    let knownDomains: Awaited<ReturnType<AccountDomainBaseline['prefetch']>>;
    try {
      intel = await this.intel.get(nowMs);
      rules = this.rulesWith((await this.customRules.get(nowMs)).rules);
      knownDomains = await this.accountDomains.prefetch(AccountDomainBaseline.keysOf(eventsOf(groups)), nowMs);
    } catch (error) {
      // Running without the operator's lists or rules (or the account's domain baseline) would miss
      // what they were deployed to catch: the records come back instead.
      log.error('intel, custom rules or the account domain baseline could not be loaded; retrying the batch', { error: `${nameOf(error)}: ${messageOf(error)}` });
      for (const group of groups.values()) for (const r of group) failures.set(r.messageId, `intel, custom rules or domain baseline unavailable: ${messageOf(error)}`);
      return failures;
    }

    await Promise.all(
      [...groups].map(async ([instanceId, group]) => {
        try {
          const details = await this.details.get(instanceId, nowMs);
          const outcome = await processInstanceBatch(
            {
              rules,
              suppression: this.suppression,
              accountId: this.options.settings.accountId,
              region: this.options.settings.region,
              partition: this.options.settings.partition,
              detectorId: this.options.settings.detectorId,
              updateIntervalMs: this.options.settings.updateIntervalMs,
              ...(this.options.stateOptions ? { stateOptions: this.options.stateOptions } : {}),
              accountStateFor: () => new AccountDomainView(knownDomains, this.accountMemory),
              stateStore: this.stateStore,
              findingsStore: this.findingsStore,
              publisher: this.publisher,
              ...(this.securityHub ? { securityHub: this.securityHub } : {}),
              log,
              sleep: this.sleep,
            },
            { instanceId, records: group, intel, details, nowMs },
          );
          this.report(outcome, group.reduce((n, r) => n + r.events.length, 0));
          if (outcome.accountState instanceof AccountDomainView) {
            if (outcome.accountState.misses > 0) log.warn('domain rarity asked for names outside the prefetched baseline', { instanceId, misses: outcome.accountState.misses });
            await this.accountDomains.record(outcome.accountState.newDomains(), nowMs);
          }
        } catch (error) {
          const why = `${nameOf(error)}: ${messageOf(error)}`;
          log.error('instance batch failed; its records will be retried', { instanceId, records: group.length, error: why });
          for (const r of group) failures.set(r.messageId, why);
        }
      }),
    );
    // Known domains close to expiry that this batch queried again: pushed back once per invocation.
    await this.accountDomains.record(knownDomains.refresh, nowMs);
    return failures;
  }

  private rulesWith(custom: readonly DetectionRule[]): readonly DetectionRule[] {
    if (this.rules?.custom !== custom) this.rules = { custom, all: custom.length === 0 ? this.options.rules : [...this.options.rules, ...custom] };
    return this.rules.all;
  }

  /**
   * Publishes the updates that waited for their interval and saw no later batch of their instance
   * (a quiet instance). Each is marked published only if no batch stored a newer document meanwhile.
   */
  async flushPending(): Promise<number> {
    const { settings, log, metrics } = this.options;
    const nowMs = this.now();
    const due = await this.findingsStore.duePending(nowMs - settings.updateIntervalMs);
    if (due.length === 0) return 0;
    const items = due.map((d) => fitFinding(d.finding));
    await this.publisher.publish(items);
    if (this.securityHub) {
      const failed = await this.securityHub.export(items.map((i) => i.finding));
      if (failed > 0) metrics.count(METRIC.securityHubExportFailures, failed);
    }
    let marked = 0;
    for (const d of due) if (await this.findingsStore.markPublished(d.finding, nowMs)) marked++;
    metrics.count(METRIC.findingsPublished, items.length);
    log.info('pending finding updates published', { published: items.length, marked });
    return items.length;
  }

  private report(outcome: InstanceBatchOutcome, accepted: number): void {
    const { metrics, log } = this.options;
    const s = outcome.stats;
    metrics.count(METRIC.eventsAccepted, accepted);
    metrics.count(METRIC.duplicatesDropped, s.duplicates + s.stale);
    metrics.count(METRIC.ruleErrors, Object.values(s.ruleErrors).reduce((a, b) => a + b, 0));
    metrics.count(METRIC.findingsArchived, outcome.archived);
    metrics.count(METRIC.findingsPublished, outcome.published);
    if (outcome.commitAttempts > 1) metrics.count(METRIC.concurrentUpdateRetries, outcome.commitAttempts - 1);
    if (outcome.securityHubFailures > 0) metrics.count(METRIC.securityHubExportFailures, outcome.securityHubFailures);
    for (const [reason, n] of Object.entries(s.rejected)) if (n > 0) metrics.count(METRIC.eventsRejected, n, { Reason: reason });
    for (const f of outcome.created) {
      metrics.count(METRIC.findings, 1, { Type: f.type, Severity: severityLabel(f.severity) });
      log.info('finding created', { findingId: f.id, instanceId: outcome.instanceId, type: f.type, severity: f.severity });
    }
    log.info('instance batch processed', {
      instanceId: outcome.instanceId,
      events: accepted,
      evaluated: s.eventsEvaluated,
      duplicates: s.duplicates,
      stale: s.stale,
      created: outcome.created.length,
      published: outcome.published,
      stored: outcome.stored,
      commitAttempts: outcome.commitAttempts,
    });
  }
}

function* eventsOf(groups: ReadonlyMap<string, readonly { readonly events: readonly RuntimeEvent[] }[]>): Generator<RuntimeEvent> {
  for (const group of groups.values()) for (const r of group) yield* r.events;
}
