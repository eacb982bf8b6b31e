/**
 * Resource limits of the host agent, GuardDuty's defaults unless overridden:
 * CPU 10 % of ALL the host's vCPUs; memory 128 MB under 8 GB of RAM, 256 MB under 32 GB, 1 GB above.
 *
 * The same arithmetic runs ON THE INSTANCE in `agent-bootstrap/scripts/limits.sh` (nproc, /proc/meminfo),
 * because the CDK app does not know each instance's size; test/agent-deployment/limits.test.ts checks
 * that the shell and this module agree on every boundary. Keep them in step.
 *
 * Pure functions: no AWS, no I/O.
 */

/** GuardDuty's agent CPU limit: this percentage of all vCPUs together. */
export const GUARDDUTY_CPU_PERCENT_OF_ALL_VCPUS = 10;

/** One row of the RAM-based memory table: hosts with less than `belowRamMb` of RAM get `memoryMaxMb`. */
export interface MemoryTier {
  readonly belowRamMb: number;
  readonly memoryMaxMb: number;
}

/** GuardDuty's memory table (RAM as the kernel reports it in /proc/meminfo MemTotal). */
export const GUARDDUTY_MEMORY_TIERS: readonly MemoryTier[] = [
  { belowRamMb: 8 * 1024, memoryMaxMb: 128 },
  { belowRamMb: 32 * 1024, memoryMaxMb: 256 },
  { belowRamMb: Number.POSITIVE_INFINITY, memoryMaxMb: 1024 },
];

/** MemoryHigh (throttle and reclaim before the hard limit kills the agent) as a share of MemoryMax. */
export const MEMORY_HIGH_SHARE = 0.9;
/** V8 old-space limit as a share of MemoryMax: the heap must be collected long before the cgroup kills node. */
export const HEAP_SHARE = 0.6;

/** What the systemd unit gets. */
export interface AgentLimits {
  /** systemd CPUQuota= in percent of ONE core (systemd's unit): 200 means two full cores. */
  readonly systemdCpuQuotaPercent: number;
  /** systemd MemoryMax= in MB. */
  readonly memoryMaxMb: number;
  /** systemd MemoryHigh= in MB. */
  readonly memoryHighMb: number;
  /** node --max-old-space-size in MB. */
  readonly heapMb: number;
}

/** The host facts the defaults depend on. */
export interface HostSize {
  /** Online CPUs (`nproc`). */
  readonly vcpus: number;
  /** MemTotal from /proc/meminfo, in MB. */
  readonly ramMb: number;
}

/** Overrides from the CDK props / SSM parameters. Omitted = GuardDuty's default. */
export interface LimitOverrides {
  /** Percentage of ALL vCPUs (GuardDuty's unit, not systemd's). */
  readonly cpuQuotaPercent?: number;
  /** MemoryMax in MB; 'auto' = the RAM-based table. */
  readonly memoryMaxMb?: number | 'auto';
}

export class AgentLimitsError extends Error {
  override readonly name = 'AgentLimitsError';
}

function requirePositive(value: number, what: string): void {
  if (!Number.isFinite(value) || value <= 0) throw new AgentLimitsError(`${what} must be a positive number, got ${value}`);
}

/** GuardDuty's MemoryMax for a host with `ramMb` of RAM. */
export function defaultMemoryMaxMb(ramMb: number, tiers: readonly MemoryTier[] = GUARDDUTY_MEMORY_TIERS): number {
  requirePositive(ramMb, 'ramMb');
  const tier = tiers.find((t) => ramMb < t.belowRamMb);
  if (!tier) throw new AgentLimitsError(`no memory tier covers ${ramMb} MB of RAM (the last tier must be open-ended)`);
  return tier.memoryMaxMb;
}

/**
 * systemd's CPUQuota= is per core (100 % = one full core), GuardDuty's limit is a share of all vCPUs
 * together: 10 % of a 4-vCPU host is CPUQuota=40%. Rounded to a whole percent (systemd's resolution on
 * older releases), never below 1.
 */
export function systemdCpuQuotaPercent(vcpus: number, percentOfAllVcpus: number = GUARDDUTY_CPU_PERCENT_OF_ALL_VCPUS): number {
  requirePositive(vcpus, 'vcpus');
  if (!Number.isInteger(vcpus)) throw new AgentLimitsError(`vcpus must be a whole number, got ${vcpus}`);
  if (!Number.isFinite(percentOfAllVcpus) || percentOfAllVcpus <= 0 || percentOfAllVcpus > 100) {
    throw new AgentLimitsError(`cpuQuotaPercent must be within (0, 100] (a share of all vCPUs), got ${percentOfAllVcpus}`);
  }
  return Math.max(1, Math.round(vcpus * percentOfAllVcpus));
}

/** MemoryMax ⇒ MemoryHigh and the V8 heap limit. */
export function memoryFigures(memoryMaxMb: number): Pick<AgentLimits, 'memoryMaxMb' | 'memoryHighMb' | 'heapMb'> {
  requirePositive(memoryMaxMb, 'memoryMaxMb');
  return {
    memoryMaxMb,
    memoryHighMb: Math.floor(memoryMaxMb * MEMORY_HIGH_SHARE),
    heapMb: Math.floor(memoryMaxMb * HEAP_SHARE),
  };
}

/** The limits for a host: GuardDuty's defaults, each overridable. */
export function computeAgentLimits(host: HostSize, overrides: LimitOverrides = {}): AgentLimits {
  const memoryMaxMb = overrides.memoryMaxMb === undefined || overrides.memoryMaxMb === 'auto' ? defaultMemoryMaxMb(host.ramMb) : overrides.memoryMaxMb;
  return {
    systemdCpuQuotaPercent: systemdCpuQuotaPercent(host.vcpus, overrides.cpuQuotaPercent ?? GUARDDUTY_CPU_PERCENT_OF_ALL_VCPUS),
    ...memoryFigures(memoryMaxMb),
  };
}

/** MemTotal of a /proc/meminfo text, in MB (floor). */
export function memTotalMbFromMeminfo(meminfo: string): number {
  const match = /^MemTotal:\s+(\d+)\s+kB$/m.exec(meminfo);
  if (!match) throw new AgentLimitsError('no "MemTotal: <n> kB" line in /proc/meminfo');
  return Math.floor(Number(match[1]) / 1024);
}

/** The systemd drop-in (`picket-agent.service.d/50-limits.conf`) for `limits`; limits.sh writes the same text. */
export function renderLimitsDropIn(limits: AgentLimits): string {
  return [
    '# Written by the Picket installer: resource limits of the agent (docs/agent.md, "Resource limits").',
    '[Service]',
    `CPUQuota=${limits.systemdCpuQuotaPercent}%`,
    `MemoryHigh=${limits.memoryHighMb}M`,
    `MemoryMax=${limits.memoryMaxMb}M`,
    `Environment=PICKET_HEAP_MB=${limits.heapMb}`,
    '',
  ].join('\n');
}

/** GuardDuty's MemoryMax for `ramMb` of RAM (the table above). Same as `defaultMemoryMaxMb`. */
export function guardDutyMemoryLimitMb(ramMb: number): number {
  return defaultMemoryMaxMb(ramMb);
}

/** The two systemd directives as strings, from the `agent` config section (lib/config.ts) and a host's size. */
export function systemdLimits(agent: LimitOverrides, host: HostSize): { readonly cpuQuota: string; readonly memoryMax: string } {
  const limits = computeAgentLimits(host, agent);
  return { cpuQuota: `${limits.systemdCpuQuotaPercent}%`, memoryMax: `${limits.memoryMaxMb}M` };
}
