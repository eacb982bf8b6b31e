/**
 * One agent heartbeat (an EventBridge event from the heartbeat rule): decoded and checked by the ingest
 * gate (the sender is the instance named in `source`, never one claimed in `detail`), applied to the
 * instance's record, evaluated, and published when the status changed.
 */
import { evaluateCoverage } from '../domain/coverage/evaluate';
import { applyHeartbeat, type HeartbeatDeltas, type HeartbeatState } from '../domain/coverage/heartbeat-state';
import { type CoverageChange, nextRecord } from '../domain/coverage/record';
import { gateIngestEvent, type IngestSender } from '../domain/events/ingest-gate';
import { DETAIL_TYPE_HEARTBEAT, type HeartbeatEvent } from '../domain/events/runtime-event';
import type { CoverageClients } from './clients';
import { commitRecord } from './commit';
import type { CoverageMetricsPort, LoggerPort } from './ports';
import { publishChanges } from './publish';
import type { CoverageHandlerSettings } from './settings';
import { getRecord } from './store';

export interface HeartbeatRunOptions {
  readonly nowMs: number;
  readonly logger: LoggerPort;
  readonly metrics: CoverageMetricsPort;
  /** Accounts whose instances may report here. @default - any (the gate already ties source to account) */
  readonly accountIds?: readonly string[];
}

export type HeartbeatOutcome =
  | { readonly outcome: 'rejected'; readonly reason: string; readonly sender?: IngestSender }
  | { readonly outcome: 'ignored'; readonly reason: string; readonly sender: IngestSender }
  | { readonly outcome: 'recorded'; readonly sender: IngestSender; readonly written: boolean; readonly change?: CoverageChange };

const NO_DELTAS: HeartbeatDeltas = { eventsSent: 0, eventsDropped: 0, auditLost: 0 };

function addDeltas(a: HeartbeatDeltas, b: HeartbeatDeltas): HeartbeatDeltas {
  return { eventsSent: a.eventsSent + b.eventsSent, eventsDropped: a.eventsDropped + b.eventsDropped, auditLost: a.auditLost + b.auditLost };
}

export async function handleHeartbeat(clients: CoverageClients, settings: CoverageHandlerSettings, event: unknown, options: HeartbeatRunOptions): Promise<HeartbeatOutcome> {
  const { logger, metrics, nowMs } = options;
  const gate = gateIngestEvent(event);
  if (!gate.ok) {
    metrics.rejected(1);
    logger.warn('heartbeat refused by the ingest gate', { reason: gate.reason, ...(gate.sender ? { instanceId: gate.sender.instanceId } : {}) });
    return gate.sender ? { outcome: 'rejected', reason: gate.reason, sender: gate.sender } : { outcome: 'rejected', reason: gate.reason };
  }
  const { sender } = gate;
  if (gate.detailType !== DETAIL_TYPE_HEARTBEAT) {
    metrics.rejected(1);
    const reason = `detail-type "${gate.detailType}" reached the heartbeat handler; only "${DETAIL_TYPE_HEARTBEAT}" belongs here`;
    logger.warn('heartbeat refused', { reason, instanceId: sender.instanceId });
    return { outcome: 'rejected', reason, sender };
  }
  if (options.accountIds && options.accountIds.length > 0 && !options.accountIds.includes(sender.accountId)) {
    metrics.rejected(1);
    const reason = `account ${sender.accountId} is not one this coverage serves`;
    logger.warn('heartbeat refused', { reason, instanceId: sender.instanceId });
    return { outcome: 'rejected', reason, sender };
  }
  if (gate.rejected.length > 0) {
    metrics.rejected(gate.rejected.length);
    logger.warn('heartbeat batch held invalid events', { instanceId: sender.instanceId, rejected: gate.rejected.map((r) => r.reason).slice(0, 5) });
  }
  const heartbeats = gate.accepted.filter((e): e is HeartbeatEvent => e.kind === 'heartbeat').sort((a, b) => a.seq - b.seq);
  if (heartbeats.length === 0) return { outcome: 'ignored', reason: 'no valid heartbeat in the batch', sender };

  let deltas = NO_DELTAS;
  const stored = await getRecord(clients, settings.tableName, sender.instanceId);
  const committed = await commitRecord(clients, settings.tableName, sender.instanceId, stored, (previous) => {
    let state: HeartbeatState | undefined = previous?.heartbeat;
    let sum = NO_DELTAS;
    let applied = 0;
    for (const hb of heartbeats) {
      const result = applyHeartbeat(state, hb, nowMs);
      if (!result.applied) continue;
      state = result.state;
      sum = addDeltas(sum, result.deltas);
      applied++;
    }
    deltas = sum;
    if (applied === 0 || state === undefined) return undefined;
    const status = evaluateCoverage(previous?.infra, state, settings, nowMs);
    const accountId = previous?.accountId ?? sender.accountId;
    return nextRecord(previous, { instanceId: sender.instanceId, accountId, region: sender.region, ...(previous?.infra ? { infra: previous.infra } : {}), heartbeat: state }, status, nowMs);
  });
  if (!committed.written) return { outcome: 'ignored', reason: 'heartbeat not newer than the stored one (redelivery)', sender };
  metrics.heartbeat(deltas);
  if (committed.change) await publishChanges(clients, settings.tableName, settings.eventBusName, settings.partition, [committed.change]);
  return committed.change ? { outcome: 'recorded', sender, written: true, change: committed.change } : { outcome: 'recorded', sender, written: true };
}
