/**
 * The coverage issue catalogue: why an instance is not (fully) protected. GuardDuty Runtime Monitoring's
 * issue kinds first (so operators moving from GuardDuty recognise them), then Picket's own, which come
 * from the agent's heartbeat. The order is the priority: when several issues hold, the first one is the
 * instance's `issue`, the one to fix first (an excluded or unsupported instance needs no SSM fix).
 */

export interface IssueKindInfo {
  /** What GuardDuty calls it, when GuardDuty has the same issue; absent for Picket's own. */
  readonly guardDuty?: string;
  /** One line for tables and events. */
  readonly summary: string;
  /** What to do about it. */
  readonly remedy: string;
}

export const ISSUE_CATALOGUE = {
  EXCLUDED_BY_TAG: {
    guardDuty: 'Exclusion tag added to instance',
    summary: 'The instance carries the exclusion tag (PicketManaged=false): Picket does not install or watch it',
    remedy: 'Remove the tag, or set it to the target value, if the instance should be protected',
  },
  UNSUPPORTED_OS: {
    guardDuty: 'Unsupported operating system',
    summary: 'The operating system is not one the agent supports',
    remedy: 'Run a supported Linux (docs/coverage.md, "Supported platforms"), or accept the gap',
  },
  UNSUPPORTED_KERNEL: {
    guardDuty: 'Unsupported kernel version',
    summary: 'The kernel is older than the agent supports',
    remedy: 'Update the kernel (and reboot) to the minimum in docs/coverage.md',
  },
  NO_INSTANCE_IDENTITY_DOCUMENT: {
    guardDuty: 'No instance identity document',
    summary: 'The instance metadata service is disabled, so the agent cannot learn its identity or get credentials',
    remedy: 'Enable IMDS (ModifyInstanceMetadataOptions HttpEndpoint=enabled, HttpTokens=required)',
  },
  NO_INSTANCE_PROFILE: {
    summary: 'The instance has no instance profile, so neither SSM nor the agent has credentials',
    remedy: 'Attach an instance profile with AmazonSSMManagedInstanceCore and the Picket agent policy',
  },
  SSM_NOT_MANAGED: {
    guardDuty: 'Not managed by SSM',
    summary: 'SSM does not manage the instance, so the agent cannot be installed by SSM',
    remedy: 'Check the SSM agent is running, the instance role allows SSM and the ssm/ssmmessages/ec2messages endpoints are reachable',
  },
  SSM_WAITING: {
    guardDuty: 'Waiting for SSM',
    summary: 'The instance is new or its SSM agent lost its connection; waiting for SSM',
    remedy: 'Wait a few minutes; if it persists, check the SSM agent and its endpoints',
  },
  SSM_ASSOCIATION_FAILED: {
    guardDuty: 'SSM association failed',
    summary: 'The SSM association that installs the agent failed on the instance',
    remedy: "Read SSM's reason (in the issue message) and the association's command output",
  },
  AGENT_NOT_INSTALLED: {
    guardDuty: 'Agent not installed',
    summary: 'The Picket agent is not installed (no association has applied to the instance yet)',
    remedy: 'Check the instance carries the target tag and the association targets it; wait for the next association run',
  },
  VPC_ENDPOINT_MISSING: {
    guardDuty: 'VPC endpoint creation failed / missing',
    summary: "The instance's VPC has no available EventBridge (events) interface endpoint",
    remedy: 'Create the endpoint (vpc config section) or give the VPC another route to EventBridge and set requireVpcEndpoint false',
  },
  VPC_DNS_DISABLED: {
    guardDuty: 'VPC DNS attributes disabled',
    summary: "DNS resolution or DNS hostnames is off in the instance's VPC (or the endpoint's private DNS is off), so the endpoint name does not resolve to it",
    remedy: 'Turn on enableDnsSupport and enableDnsHostnames on the VPC and private DNS on the endpoint',
  },
  AGENT_NOT_REPORTING: {
    guardDuty: 'No agent reporting',
    summary: 'No heartbeat from the agent within the stale limit',
    remedy: 'Check the picket-agent service on the instance (systemctl status picket-agent) and its route to EventBridge',
  },
  EVENTS_DROPPED: {
    summary: 'The agent dropped runtime events recently (queue or spool full)',
    remedy: 'Raise the spool size or the flush rate, or find the process flooding audit events',
  },
  SPOOL_FILLING: {
    summary: 'The agent spool (events waiting for EventBridge) is filling up',
    remedy: 'Check the route to EventBridge (endpoint, security group, throttling); the agent drops events when the spool is full',
  },
  AUDIT_EVENTS_LOST: {
    summary: 'The kernel audit backlog overflowed recently and lost events (auditctl -s: lost)',
    remedy: 'Raise the audit backlog limit (-b) or reduce noisy audit rules',
  },
  AGENT_MEMORY_NEAR_LIMIT: {
    summary: 'The agent is close to its memory limit (systemd MemoryMax) and may be killed',
    remedy: 'Raise agent.memoryMaxMb, or find what makes the agent grow (a burst of events)',
  },
} as const satisfies Record<string, IssueKindInfo>;

export type IssueKind = keyof typeof ISSUE_CATALOGUE;

/** Every issue kind, most important first. */
export const ISSUE_KINDS = Object.keys(ISSUE_CATALOGUE) as IssueKind[];

/** Issue kinds that come from the agent's heartbeat (Picket's own). */
export const AGENT_HEALTH_ISSUES: readonly IssueKind[] = ['EVENTS_DROPPED', 'SPOOL_FILLING', 'AUDIT_EVENTS_LOST', 'AGENT_MEMORY_NEAR_LIMIT'];

/** One problem of one instance: its kind and a message with the specifics (SSM's reason, minutes, bytes). */
export interface CoverageIssue {
  readonly kind: IssueKind;
  readonly message: string;
}

/** Priority of a kind: lower is more important. */
export function issuePriority(kind: IssueKind): number {
  return ISSUE_KINDS.indexOf(kind);
}

/** Issues sorted by priority (stable), most important first. */
export function byPriority(issues: readonly CoverageIssue[]): CoverageIssue[] {
  return [...issues].sort((a, b) => issuePriority(a.kind) - issuePriority(b.kind));
}

export function isIssueKind(value: unknown): value is IssueKind {
  return typeof value === 'string' && Object.hasOwn(ISSUE_CATALOGUE, value);
}
