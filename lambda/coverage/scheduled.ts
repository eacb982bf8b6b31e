/**
 * The scheduled coverage evaluation (every `scheduleMinutes`): describe every in-scope instance (all pages,
 * one invocation), assess it, evaluate it against its stored heartbeat, write what changed, publish one
 * event per transition, forget instances that left, and publish the account's coverage metrics.
 */
import { assessInstance, inScope, type InfraAssessment } from '../domain/coverage/assess';
import { evaluateCoverage, isReporting } from '../domain/coverage/evaluate';
import type { InstanceFacts, SsmAssociationStatus, VpcDnsAttributes } from '../domain/coverage/facts';
import { type CoverageChange, type CoverageRecord, nextRecord } from '../domain/coverage/record';
import { type CoverageSummary, summarizeCoverage } from '../domain/coverage/summary';
import { type CoverageClients, mapLimit } from './clients';
import { commitRecord } from './commit';
import { describeAssociations, describeEventsEndpoints, describeInstanceInformation, describeInstances, describeVpcDns } from './collect';
import type { CoverageMetricsPort, LoggerPort } from './ports';
import { publishChanges } from './publish';
import type { CoverageHandlerSettings } from './settings';
import { deleteRecord, scanRecords } from './store';

export interface ScheduledRunOptions {
  readonly nowMs: number;
  /** Time left in the invocation (ms); association lookups stop when less than `reserveMs` remain. */
  readonly remainingMs?: () => number;
  /** @default 60_000 */
  readonly reserveMs?: number;
  readonly logger: LoggerPort;
  readonly metrics: CoverageMetricsPort;
}

export interface ScheduledRunResult {
  readonly instances: number;
  readonly written: number;
  readonly deleted: number;
  readonly associationLookups: number;
  /** Lookups skipped because the invocation ran short of time (their previous result is kept). */
  readonly associationLookupsSkipped: number;
  readonly changes: readonly CoverageChange[];
  /** Earlier changes whose events had not reached the bus, sent again. */
  readonly resent: number;
  readonly summary: CoverageSummary;
}

/** A pending change younger than this may still be being published by the writer that made it. */
const PENDING_GRACE_MS = 2 * 60_000;

interface Candidate {
  readonly instanceId: string;
  readonly facts: Omit<InstanceFacts, 'associations' | 'vpcDns'>;
  readonly previous: CoverageRecord | undefined;
  readonly reporting: boolean;
}

export async function runScheduledEvaluation(clients: CoverageClients, settings: CoverageHandlerSettings, options: ScheduledRunOptions): Promise<ScheduledRunResult> {
  const { nowMs, logger } = options;
  const reservations = await describeInstances(clients, settings);
  const ssmById = await describeInstanceInformation(clients);
  const previousById = new Map((await scanRecords(clients, settings.tableName)).map((r) => [r.instanceId, r]));
  const endpointsByVpc = settings.requireVpcEndpoint ? await describeEventsEndpoints(clients, settings.eventsEndpointServiceName) : undefined;

  const candidates: Candidate[] = [];
  for (const reservation of reservations) {
    for (const instance of reservation.Instances ?? []) {
      const instanceId = instance.InstanceId;
      if (!instanceId || !inScope({ instance }, settings)) continue;
      const previous = previousById.get(instanceId);
      const vpcEndpoints = endpointsByVpc && instance.VpcId ? (endpointsByVpc.get(instance.VpcId) ?? []) : undefined;
      candidates.push({
        instanceId,
        previous,
        reporting: isReporting(previous?.heartbeat, settings, nowMs),
        facts: { accountId: reservation.OwnerId ?? previous?.accountId ?? 'unknown', region: settings.region, instance, ssm: ssmById.get(instanceId), vpcEndpoints },
      });
    }
  }

  // Association status costs one call per instance: ask only where it can change the verdict (a silent
  // agent) or the install mode is still unknown, and only while the invocation has time.
  const needsAssociations = candidates.filter((c) => c.facts.ssm?.PingStatus === 'Online' && (!c.reporting || c.previous?.infra?.managedInstall === undefined));
  const reserveMs = options.reserveMs ?? 60_000;
  let skipped = 0;
  const associations = new Map<string, SsmAssociationStatus[]>();
  await mapLimit(needsAssociations, settings.associationConcurrency, async (c) => {
    if (options.remainingMs && options.remainingMs() < reserveMs) {
      skipped++;
      return;
    }
    associations.set(c.instanceId, await describeAssociations(clients, c.instanceId));
  });
  if (skipped > 0) logger.warn('association lookups skipped for lack of time; previous results kept', { skipped, looked: associations.size });

  // DNS attributes matter only for VPCs with a silent agent.
  const dnsByVpc = new Map<string, VpcDnsAttributes>();
  if (settings.requireVpcEndpoint) {
    const vpcs = [...new Set(candidates.filter((c) => !c.reporting && c.facts.instance.VpcId).map((c) => c.facts.instance.VpcId!))];
    await mapLimit(vpcs, 4, async (vpcId) => {
      dnsByVpc.set(vpcId, await describeVpcDns(clients, vpcId));
    });
  }

  const changes: CoverageChange[] = [];
  const finalRecords: CoverageRecord[] = [];
  let written = 0;
  await mapLimit(candidates, settings.writeConcurrency, async (c) => {
    const vpcDns = c.facts.instance.VpcId ? dnsByVpc.get(c.facts.instance.VpcId) : undefined;
    const looked = associations.get(c.instanceId);
    const facts: InstanceFacts = { ...c.facts, ...(looked ? { associations: looked } : {}), ...(vpcDns ? { vpcDns } : {}) };
    const committed = await commitRecord(clients, settings.tableName, c.instanceId, c.previous, (previous) => {
      let infra: InfraAssessment = assessInstance(facts, settings, nowMs, previous?.infra);
      // Association status not looked up this run: keep what the last lookup found.
      if (!looked && previous?.infra) {
        const keep = previous.infra.preconditionIssues.filter((i) => i.kind === 'SSM_ASSOCIATION_FAILED' || i.kind === 'AGENT_NOT_INSTALLED');
        if (keep.length > 0 && facts.ssm?.PingStatus === 'Online') infra = { ...infra, preconditionIssues: [...infra.preconditionIssues, ...keep] };
      }
      const status = evaluateCoverage(infra, previous?.heartbeat, settings, nowMs);
      return nextRecord(previous, { instanceId: c.instanceId, accountId: facts.accountId, region: facts.region, infra, ...(previous?.heartbeat ? { heartbeat: previous.heartbeat } : {}) }, status, nowMs);
    });
    if (committed.written) written++;
    if (committed.change) changes.push(committed.change);
    if (committed.record) finalRecords.push(committed.record);
  });

  // Instances that stopped, terminated or left scope: forgotten, unless their agent still reports (a
  // manual install outside the tag scope), which keeps its heartbeat-only record.
  const seen = new Set(candidates.map((c) => c.instanceId));
  let deleted = 0;
  for (const record of previousById.values()) {
    if (seen.has(record.instanceId)) continue;
    if (isReporting(record.heartbeat, settings, nowMs)) {
      finalRecords.push(record);
      continue;
    }
    if (await deleteRecord(clients, settings.tableName, record)) deleted++;
  }

  // Changes whose event never made it to the bus (a failed PutEvents, a crash between write and
  // publish) are sent again; a grace period leaves in-flight ones to their writer.
  const resend = finalRecords
    .filter((r) => r.pendingChange !== undefined && !changes.some((c) => c.instanceId === r.instanceId) && nowMs - Date.parse(r.pendingChange.changedAt) > PENDING_GRACE_MS)
    .map((r) => r.pendingChange!);
  if (resend.length > 0) logger.warn('re-sending coverage changes that were not published', { count: resend.length });
  await publishChanges(clients, settings.tableName, settings.eventBusName, settings.partition, [...changes, ...resend]);
  const summary = summarizeCoverage(finalRecords, settings, nowMs);
  options.metrics.coverage(summary);
  logger.info('coverage evaluated', { instances: candidates.length, written, deleted, changes: changes.length, coveredPercent: summary.coveredPercent });
  return { instances: candidates.length, written, deleted, associationLookups: associations.size, associationLookupsSkipped: skipped, changes, resent: resend.length, summary };
}
