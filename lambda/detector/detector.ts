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
  private readonly details: InstanceDetailsCache;
  private readonly stateStore: StateStore;
  private readonly findingsStore: FindingsStore;
  private readonly publisher: FindingsPublisher;
  private readonly securityHub?: SecurityHubExporter;
  private readonly suppression: SuppressionRuleSet;
  private readonly accountState: InstanceState;
  private readonly now: () => number;
  private readonly sleep: Sleep;

  constructor(private readonly options: DetectorOptions) {
    const { settings, clients, log } = options;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? realSleep;
    this.intel = new IntelCache({ s3: clients.s3, locations: settings.intelLocations, ttlMs: settings.intelTtlMs, log, ...(options.seedDir !== undefined ? { seedDir: options.seedDir } : {}) });
    this.details = new InstanceDetailsCache(clients.ec2, log);
    this.stateStore = new StateStore(clients.dynamo, settings.stateTable, options.stateOptions);
    this.findingsStore = new FindingsStore(clients.dynamo, settings.findingsTable);
    this.publisher = new FindingsPublisher(clients.events, settings.findingsBus, { sleep: this.sleep, ...(options.publishAttempts ? { maxAttempts: options.publishAttempts } : {}) });
    if (settings.securityHubExport) {
      if (!clients.securityHub) throw new TypeError('securityHubExport is on but no Security Hub client was given');
      this.securityHub = new SecurityHubExporter(clients.securityHub, log);
    }
    this.suppression = new SuppressionRuleSet(settings.suppression);
    this.accountState = new MemoryInstanceState(`account:${settings.accountId}`, options.stateOptions);
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
    try {
      intel = await this.intel.get(nowMs);
    } catch (error) {
      log.error('intel could not be loaded; retrying the batch', { error: `${nameOf(error)}: ${messageOf(error)}` });
      for (const group of groups.values()) for (const r of group) failures.set(r.messageId, `intel unavailable: ${messageOf(error)}`);
      return failures;
    }

    await Promise.all(
      [...groups].map(async ([instanceId, group]) => {
        try {
          const details = await this.details.get(instanceId, nowMs);
          const outcome = await processInstanceBatch(
            {
              rules: this.options.rules,
              suppression: this.suppression,
              accountId: this.options.settings.accountId,
              region: this.options.settings.region,
              partition: this.options.settings.partition,
              detectorId: this.options.settings.detectorId,
              updateIntervalMs: this.options.settings.updateIntervalMs,
              ...(this.options.stateOptions ? { stateOptions: this.options.stateOptions } : {}),
              accountState: this.accountState,
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
        } catch (error) {
          const why = `${nameOf(error)}: ${messageOf(error)}`;
          log.error('instance batch failed; its records will be retried', { instanceId, records: group.length, error: why });
          for (const r of group) failures.set(r.messageId, why);
        }
      }),
    );
    return failures;
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
