/**
 * What coverage keeps of an agent's heartbeats: the latest one (counters are cumulative since the agent
 * or the kernel started) and what changed since the one before, so a single loss marks the instance for
 * a while instead of forever.
 */
import type { HeartbeatEvent } from '../events/runtime-event';

export interface HeartbeatState {
  /** seq of the stored heartbeat: older or repeated ones are ignored. */
  readonly seq: number;
  /** When Picket received it (ISO): staleness is judged on this, never on the agent's own clock. */
  readonly receivedAt: string;
  /** The agent's timestamp (informational; the instance writes it). */
  readonly agentTs: string;
  readonly agentVersion: string;
  readonly kernel: string;
  readonly os: string;
  readonly eventsRead: number;
  readonly eventsSent: number;
  readonly eventsDropped: number;
  readonly spoolBytes: number;
  readonly auditLost: number;
  readonly auditBacklog: number;
  readonly rulesLoaded: number;
  readonly cpuPercent: number;
  readonly rssBytes: number;
  readonly memoryLimitBytes?: number;
  readonly uptimeSeconds: number;
  readonly vcpus?: number;
  /** Events sent per second between the previous heartbeat and this one. */
  readonly eventsPerSecond: number;
  /** Last time the dropped counter grew (ISO). */
  readonly lastDropAt?: string;
  /** Last time the kernel's audit lost counter grew (ISO). */
  readonly lastAuditLossAt?: string;
}

/** Growth of the counters since the previous heartbeat (what metrics add up). */
export interface HeartbeatDeltas {
  readonly eventsSent: number;
  readonly eventsDropped: number;
  readonly auditLost: number;
}

export type HeartbeatApplied =
  | { readonly applied: true; readonly state: HeartbeatState; readonly deltas: HeartbeatDeltas }
  | { readonly applied: false; readonly reason: string };

/** Counter growth; a counter that went down restarted (agent restart, reboot), so all of it is new. */
function growth(current: number, previous: number | undefined, restarted: boolean): number {
  if (previous === undefined) return 0;
  if (restarted || current < previous) return Math.max(0, current);
  return current - previous;
}

/**
 * The state after `heartbeat`, received at `receivedAtMs`. A heartbeat whose seq is not newer than the
 * stored one is not applied (EventBridge may deliver twice or out of order).
 */
export function applyHeartbeat(previous: HeartbeatState | undefined, heartbeat: HeartbeatEvent, receivedAtMs: number): HeartbeatApplied {
  if (previous !== undefined && heartbeat.seq <= previous.seq) {
    return { applied: false, reason: `seq ${heartbeat.seq} is not newer than the stored ${previous.seq}` };
  }
  const h = heartbeat.heartbeat;
  const agentRestarted = previous !== undefined && h.uptimeSeconds < previous.uptimeSeconds;
  // The audit lost counter belongs to the kernel: it only goes down on reboot, which `growth` handles.
  const deltas: HeartbeatDeltas = {
    eventsSent: growth(h.eventsSent, previous?.eventsSent, agentRestarted),
    eventsDropped: previous === undefined ? h.eventsDropped : growth(h.eventsDropped, previous.eventsDropped, agentRestarted),
    auditLost: growth(h.auditLost, previous?.auditLost, false),
  };
  const receivedAt = new Date(receivedAtMs).toISOString();
  const elapsedSeconds = previous === undefined ? 0 : (receivedAtMs - Date.parse(previous.receivedAt)) / 1000;
  const lastDropAt = deltas.eventsDropped > 0 ? receivedAt : previous?.lastDropAt;
  const lastAuditLossAt = deltas.auditLost > 0 ? receivedAt : previous?.lastAuditLossAt;
  const state: HeartbeatState = {
    seq: heartbeat.seq,
    receivedAt,
    agentTs: heartbeat.ts,
    agentVersion: h.agentVersion,
    kernel: h.kernel,
    os: h.os,
    eventsRead: h.eventsRead,
    eventsSent: h.eventsSent,
    eventsDropped: h.eventsDropped,
    spoolBytes: h.spoolBytes,
    auditLost: h.auditLost,
    auditBacklog: h.auditBacklog,
    rulesLoaded: h.rulesLoaded,
    cpuPercent: h.cpuPercent,
    rssBytes: h.rssBytes,
    ...(h.memoryLimitBytes === undefined ? {} : { memoryLimitBytes: h.memoryLimitBytes }),
    uptimeSeconds: h.uptimeSeconds,
    ...(h.vcpus === undefined ? {} : { vcpus: h.vcpus }),
    eventsPerSecond: elapsedSeconds > 0 ? Math.round((deltas.eventsSent / elapsedSeconds) * 100) / 100 : 0,
    ...(lastDropAt === undefined ? {} : { lastDropAt }),
    ...(lastAuditLossAt === undefined ? {} : { lastAuditLossAt }),
  };
  return { applied: true, state, deltas };
}
