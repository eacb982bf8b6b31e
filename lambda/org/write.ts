/**
 * Executes an aggregator plan against DynamoDB. Writes are conditional so that an older event arriving
 * late (EventBridge does not order deliveries) never overwrites a newer state.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { OrgWrite } from './aggregate';
import type { OrgAggregatorSettings } from './settings';

export type WriteOutcome = 'written' | 'stale' | 'skipped';

export async function executeWrite(ddb: DynamoDBDocumentClient, settings: Pick<OrgAggregatorSettings, 'findingsTable' | 'coverageTable'>, write: OrgWrite): Promise<WriteOutcome> {
  try {
    switch (write.kind) {
      case 'finding':
        await ddb.send(
          new PutCommand({
            TableName: settings.findingsTable,
            Item: write.item,
            ConditionExpression: 'attribute_not_exists(accountId) OR updatedAt <= :u',
            ExpressionAttributeValues: { ':u': write.item.updatedAt },
          }),
        );
        return 'written';
      case 'coverage':
        await ddb.send(
          new PutCommand({
            TableName: settings.coverageTable,
            Item: write.item,
            ConditionExpression: 'attribute_not_exists(accountId) OR changedAt <= :c',
            ExpressionAttributeValues: { ':c': write.item.changedAt },
          }),
        );
        return 'written';
      case 'response':
        await ddb.send(
          new UpdateCommand({
            TableName: settings.findingsTable,
            Key: { accountId: write.accountId, findingKey: write.findingKey },
            UpdateExpression: 'SET lastResponse = :r',
            ConditionExpression: 'attribute_exists(accountId)',
            ExpressionAttributeValues: { ':r': write.response },
          }),
        );
        return 'written';
      default:
        return 'skipped';
    }
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return 'stale';
    throw error;
  }
}
