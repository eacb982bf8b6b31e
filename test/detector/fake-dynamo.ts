/**
 * An in-memory DynamoDB behind aws-sdk-client-mock, with the semantics the detector relies on: the
 * state item's version condition, the findings' forward-only condition, all-or-nothing transactions
 * (TransactionCanceledException with CancellationReasons), the byInstance index and BatchGet.
 * Calls are still recorded by the mock, so tests assert by command and order.
 */
import { BatchGetCommand, BatchWriteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';

type Item = Record<string, unknown>;
type PutInput = { TableName: string; Item: Item; ConditionExpression?: string; ExpressionAttributeValues?: Record<string, unknown> };

export const STATE_TABLE = 'picket-state';
export const FINDINGS_TABLE = 'picket-findings';

export class FakeDynamo {
  readonly tables = new Map<string, Map<string, Item>>([
    [STATE_TABLE, new Map()],
    [FINDINGS_TABLE, new Map()],
  ]);
  readonly mock = mockClient(DynamoDBDocumentClient);
  /** Called before a transaction is applied (lets a test slip in a concurrent writer). */
  beforeTransaction?: () => void;

  constructor() {
    this.install();
  }

  reset(): void {
    this.mock.reset();
    for (const t of this.tables.values()) t.clear();
    this.beforeTransaction = undefined;
    this.install();
  }

  keyOf(table: string, item: Item): string {
    return String(table === STATE_TABLE ? item['instanceId'] : item['id']);
  }

  findings(): Item[] {
    return [...this.tables.get(FINDINGS_TABLE)!.values()];
  }

  private passes(put: PutInput): boolean {
    const table = this.tables.get(put.TableName)!;
    const existing = table.get(this.keyOf(put.TableName, put.Item));
    const cond = put.ConditionExpression;
    const v = put.ExpressionAttributeValues ?? {};
    if (!cond) return true;
    if (cond === 'attribute_not_exists(instanceId)') return !existing;
    if (cond === '#version = :expected') return !!existing && existing['version'] === v[':expected'];
    if (cond.startsWith('attribute_not_exists(id) OR')) {
      return !existing || ((existing['count'] as number) <= (v[':count'] as number) && String(existing['eventLastSeen']) <= String(v[':eventLastSeen']));
    }
    throw new Error(`fake DynamoDB: unsupported condition ${cond}`);
  }

  private install(): void {
    this.mock.on(GetCommand).callsFake((input: { TableName: string; Key: Item }) => {
      const item = this.tables.get(input.TableName)!.get(String(Object.values(input.Key)[0]));
      return { Item: item ? structuredClone(item) : undefined };
    });
    this.mock.on(QueryCommand).callsFake((input: { TableName: string; IndexName: string; ExpressionAttributeValues: Record<string, unknown> }) => {
      const items = [...this.tables.get(input.TableName)!.values()];
      const v = input.ExpressionAttributeValues;
      if (input.IndexName === 'pendingUpdates') {
        return { Items: items.filter((i) => i['pendingShard'] === v[':pending'] && (i['lastPublishedAt'] as number) <= (v[':cutoff'] as number)).map((i) => structuredClone(i)) };
      }
      if (input.IndexName !== 'byInstance') throw new Error(`fake DynamoDB: unknown index ${input.IndexName}`);
      return { Items: items.filter((i) => i['instanceId'] === v[':instanceId']).map((i) => structuredClone(i)) };
    });
    this.mock.on(UpdateCommand).callsFake((input: { TableName: string; Key: Item; UpdateExpression: string; ExpressionAttributeValues: Record<string, unknown> }) => {
      const item = this.tables.get(input.TableName)!.get(String(input.Key['id']));
      if (input.UpdateExpression !== 'SET publishPending = :false, lastPublishedAt = :at REMOVE #shard') throw new Error(`fake DynamoDB: unsupported update ${input.UpdateExpression}`);
      if (!item || item['updatedAt'] !== input.ExpressionAttributeValues[':updatedAt']) throw Object.assign(new Error('The conditional request failed'), { name: 'ConditionalCheckFailedException' });
      item['publishPending'] = false;
      item['lastPublishedAt'] = input.ExpressionAttributeValues[':at'];
      delete item['pendingShard'];
      return {};
    });
    this.mock.on(BatchGetCommand).callsFake((input: { RequestItems: Record<string, { Keys: Item[] }> }) => {
      const Responses: Record<string, Item[]> = {};
      for (const [name, req] of Object.entries(input.RequestItems)) {
        Responses[name] = req.Keys.map((k) => this.tables.get(name)!.get(this.keyOf(name, k))).filter((i): i is Item => !!i).map((i) => structuredClone(i));
      }
      return { Responses };
    });
    this.mock.on(BatchWriteCommand).callsFake((input: { RequestItems: Record<string, { PutRequest: { Item: Item } }[]> }) => {
      for (const [name, requests] of Object.entries(input.RequestItems)) {
        for (const r of requests) this.tables.get(name)!.set(this.keyOf(name, r.PutRequest.Item), structuredClone(r.PutRequest.Item));
      }
      return { UnprocessedItems: {} };
    });
    this.mock.on(PutCommand).callsFake((input: PutInput) => {
      if (!this.passes(input)) throw Object.assign(new Error('The conditional request failed'), { name: 'ConditionalCheckFailedException' });
      this.tables.get(input.TableName)!.set(this.keyOf(input.TableName, input.Item), structuredClone(input.Item));
      return {};
    });
    this.mock.on(TransactWriteCommand).callsFake((input: { TransactItems: { Put: PutInput }[] }) => {
      this.beforeTransaction?.();
      const reasons = input.TransactItems.map((t) => ({ Code: this.passes(t.Put) ? 'None' : 'ConditionalCheckFailed' }));
      if (reasons.some((r) => r.Code !== 'None')) {
        throw Object.assign(new Error('Transaction cancelled'), { name: 'TransactionCanceledException', CancellationReasons: reasons });
      }
      for (const t of input.TransactItems) this.tables.get(t.Put.TableName)!.set(this.keyOf(t.Put.TableName, t.Put.Item), structuredClone(t.Put.Item));
      return {};
    });
  }
}
