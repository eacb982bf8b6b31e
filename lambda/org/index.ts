/**
 * Org aggregator (security account), thin: target of the rule on the org bus. One event per
 * invocation; a failure is retried by EventBridge and then lands in the rule's DLQ.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { ORG_AGGREGATOR_SERVICE, ORG_METRIC_NAMESPACE, ORG_METRICS as M } from './metric-names';
import { SuppressionRuleSet } from '../domain/findings/suppression';
import { type OrgBusEvent, planWrite } from './aggregate';
import { orgAggregatorSettings } from './settings';
import { executeWrite, type WriteOutcome } from './write';


const logger = new Logger({ serviceName: ORG_AGGREGATOR_SERVICE });
const metrics = new Metrics({ namespace: ORG_METRIC_NAMESPACE, serviceName: ORG_AGGREGATOR_SERVICE });
const settings = orgAggregatorSettings(process.env);
const suppression = new SuppressionRuleSet(settings.suppression);
const ddb = DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } });

export async function handler(event: OrgBusEvent): Promise<WriteOutcome | 'rejected' | 'ignored'> {
  const write = planWrite(event, suppression, new Date().toISOString());
  if (write.kind === 'rejected' || write.kind === 'ignored') {
    logger.warn(`org event ${write.kind}`, { reason: write.reason, account: event.account, source: event.source, detailType: event['detail-type'], eventId: event.id });
    metrics.addMetric(write.kind === 'rejected' ? M.rejected : M.ignored, MetricUnit.Count, 1);
    metrics.publishStoredMetrics();
    return write.kind;
  }
  const outcome = await executeWrite(ddb, settings, write);
  if (write.kind === 'finding') {
    metrics.addMetric(M.findingsReceived, MetricUnit.Count, 1);
    if (write.item.archived) metrics.addMetric(M.findingsArchived, MetricUnit.Count, 1);
    else if (write.item.severity >= 7) metrics.addMetric(M.highSeverity, MetricUnit.Count, 1);
  } else if (write.kind === 'coverage') {
    metrics.addMetric(write.item.status === 'Healthy' ? M.becameHealthy : M.becameUnhealthy, MetricUnit.Count, 1);
  } else {
    metrics.addMetric(M.responseEvents, MetricUnit.Count, 1);
  }
  metrics.publishStoredMetrics();
  logger.info('org event stored', { kind: write.kind, outcome, account: event.account, eventId: event.id });
  return outcome;
}
