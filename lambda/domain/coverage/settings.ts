/** What coverage evaluation is configured with (the construct's props, resolved). Pure data. */

export interface CoverageSettings {
  /** Tag key that opts an instance in; the same key with value "false" excludes it. */
  readonly targetTagKey: string;
  /** Tag value that opts an instance in. */
  readonly targetTagValue: string;
  /** Every running instance is in scope, not only tagged ones. */
  readonly accountWide: boolean;
  /** No heartbeat for this long: AGENT_NOT_REPORTING. */
  readonly heartbeatStaleMinutes: number;
  /** A new instance (launched this recently) not yet known to SSM is SSM_WAITING, not SSM_NOT_MANAGED. */
  readonly ssmGraceMinutes: number;
  /** SSM document that installs the agent; its association status tells managed installs apart. */
  readonly agentDocumentName: string;
  /** Check the VPC has an EventBridge interface endpoint and DNS attributes on. */
  readonly requireVpcEndpoint: boolean;
  /** Agent spool size (bytes): SPOOL_FILLING at `spoolWarnPercent` of it. */
  readonly spoolMaxBytes: number;
  readonly spoolWarnPercent: number;
  /** AGENT_MEMORY_NEAR_LIMIT when RSS reaches this percentage of the agent's memory limit. */
  readonly memoryWarnPercent: number;
  /** How long EVENTS_DROPPED / AUDIT_EVENTS_LOST hold after the last loss seen. */
  readonly lossHoldMinutes: number;
  /** Oldest kernel supported, "major.minor". */
  readonly minKernel: string;
  /** An instance Unhealthy for longer than this counts in the UnhealthyOverdue metric (alarmed). */
  readonly unhealthyAlarmMinutes: number;
  /** How often the scheduled evaluation runs (vCPU-hours per run = vCPUs × this / 60). */
  readonly scheduleMinutes: number;
}

export const DEFAULT_COVERAGE_SETTINGS: CoverageSettings = Object.freeze({
  targetTagKey: 'PicketManaged',
  targetTagValue: 'true',
  accountWide: false,
  heartbeatStaleMinutes: 10,
  ssmGraceMinutes: 15,
  agentDocumentName: 'picket-agent-install',
  requireVpcEndpoint: true,
  spoolMaxBytes: 256 * 1024 * 1024,
  spoolWarnPercent: 50,
  memoryWarnPercent: 90,
  lossHoldMinutes: 15,
  minKernel: '4.14',
  unhealthyAlarmMinutes: 30,
  scheduleMinutes: 5,
});

/** The value of the exclusion tag (on `targetTagKey`). */
export const EXCLUSION_TAG_VALUE = 'false';
