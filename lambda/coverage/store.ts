/**
 * The coverage table: one item per instance (key `instanceId`), written with an optimistic lock on
 * `version` so that only one writer wins a transition and publishes it.
 */
import { DeleteCommand, GetCommand, PutCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { CoverageChange } from '../domain/coverage/record';
import type { CoverageRecord } from '../domain/coverage/record';
import type { CoverageClients } from './clients';
import { StoredRecordError } from './errors';

function asRecord(item: Record<string, unknown> | undefined, table: string): CoverageRecord | undefined {
  if (item === undefined) return undefined;
  if (typeof item['instanceId'] !== 'string' || typeof item['version'] !== 'number' || (item['status'] !== 'Healthy' && item['status'] !== 'Unhealthy')) {
    throw new StoredRecordError(`table ${table}: item ${JSON.stringify(item['instanceId'] ?? '?')} is not a coverage record (needs instanceId, version, status)`);
  }
  return item as unknown as CoverageRecord;
}

export async function getRecord(clients: CoverageClients, table: string, instanceId: string): Promise<CoverageRecord | undefined> {
  const out = await clients.dynamo.send(new GetCommand({ TableName: table, Key: { instanceId }, ConsistentRead: true }));
  return asRecord(out.Item, table);
}

/** Every record (all pages, in one invocation). */
export async function scanRecords(clients: CoverageClients, table: string): Promise<CoverageRecord[]> {
  const records: CoverageRecord[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await clients.dynamo.send(new ScanCommand({ TableName: table, ConsistentRead: true, ...(start ? { ExclusiveStartKey: start } : {}) }));
    for (const item of page.Items ?? []) records.push(asRecord(item, table)!);
    start = page.LastEvaluatedKey;
  } while (start);
  return records;
}

export function isConditionFailure(error: unknown): boolean {
  return (error as { name?: unknown } | null)?.name === 'ConditionalCheckFailedException';
}

/** Writes `record` if the stored version is still `record.version - 1` (or absent for version 1). Returns false when another writer won. */
export async function putRecord(clients: CoverageClients, table: string, record: CoverageRecord): Promise<boolean> {
  const first = record.version === 1;
  try {
    await clients.dynamo.send(
      new PutCommand({
        TableName: table,
        Item: record,
        ConditionExpression: first ? 'attribute_not_exists(instanceId)' : '#version = :expected',
        ...(first ? {} : { ExpressionAttributeNames: { '#version': 'version' }, ExpressionAttributeValues: { ':expected': record.version - 1 } }),
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/** Deletes the record of an instance that left scope, unless it changed meanwhile. */
export async function deleteRecord(clients: CoverageClients, table: string, record: CoverageRecord): Promise<boolean> {
  try {
    await clients.dynamo.send(
      new DeleteCommand({ TableName: table, Key: { instanceId: record.instanceId }, ConditionExpression: '#version = :expected', ExpressionAttributeNames: { '#version': 'version' }, ExpressionAttributeValues: { ':expected': record.version } }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/**
 * Marks a change as published: removes `pendingChange` if it is still this change (a newer transition
 * written meanwhile keeps its own). Does not touch `version`: it changes no verdict.
 */
export async function clearPendingChange(clients: CoverageClients, table: string, change: CoverageChange): Promise<boolean> {
  try {
    await clients.dynamo.send(
      new UpdateCommand({
        TableName: table,
        Key: { instanceId: change.instanceId },
        UpdateExpression: 'REMOVE pendingChange',
        ConditionExpression: 'pendingChange.changedAt = :changedAt',
        ExpressionAttributeValues: { ':changedAt': change.changedAt },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}
