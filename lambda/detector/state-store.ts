/**
 * Per-instance detection state in DynamoDB, and the one atomic commit of a batch's outcome.
 *
 * State item: `instanceId` (key), `version` (optimistic lock), `state` (gzip of the
 * MemoryInstanceState JSON, binary), `updatedAt`, `expiresAt` (TTL, epoch seconds). The state holds
 * the per-instance seq window, so committing it is what makes a redelivered batch a no-op.
 *
 * Commit = one TransactWriteItems: the state Put conditioned on the version read, plus the Puts of
 * every finding the batch changed, each conditioned to move `count` and `eventLastSeen` only forward.
 * Either all of it lands or none; a lost race (another invocation committed first) raises
 * ConcurrentUpdateError and the caller recomputes from fresh state.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { MemoryInstanceState, type MemoryInstanceStateOptions } from '../domain/detection/memory-instance-state';
import { ConcurrentUpdateError, StoredItemError, nameOf } from './errors';
import { type FindingItem, findingPut } from './findings-store';
import { STATE_TTL_ATTRIBUTE } from './table-schema';

/** State is kept this long after an instance's last batch (instances that stop reporting are forgotten). */
export const STATE_TTL_SECONDS = 30 * 24 * 60 * 60;
/** Largest compressed state written; DynamoDB items hold 400 KB. */
export const MAX_STATE_BYTES = 350 * 1024;
/** TransactWriteItems holds at most 100 items and 4 MB. */
const MAX_TRANSACT_ITEMS = 100;
const MAX_TRANSACT_BYTES = 3.5 * 1024 * 1024;

export interface LoadedState {
  readonly state: MemoryInstanceState;
  /** Version read; 0 when the instance has no item yet. */
  readonly version: number;
}

export class StateStore {
  constructor(
    private readonly dynamo: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly stateOptions: MemoryInstanceStateOptions = {},
  ) {}

  /** Strongly consistent read of the instance's state (a fresh one when there is none). */
  async load(instanceId: string): Promise<LoadedState> {
    const out = await this.dynamo.send(new GetCommand({ TableName: this.table, Key: { instanceId }, ConsistentRead: true }));
    const item = out.Item;
    if (!item) return { state: new MemoryInstanceState(instanceId, this.stateOptions), version: 0 };
    const version = Number(item['version']);
    if (!Number.isInteger(version) || version < 1) throw new StoredItemError(this.table, instanceId, `version must be a positive integer, got ${JSON.stringify(item['version'])}`);
    let json: unknown;
    try {
      json = JSON.parse(gunzipSync(item['state'] as Uint8Array).toString('utf8'));
    } catch (error) {
      throw new StoredItemError(this.table, instanceId, 'state is not gzip-compressed JSON', { cause: error });
    }
    try {
      return { state: MemoryInstanceState.fromJSON(json, this.stateOptions), version };
    } catch (error) {
      throw new StoredItemError(this.table, instanceId, (error as Error).message, { cause: error });
    }
  }

  /**
   * Writes the new state (version + 1) and the changed findings atomically. Findings that do not fit
   * the transaction's 100 items / 4 MB are written right after it, each with its own forward-only
   * condition (a batch changing that many findings of one instance is an attack in progress: the
   * findings matter more than strict atomicity).
   */
  async commit(loaded: LoadedState, findings: readonly FindingItem[], nowMs: number): Promise<void> {
    const instanceId = loaded.state.instanceId;
    const stateBytes = compressState(loaded.state, this.stateOptions);
    const statePut = {
      Put: {
        TableName: this.table,
        Item: {
          instanceId,
          version: loaded.version + 1,
          state: stateBytes,
          updatedAt: new Date(nowMs).toISOString(),
          [STATE_TTL_ATTRIBUTE]: Math.floor(nowMs / 1000) + STATE_TTL_SECONDS,
        },
        ConditionExpression: loaded.version === 0 ? 'attribute_not_exists(instanceId)' : '#version = :expected',
        ...(loaded.version === 0 ? {} : { ExpressionAttributeNames: { '#version': 'version' }, ExpressionAttributeValues: { ':expected': loaded.version } }),
      },
    };
    const inTransaction: ReturnType<typeof findingPut>[] = [];
    const overflow: ReturnType<typeof findingPut>[] = [];
    let bytes = stateBytes.length;
    for (const f of findings) {
      const put = findingPut(f);
      if (inTransaction.length + 1 < MAX_TRANSACT_ITEMS && bytes + f.bytes < MAX_TRANSACT_BYTES) {
        inTransaction.push(put);
        bytes += f.bytes;
      } else {
        overflow.push(put);
      }
    }
    try {
      await this.dynamo.send(new TransactWriteCommand({ TransactItems: [statePut, ...inTransaction.map((p) => ({ Put: p }))] }));
    } catch (error) {
      if (nameOf(error) === 'TransactionCanceledException' || nameOf(error) === 'ConditionalCheckFailedException') {
        throw new ConcurrentUpdateError(instanceId, `commit lost a race (${cancellationSummary(error)}); recomputing from fresh state`, { cause: error });
      }
      throw error;
    }
    for (const put of overflow) {
      try {
        await this.dynamo.send(new PutCommand(put));
      } catch (error) {
        // A newer count is already stored: the other writer's document includes ours.
        if (nameOf(error) !== 'ConditionalCheckFailedException') throw error;
      }
    }
  }
}

/** gzip of the state JSON; a state too large for an item is rebuilt with smaller per-namespace bounds (oldest entries go). */
export function compressState(state: MemoryInstanceState, options: MemoryInstanceStateOptions = {}): Uint8Array {
  let json = state.toJSON();
  let bytes = gzipSync(JSON.stringify(json));
  let maxEntries = options.maxEntriesPerNamespace ?? 2048;
  while (bytes.length > MAX_STATE_BYTES && maxEntries > 1) {
    maxEntries = Math.floor(maxEntries / 2);
    json = MemoryInstanceState.fromJSON(json, { ...options, maxEntriesPerNamespace: maxEntries }).toJSON();
    bytes = gzipSync(JSON.stringify(json));
  }
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
}

function cancellationSummary(error: unknown): string {
  const reasons = (error as { CancellationReasons?: { Code?: string }[] } | null)?.CancellationReasons;
  if (!Array.isArray(reasons)) return nameOf(error);
  return reasons
    .map((r, i) => (r?.Code && r.Code !== 'None' ? `item ${i}: ${r.Code}` : ''))
    .filter(Boolean)
    .join(', ') || nameOf(error);
}
