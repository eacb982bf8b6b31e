/**
 * The findings table: one item per finding (`id`), read by `picket findings` and restored into the
 * engine before a batch so repeats update a finding instead of creating it again.
 *
 * Item attributes (API: the CLI reads them): `id`, `instanceId`, `type`, `severity` (number),
 * `severityLabel`, `updatedAt` (ISO), `archived` (boolean), `accountId`, `count`, `eventLastSeen`,
 * `finding` (the finding JSON document, as a string), and the detector's own bookkeeping
 * `lastPublishedAt` (epoch ms of the last publication) and `publishPending` (an update waits for its
 * interval), `pendingShard` (only while an update waits). GSI `byInstance`: (instanceId, updatedAt);
 * sparse GSI `pendingUpdates`: (pendingShard, lastPublishedAt).
 */
import { BatchGetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type Finding, severityLabel } from '../domain/findings/finding';
import { StoredItemError, nameOf } from './errors';
import { FINDINGS_BY_INSTANCE_INDEX, FINDINGS_PENDING_INDEX, PENDING_SHARD, PENDING_SHARD_ATTRIBUTE } from './table-schema';

export { FINDINGS_BY_INSTANCE_INDEX };

/** A finding to store, with the bookkeeping the engine needs to restore it. */
export interface FindingItem {
  readonly finding: Finding;
  /** JSON of `finding` (already fitted to the size budget). */
  readonly json: string;
  readonly bytes: number;
  readonly lastPublishedAt: number;
  readonly publishPending: boolean;
  readonly table: string;
}

/** A finding as read back. */
export interface StoredFinding {
  readonly finding: Finding;
  readonly lastPublishedAt: number;
  readonly publishPending: boolean;
}

/** The conditional Put of one finding: only ever moves `count` and `eventLastSeen` forward. */
export function findingPut(item: FindingItem) {
  const f = item.finding;
  return {
    TableName: item.table,
    Item: {
      id: f.id,
      instanceId: f.resource.instanceDetails.instanceId,
      type: f.type,
      severity: f.severity,
      severityLabel: severityLabel(f.severity),
      updatedAt: f.updatedAt,
      archived: f.service.archived,
      accountId: f.accountId,
      count: f.service.count,
      eventLastSeen: f.service.eventLastSeen,
      lastPublishedAt: item.lastPublishedAt,
      publishPending: item.publishPending,
      // Only pending findings carry the shard key, so only they are in the sparse pending index.
      ...(item.publishPending ? { [PENDING_SHARD_ATTRIBUTE]: PENDING_SHARD } : {}),
      finding: item.json,
    },
    ConditionExpression: 'attribute_not_exists(id) OR (#count <= :count AND eventLastSeen <= :eventLastSeen)',
    ExpressionAttributeNames: { '#count': 'count' },
    ExpressionAttributeValues: { ':count': f.service.count, ':eventLastSeen': f.service.eventLastSeen },
  };
}

export class FindingsStore {
  constructor(
    private readonly dynamo: DynamoDBDocumentClient,
    readonly table: string,
  ) {}

  /**
   * Every stored finding of the instance (GSI, eventually consistent), plus `ids` read strongly
   * consistently from the table (after a lost race: the other writer's findings may not be in the
   * index yet). Where both have one, the higher count wins.
   */
  async loadForInstance(instanceId: string, ids: readonly string[] = []): Promise<StoredFinding[]> {
    const byId = new Map<string, StoredFinding>();
    const keep = (item: Record<string, unknown>) => {
      const stored = this.parse(item);
      const known = byId.get(stored.finding.id);
      if (!known || known.finding.service.count < stored.finding.service.count) byId.set(stored.finding.id, stored);
    };
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.dynamo.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: FINDINGS_BY_INSTANCE_INDEX,
          KeyConditionExpression: 'instanceId = :instanceId',
          ExpressionAttributeValues: { ':instanceId': instanceId },
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      for (const item of page.Items ?? []) keep(item);
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    for (let i = 0; i < ids.length; i += 100) {
      let keys: Record<string, unknown>[] = ids.slice(i, i + 100).map((id) => ({ id }));
      for (let attempt = 0; keys.length > 0 && attempt < 5; attempt++) {
        const out = await this.dynamo.send(new BatchGetCommand({ RequestItems: { [this.table]: { Keys: keys, ConsistentRead: true } } }));
        for (const item of out.Responses?.[this.table] ?? []) keep(item);
        keys = (out.UnprocessedKeys?.[this.table]?.Keys as Record<string, unknown>[] | undefined) ?? [];
      }
    }
    return [...byId.values()];
  }

  /** Findings whose pending update was last published at or before `cutoffMs` (up to `limit`). */
  async duePending(cutoffMs: number, limit = 500): Promise<StoredFinding[]> {
    const out: StoredFinding[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.dynamo.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: FINDINGS_PENDING_INDEX,
          KeyConditionExpression: '#shard = :pending AND lastPublishedAt <= :cutoff',
          ExpressionAttributeNames: { '#shard': PENDING_SHARD_ATTRIBUTE },
          ExpressionAttributeValues: { ':pending': PENDING_SHARD, ':cutoff': cutoffMs },
          Limit: limit - out.length,
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      for (const item of page.Items ?? []) out.push(this.parse(item));
      startKey = page.LastEvaluatedKey;
    } while (startKey && out.length < limit);
    return out;
  }

  /**
   * Records that the pending update of `finding` went out. Conditioned on `updatedAt` being
   * unchanged: when a batch stored a newer document meanwhile, that batch owns the publication.
   * Returns false when the condition failed.
   */
  async markPublished(finding: Finding, publishedAtMs: number): Promise<boolean> {
    try {
      await this.dynamo.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { id: finding.id },
          UpdateExpression: 'SET publishPending = :false, lastPublishedAt = :at REMOVE #shard',
          ConditionExpression: 'updatedAt = :updatedAt',
          ExpressionAttributeNames: { '#shard': PENDING_SHARD_ATTRIBUTE },
          ExpressionAttributeValues: { ':false': false, ':at': publishedAtMs, ':updatedAt': finding.updatedAt },
        }),
      );
      return true;
    } catch (error) {
      if (nameOf(error) === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }

  private parse(item: Record<string, unknown>): StoredFinding {
    const key = String(item['id']);
    let finding: Finding;
    try {
      finding = JSON.parse(String(item['finding'])) as Finding;
    } catch (error) {
      throw new StoredItemError(this.table, key, 'finding is not a JSON document', { cause: error });
    }
    if (typeof finding?.id !== 'string' || typeof finding.service?.count !== 'number') {
      throw new StoredItemError(this.table, key, 'finding lacks id or service.count');
    }
    const lastPublishedAt = Number(item['lastPublishedAt']);
    return {
      finding,
      lastPublishedAt: Number.isFinite(lastPublishedAt) ? lastPublishedAt : Date.parse(finding.updatedAt),
      publishPending: item['publishPending'] === true,
    };
  }
}
