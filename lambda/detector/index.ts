/**
 * Detector Lambda handler (SQS event source with ReportBatchItemFailures). Thin: settings, clients,
 * logger and metrics are made once per execution environment; the work is in ./detector.ts.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context, SQSBatchResponse, SQSEvent, ScheduledEvent } from 'aws-lambda';
import { BUILTIN_RULES } from '../domain/detection/rules/index';
import { createDetectorClients } from './clients';
import { Detector } from './detector';
import type { DetectorLog } from './ports';
import { AggregatingMetrics } from './powertools-metrics';
import { DETECTOR_ENV, detectorSettingsFromJson } from './settings';

const logger = new Logger({ serviceName: 'picket-detector' });
const settings = detectorSettingsFromJson(process.env[DETECTOR_ENV.settings]);
const metrics = new AggregatingMetrics(new Metrics({ namespace: 'Picket', serviceName: 'picket-detector' }));
const log: DetectorLog = {
  info: (message, extra) => logger.info(message, extra ?? {}),
  warn: (message, extra) => logger.warn(message, extra ?? {}),
  error: (message, extra) => logger.error(message, extra ?? {}),
};
const detector = new Detector({
  settings,
  clients: createDetectorClients({ securityHub: settings.securityHubExport, region: settings.region }),
  rules: BUILTIN_RULES,
  log,
  metrics,
});

export async function handler(event: SQSEvent | ScheduledEvent, context: Context): Promise<SQSBatchResponse> {
  logger.addContext(context);
  try {
    return await detector.handle(event, context);
  } finally {
    metrics.flush();
  }
}
