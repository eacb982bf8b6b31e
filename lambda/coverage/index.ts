/**
 * Coverage Lambda handlers (thin): settings, clients, logger and metrics are made once per execution
 * environment; the work is in scheduled.ts and heartbeat.ts.
 *   scheduledHandler — EventBridge schedule, every `scheduleMinutes`
 *   heartbeatHandler — target of the ingest heartbeat rule, one agent heartbeat event per invocation
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { createCoverageClients } from './clients';
import { handleHeartbeat, type HeartbeatOutcome } from './heartbeat';
import type { LoggerPort } from './ports';
import { createPowertoolsMetrics } from './powertools-metrics';
import { type ScheduledRunResult, runScheduledEvaluation } from './scheduled';
import { COVERAGE_ENV, coverageSettingsFromJson } from './settings';

const powertoolsLogger = new Logger({ serviceName: 'picket-coverage' });
const logger: LoggerPort = {
  info: (message, attributes) => powertoolsLogger.info(message, attributes ?? {}),
  warn: (message, attributes) => powertoolsLogger.warn(message, attributes ?? {}),
  error: (message, attributes) => powertoolsLogger.error(message, attributes ?? {}),
};
const settings = coverageSettingsFromJson(process.env[COVERAGE_ENV.settings]);
const clients = createCoverageClients(settings.region);
const metrics = createPowertoolsMetrics();

export async function scheduledHandler(_event: unknown, context: Context): Promise<Omit<ScheduledRunResult, 'changes'>> {
  const { changes: _changes, ...result } = await runScheduledEvaluation(clients, settings, { nowMs: Date.now(), remainingMs: () => context.getRemainingTimeInMillis(), logger, metrics });
  return result;
}

export async function heartbeatHandler(event: unknown): Promise<HeartbeatOutcome['outcome']> {
  const outcome = await handleHeartbeat(clients, settings, event, { nowMs: Date.now(), logger, metrics, ...(settings.accountIds ? { accountIds: settings.accountIds } : {}) });
  if (outcome.outcome === 'recorded' && outcome.change) logger.info('coverage status changed', { instanceId: outcome.sender.instanceId, status: outcome.change.currentStatus, issue: outcome.change.issue?.kind });
  return outcome.outcome;
}
