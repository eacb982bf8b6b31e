/**
 * The agentless detection step: log events in, logs-only finding updates out, through THE SAME
 * DetectionEngine as agent events (BUILTIN_RULES plus NETWORK_RULES). Pure: the Lambda, the tests and
 * the benchmark call it alike.
 */
import type { DnsQueryEvent, NetEvent } from '../events/runtime-event';
import type { Finding } from '../findings/finding';
import type { DetectionEngine, FindingUpdate } from '../detection/engine';
import type { DetectionRule } from '../detection/rule';
import { BUILTIN_RULES } from '../detection/rules/index';
import { NETWORK_RULES } from '../detection/rules/network/index';
import { markLogsOnly } from './dedupe';
import type { AgentlessSource } from './log-batch';

/** BUILTIN_RULES plus NETWORK_RULES, without duplicates (once the lead adds NETWORK_RULES to BUILTIN_RULES). */
export function agentlessRules(builtin: readonly DetectionRule[] = BUILTIN_RULES): DetectionRule[] {
  const ids = new Set(builtin.map((r) => r.id));
  return [...builtin, ...NETWORK_RULES.filter((r) => !ids.has(r.id))];
}

/** Runs the events through the engine; every finding is marked with its log source and `logsOnly`. */
export function detectFromLogs(engine: DetectionEngine, events: readonly (DnsQueryEvent | NetEvent)[]): FindingUpdate[] {
  // Each finding is marked by its own log, not the event's: process can also hand out another log's
  // folded finding that the event pushed out of the finding cache.
  const marked = (update: FindingUpdate): FindingUpdate => ({ ...update, finding: markLogsOnly(update.finding, logSourceOf(update.finding)) });
  const updates: FindingUpdate[] = [];
  for (const event of events) for (const update of engine.process(event)) updates.push(marked(update));
  // Repeats inside the update interval were folded into the engine's findings: their documents now.
  for (const update of engine.takeFolded()) updates.push(marked(update));
  return updates;
}

/** The log a finding of the agentless engine came from (its featureName is DnsLogs or FlowLogs, nothing else). */
export function logSourceOf(finding: Finding): AgentlessSource {
  return finding.service.featureName === 'DnsLogs' ? 'route53-resolver' : 'vpc-flow-logs';
}
