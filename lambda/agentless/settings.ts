/**
 * Deployment settings of the agentless function, written by lib/agentless.ts as one JSON environment
 * variable and validated once per execution environment.
 */
import { PICKET_FLOW_LOG_FIELDS } from '../domain/agentless/flow-log';

export interface AgentlessSettings {
  readonly accountId: string;
  readonly region: string;
  readonly partition: string;
  /** Cited by findings (`service.detectorId`): the agent detector's id, so ids and ARNs line up. */
  readonly detectorId: string;
  /** Name or ARN of the findings bus. */
  readonly findingsBus: string;
  /** Findings table of the agent detector: enables merging with agent findings. */
  readonly findingsTable?: string;
  /** Coverage table: with `skipHealthyInstances`, flow-log records of healthy-agent instances are dropped. */
  readonly coverageTable?: string;
  readonly skipHealthyInstances: boolean;
  /** Flow-log field order of the log groups (Picket's custom format). */
  readonly flowLogFields: readonly string[];
  /** Least time between two published updates of one finding, ms. */
  readonly updateIntervalMs: number;
}

export const AGENTLESS_ENV = { settings: 'PICKET_AGENTLESS_SETTINGS' } as const;

/** The settings variable is missing or malformed: a deploy problem, reported at cold start. */
export class AgentlessSettingsError extends Error {
  override readonly name = 'AgentlessSettingsError';
  constructor(
    readonly where: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${where}: ${message}`, options);
  }
}

export function agentlessSettingsFromJson(text: string | undefined, where: string = AGENTLESS_ENV.settings): AgentlessSettings {
  if (!text) throw new AgentlessSettingsError(where, 'is not set; the PicketAgentless construct sets it');
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw new AgentlessSettingsError(where, 'is not JSON', { cause: error });
  }
  const str = (key: string): string => {
    const v = raw[key];
    if (typeof v !== 'string' || v.length === 0) throw new AgentlessSettingsError(`${where}.${key}`, `expected a non-empty string, got ${JSON.stringify(v)}`);
    return v;
  };
  const optStr = (key: string): string | undefined => (raw[key] === undefined || raw[key] === '' ? undefined : str(key));
  const accountId = str('accountId');
  if (!/^\d{12}$/.test(accountId)) throw new AgentlessSettingsError(`${where}.accountId`, `expected a 12-digit account id, got ${JSON.stringify(accountId)}`);
  const fields = raw['flowLogFields'] ?? [...PICKET_FLOW_LOG_FIELDS];
  if (!Array.isArray(fields) || fields.length === 0 || !fields.every((f) => typeof f === 'string')) {
    throw new AgentlessSettingsError(`${where}.flowLogFields`, `expected a list of flow-log field names, got ${JSON.stringify(fields)}`);
  }
  const interval = raw['updateIntervalMs'] ?? 300_000;
  if (typeof interval !== 'number' || !(interval >= 0)) throw new AgentlessSettingsError(`${where}.updateIntervalMs`, `expected a number of ms >= 0, got ${JSON.stringify(interval)}`);
  const findingsTable = optStr('findingsTable');
  const coverageTable = optStr('coverageTable');
  const skipHealthyInstances = raw['skipHealthyInstances'] === true;
  if (skipHealthyInstances && !coverageTable) {
    throw new AgentlessSettingsError(`${where}.skipHealthyInstances`, 'is true but coverageTable is not set: health is read from the coverage table');
  }
  return {
    accountId,
    region: str('region'),
    partition: str('partition'),
    detectorId: str('detectorId'),
    findingsBus: str('findingsBus'),
    ...(findingsTable ? { findingsTable } : {}),
    ...(coverageTable ? { coverageTable } : {}),
    skipHealthyInstances,
    flowLogFields: fields as string[],
    updateIntervalMs: interval,
  };
}
