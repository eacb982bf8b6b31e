/**
 * The agentless detector's core: CloudWatch Logs subscription deliveries (resolver query logs or VPC
 * Flow Logs) → runtime events → the shared DetectionEngine → logs-only findings, merged with agent
 * findings when the findings table is known, published on the findings bus. Clients are injected so
 * tests pass mocks and the benchmark its own.
 */
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CloudWatchLogsEvent } from 'aws-lambda';
import { type AgentHealthLookup, skipHealthyAgentFlows } from '../domain/agentless/agent-health-filter';
import { agentlessRules, detectFromLogs, logSourceOf } from '../domain/agentless/agentless-detect';
import { markLogsOnly } from '../domain/agentless/dedupe';
import { type LogBatchResult, parseLogBatch } from '../domain/agentless/log-batch';
import { decodeSubscriptionData } from '../domain/agentless/subscription';
import { DetectionEngine } from '../domain/detection/engine';
import type { IntelSet } from '../domain/detection/intel-set';
import type { DetectionRule } from '../domain/detection/rule';
import type { Finding } from '../domain/findings/finding';
import { fitFinding } from '../detector/fit-finding';
import type { DetectorLog } from '../detector/ports';
import { FindingsPublisher } from '../detector/publisher';
import { coverageHealthLookup } from './coverage-health';
import { reconcileWithStored } from './reconcile';
import type { AgentlessSettings } from './settings';

export interface AgentlessClients {
  readonly events: EventBridgeClient;
  /** Needed with a findings table or a coverage table. */
  readonly dynamo?: DynamoDBDocumentClient;
}

export interface AgentlessDetectorOptions {
  readonly settings: AgentlessSettings;
  readonly clients: AgentlessClients;
  /** Intel for this delivery (cached by the caller). */
  readonly intel: (nowMs: number) => Promise<IntelSet>;
  /** @default agentlessRules() (BUILTIN_RULES + NETWORK_RULES) */
  readonly rules?: readonly DetectionRule[];
  /** @default the coverage table lookup when settings.skipHealthyInstances */
  readonly isAgentHealthy?: AgentHealthLookup;
  readonly log: DetectorLog;
  readonly now?: () => number;
}

export interface AgentlessOutcome {
  readonly source: LogBatchResult['source'];
  readonly records: number;
  readonly events: number;
  readonly malformed: number;
  readonly skipped: number;
  readonly skippedHealthy: number;
  readonly findings: number;
  readonly published: number;
  readonly mergedIntoAgent: number;
}

export class AgentlessDetector {
  /** One engine per execution environment: aggregation and windows (port scans) span deliveries. */
  readonly engine: DetectionEngine;
  private readonly publisher: FindingsPublisher;
  private readonly isAgentHealthy?: AgentHealthLookup;

  constructor(private readonly options: AgentlessDetectorOptions) {
    const s = options.settings;
    this.engine = new DetectionEngine({
      rules: options.rules ?? agentlessRules(),
      accountId: s.accountId,
      region: s.region,
      partition: s.partition,
      detectorId: s.detectorId,
      updateIntervalMs: s.updateIntervalMs,
      onRuleError: (f) => options.log.error('rule failed', { ruleId: f.ruleId, instanceId: f.instanceId, kind: f.kind, error: String(f.error) }),
    });
    this.publisher = new FindingsPublisher(options.clients.events, s.findingsBus);
    if (options.isAgentHealthy) this.isAgentHealthy = options.isAgentHealthy;
    else if (s.skipHealthyInstances && s.coverageTable && options.clients.dynamo) this.isAgentHealthy = coverageHealthLookup(options.clients.dynamo, s.coverageTable, options.now);
  }

  async handle(event: CloudWatchLogsEvent): Promise<AgentlessOutcome> {
    const { settings, log } = this.options;
    const data = decodeSubscriptionData(event?.awslogs?.data);
    const batch = parseLogBatch(data, { flowLogFields: settings.flowLogFields });
    for (const issue of batch.issues) log.warn('malformed log record skipped', { ...issue, source: batch.source });
    let events = batch.events;
    let skippedHealthy = 0;
    if (this.isAgentHealthy && batch.source === 'vpc-flow-logs') {
      const filtered = await skipHealthyAgentFlows(events, this.isAgentHealthy, (instanceId, error) =>
        log.warn('agent health lookup failed; flow records kept', { instanceId, error: String(error) }),
      );
      events = filtered.kept;
      skippedHealthy = filtered.skipped;
    }
    const nowMs = (this.options.now ?? Date.now)();
    this.engine.setIntel(await this.options.intel(nowMs));
    const due = this.engine.flushDue(latestEventTime(events, nowMs)).map((u) => ({ ...u, finding: markLogsOnly(u.finding, logSourceOf(u.finding)) }));
    const updates = [...detectFromLogs(this.engine, events), ...due];
    let toPublish: Finding[];
    let mergedIntoAgent = 0;
    if (settings.findingsTable && this.options.clients.dynamo) {
      const outcome = await reconcileWithStored(this.options.clients.dynamo, settings.findingsTable, updates.filter((u) => !u.archived || u.change === 'created'));
      toPublish = outcome.publish;
      mergedIntoAgent = outcome.mergedIntoAgent;
      if (outcome.conflicts > 0) log.info('findings changed concurrently; kept the newer stored state', { conflicts: outcome.conflicts });
    } else {
      toPublish = updates.filter((u) => u.publish).map((u) => u.finding);
    }
    await this.publisher.publish(toPublish.map((f) => fitFinding(f)));
    const outcome: AgentlessOutcome = {
      source: batch.source,
      records: data.logEvents.length,
      events: batch.events.length,
      malformed: batch.issues.length,
      skipped: batch.skipped,
      skippedHealthy,
      findings: updates.length,
      published: toPublish.length,
      mergedIntoAgent,
    };
    log.info('log delivery processed', { logGroup: data.logGroup, logStream: data.logStream, ...outcome });
    return outcome;
  }
}

function latestEventTime(events: readonly { ts: string }[], fallback: number): number {
  let latest = Number.NEGATIVE_INFINITY;
  for (const e of events) latest = Math.max(latest, Date.parse(e.ts));
  return Number.isFinite(latest) ? latest : fallback;
}
