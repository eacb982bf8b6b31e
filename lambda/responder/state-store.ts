/**
 * Response state in DynamoDB (one item per instance, optimistic locking on `version`) and the
 * pre-state evidence object in the versioned S3 bucket.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { PreState } from '../domain/isolation/pre-state';
import { admitUnderRateLimit, type RateDecision } from '../domain/isolation/rate-limit';
import { type ResponseRecord, rateKey, recordKey } from '../domain/isolation/response-record';
import type { ResponderClients } from './clients';
import { errorName } from './sdk-errors';

/** Someone else wrote the item since we read it. */
export class ConcurrentUpdateError extends Error {
  override readonly name = 'ConcurrentUpdateError';
}

export async function loadRecord(clients: Pick<ResponderClients, 'dynamo'>, table: string, instanceId: string): Promise<ResponseRecord | undefined> {
  const out = await clients.dynamo.send(new GetCommand({ TableName: table, Key: { pk: recordKey(instanceId) }, ConsistentRead: true }));
  return out.Item as ResponseRecord | undefined;
}

/** Writes `record` if the stored version is still `record.version`; returns the stored copy. */
export async function saveRecord(clients: Pick<ResponderClients, 'dynamo'>, table: string, record: ResponseRecord): Promise<ResponseRecord> {
  const next = { ...record, version: record.version + 1 };
  try {
    await clients.dynamo.send(
      new PutCommand({
        TableName: table,
        Item: next,
        ConditionExpression: record.version === 0 ? 'attribute_not_exists(pk) OR version = :v' : 'version = :v',
        ExpressionAttributeValues: { ':v': record.version },
      }),
    );
  } catch (error) {
    if (errorName(error) === 'ConditionalCheckFailedException') {
      throw new ConcurrentUpdateError(`response record of ${record.instanceId} changed since version ${record.version}`, { cause: error });
    }
    throw error;
  }
  return next;
}

/** Stores the pre-state as evidence; the bucket is versioned, so the returned VersionId pins it. */
export async function putPreStateObject(clients: Pick<ResponderClients, 's3'>, bucket: string, key: string, pre: PreState): Promise<string | undefined> {
  const out = await clients.s3.send(
    new PutObjectCommand({ Bucket: bucket, Key: key, Body: JSON.stringify(pre, null, 2), ContentType: 'application/json' }),
  );
  return out.VersionId;
}

interface RateItem {
  readonly pk: string;
  readonly history: readonly string[];
  readonly version: number;
}

/** Takes a slot in the account's rolling hour, or says when the next one frees. Retries lost races. */
export async function reserveIsolationSlot(clients: Pick<ResponderClients, 'dynamo'>, table: string, accountId: string, max: number, now: Date): Promise<RateDecision> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const out = await clients.dynamo.send(new GetCommand({ TableName: table, Key: { pk: rateKey(accountId) }, ConsistentRead: true }));
    const item = (out.Item as RateItem | undefined) ?? { pk: rateKey(accountId), history: [], version: 0 };
    const decision = admitUnderRateLimit(item.history, now, max);
    if (!decision.admitted) return decision;
    try {
      await clients.dynamo.send(
        new PutCommand({
          TableName: table,
          Item: { pk: item.pk, history: decision.history, version: item.version + 1 },
          ConditionExpression: 'attribute_not_exists(pk) OR version = :v',
          ExpressionAttributeValues: { ':v': item.version },
        }),
      );
      return decision;
    } catch (error) {
      if (errorName(error) !== 'ConditionalCheckFailedException') throw error;
    }
  }
  throw new ConcurrentUpdateError(`rate limit item of ${accountId} kept changing; try again`);
}
