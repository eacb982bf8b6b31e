/** The agentless engine for tests: BUILTIN_RULES + NETWORK_RULES, custom lists, log records in. */
import { agentlessRules, detectFromLogs } from '../../lambda/domain/agentless/agentless-detect';
import { parseLogBatch } from '../../lambda/domain/agentless/log-batch';
import { decodeSubscriptionData } from '../../lambda/domain/agentless/subscription';
import { DetectionEngine } from '../../lambda/domain/detection/engine';
import type { Finding } from '../../lambda/domain/findings/finding';
import { type IntelSource, loadIntelFromStrings } from '../../lambda/domain/intel/loader';
import { ACCOUNT, subscriptionEvent } from './records';

export function intelFrom(sources: IntelSource[]) {
  const { intel, errors } = loadIntelFromStrings(sources);
  if (errors.length > 0) throw new Error(`test list errors: ${JSON.stringify(errors)}`);
  return intel;
}

export function agentlessEngine(intel: ReturnType<typeof intelFrom>): DetectionEngine {
  return new DetectionEngine({ rules: agentlessRules(), intel, accountId: ACCOUNT, region: 'eu-west-1', detectorId: 'picket-test', updateIntervalMs: 0 });
}

/** Log messages → subscription payload → parser → engine: the latest state of each finding. */
export function findingsFromLogs(intel: ReturnType<typeof intelFrom>, logGroup: string, messages: readonly string[]): Finding[] {
  const engine = agentlessEngine(intel);
  const batch = parseLogBatch(decodeSubscriptionData(subscriptionEvent(logGroup, messages).awslogs.data));
  if (batch.issues.length > 0) throw new Error(`unexpected malformed records: ${JSON.stringify(batch.issues)}`);
  const byId = new Map<string, Finding>();
  for (const u of detectFromLogs(engine, batch.events)) byId.set(u.finding.id, u.finding);
  return [...byId.values()];
}
