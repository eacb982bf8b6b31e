/**
 * Cost control: flow-log records of instances whose agent is healthy can be dropped before the
 * detector, since the agent sees the same connections with process detail. Resolver records are kept
 * (they are cheap and the agent may not see every DNS path). The coverage status decides health.
 */
import type { ActivityEvent } from '../events/runtime-event';

/** Health lookup: true when the instance's agent is healthy (the coverage table says `Healthy`). */
export type AgentHealthLookup = (instanceId: string) => boolean | Promise<boolean>;

export interface HealthFilterResult<E extends ActivityEvent> {
  readonly kept: E[];
  /** Flow-log events dropped because their instance's agent is healthy. */
  readonly skipped: number;
  /** Instances whose flow-log events were dropped. */
  readonly healthyInstances: string[];
}

/**
 * Drops the flow-log events of healthy-agent instances. The lookup is called once per distinct
 * instance; a lookup that throws counts as "not healthy" (keep detecting) and is reported to `onError`.
 */
export async function skipHealthyAgentFlows<E extends ActivityEvent>(
  events: readonly E[],
  isAgentHealthy: AgentHealthLookup,
  onError?: (instanceId: string, error: unknown) => void,
): Promise<HealthFilterResult<E>> {
  const verdicts = new Map<string, boolean>();
  for (const e of events) {
    if (e.sensor !== 'vpc-flow-logs' || verdicts.has(e.instanceId)) continue;
    let healthy = false;
    try {
      healthy = (await isAgentHealthy(e.instanceId)) === true;
    } catch (error) {
      onError?.(e.instanceId, error);
    }
    verdicts.set(e.instanceId, healthy);
  }
  const kept = events.filter((e) => !(e.sensor === 'vpc-flow-logs' && verdicts.get(e.instanceId)));
  return { kept, skipped: events.length - kept.length, healthyInstances: [...verdicts].filter(([, h]) => h).map(([id]) => id) };
}
