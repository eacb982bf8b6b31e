/**
 * CloudWatch metric names of coverage (namespace `Picket`), shared by the handlers that emit them (EMF)
 * and the construct that alarms on them and draws them, so the two cannot drift apart.
 */
export const METRIC_NAMESPACE = 'Picket';

export const COVERAGE_METRICS = {
  /** Healthy share of in-scope, non-excluded instances (Percent). */
  coveredPercent: 'CoveredPercent',
  healthy: 'HealthyInstances',
  unhealthy: 'UnhealthyInstances',
  excluded: 'ExcludedInstances',
  /** Instances Unhealthy for longer than unhealthyAlarmMinutes (alarmed at >= 1). */
  unhealthyOverdue: 'UnhealthyOverdueInstances',
  /** Sum over reporting agents of their latest events/s. */
  eventsPerSecond: 'AgentEventsPerSecond',
  /** Per heartbeat: counter growth since the previous heartbeat (Count; Sum / period = rate). */
  eventsSent: 'AgentEventsSent',
  eventsDropped: 'AgentEventsDropped',
  auditLost: 'AuditEventsLost',
  /** vCPU-hours monitored in one schedule interval, dimension AccountId (Sum over a day = per day). */
  monitoredVcpuHours: 'MonitoredVcpuHours',
  /** Heartbeat events the ingest gate refused (forged source, malformed). */
  heartbeatsRejected: 'HeartbeatsRejected',
} as const;

/**
 * Every coverage metric carries Powertools' `service` dimension with this value (an EMF document always
 * names a dimension set, so alarms and the dashboard name this one).
 */
export const COVERAGE_SERVICE = 'picket-coverage';
export const SERVICE_DIMENSION = 'service';

/** Extra dimension of MonitoredVcpuHours. */
export const ACCOUNT_DIMENSION = 'AccountId';

/** What the detector emits (namespace Picket): Findings with dimensions Type and Severity, and event counts. */
export const DETECTOR_METRICS = { findings: 'Findings', eventsAccepted: 'EventsAccepted', eventsRejected: 'EventsRejected' } as const;
