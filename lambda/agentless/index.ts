/**
 * Agentless detector Lambda handler (CloudWatch Logs subscription on the resolver query log group and
 * the flow log group). Thin: settings, clients, logger and intel cache are made once per execution
 * environment; the work is in ./agentless.ts.
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import type { CloudWatchLogsEvent, Context } from 'aws-lambda';
import { IntelCache } from '../detector/intel-cache';
import type { DetectorLog } from '../detector/ports';
import { AgentlessDetector, type AgentlessOutcome } from './agentless';
import { AGENTLESS_ENV, agentlessSettingsFromJson } from './settings';

const logger = new Logger({ serviceName: 'picket-agentless' });
const settings = agentlessSettingsFromJson(process.env[AGENTLESS_ENV.settings]);
const log: DetectorLog = {
  info: (message, extra) => logger.info(message, extra ?? {}),
  warn: (message, extra) => logger.warn(message, extra ?? {}),
  error: (message, extra) => logger.error(message, extra ?? {}),
};
const config = { region: settings.region };
const needsDynamo = settings.findingsTable !== undefined || settings.skipHealthyInstances;
// Seed lists only (bundled next to the handler): operator lists in S3 are the agent detector's job today.
const intel = new IntelCache({ s3: new S3Client(config), locations: [], ttlMs: 60 * 60_000, log });
const detector = new AgentlessDetector({
  settings,
  clients: {
    events: new EventBridgeClient(config),
    ...(needsDynamo ? { dynamo: DynamoDBDocumentClient.from(new DynamoDBClient(config), { marshallOptions: { removeUndefinedValues: true } }) } : {}),
  },
  intel: (now) => intel.get(now),
  log,
});

export async function handler(event: CloudWatchLogsEvent, context: Context): Promise<AgentlessOutcome> {
  logger.addContext(context);
  return detector.handle(event);
}
