/**
 * Dedup with agent findings through the agent detector's findings table: each logs-only finding is
 * looked up by correlation key among the instance's stored findings. An agent finding for the same
 * activity absorbs it (the log source is recorded on the agent's finding, which is written back and
 * not published again); otherwise the logs-only finding is stored (merged with its own earlier state)
 * and published as the engine decided.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { findCorrelated, isLogsOnly, mergeSourceFinding } from '../domain/agentless/dedupe';
import type { FindingUpdate } from '../domain/detection/engine';
import type { Finding } from '../domain/findings/finding';
import { type StoredFinding, FindingsStore, findingPut } from '../detector/findings-store';
import { fitFinding } from '../detector/fit-finding';
import { nameOf } from '../detector/errors';

export interface ReconcileOutcome {
  /** Findings to publish (logs-only, new or due updates). */
  readonly publish: Finding[];
  /** Agent findings that recorded a log source instead of a second finding. */
  readonly mergedIntoAgent: number;
  /** Writes lost to a concurrent writer (the other writer's newer state stays; the next delivery retries the merge). */
  readonly conflicts: number;
}

export async function reconcileWithStored(dynamo: DynamoDBDocumentClient, table: string, updates: readonly FindingUpdate[]): Promise<ReconcileOutcome> {
  const store = new FindingsStore(dynamo, table);
  const byInstance = new Map<string, FindingUpdate[]>();
  for (const u of updates) {
    const id = u.finding.resource.instanceDetails.instanceId;
    byInstance.set(id, [...(byInstance.get(id) ?? []), u]);
  }
  const publish: Finding[] = [];
  let mergedIntoAgent = 0;
  let conflicts = 0;
  for (const [instanceId, list] of byInstance) {
    const stored: StoredFinding[] = await store.loadForInstance(instanceId, list.map((u) => u.finding.id));
    const storedById = new Map(stored.map((s) => [s.finding.id, s]));
    for (const update of list) {
      const match = findCorrelated(stored.map((s) => s.finding), update.finding);
      const merged = match ? mergeSourceFinding(match, update.finding) : update.finding;
      const intoAgent = match !== undefined && !isLogsOnly(match);
      const previous = match ? storedById.get(match.id) : undefined;
      const fitted = fitFinding(merged);
      const put = findingPut({
        finding: fitted.finding,
        json: fitted.json,
        bytes: Buffer.byteLength(fitted.json, 'utf8'),
        lastPublishedAt: update.publish && !intoAgent ? Date.parse(merged.updatedAt) : (previous?.lastPublishedAt ?? Date.parse(merged.updatedAt)),
        publishPending: previous?.publishPending ?? false,
        table,
      });
      try {
        await dynamo.send(new PutCommand(put));
      } catch (error) {
        if (nameOf(error) !== 'ConditionalCheckFailedException') throw error;
        conflicts++;
        continue;
      }
      if (intoAgent) mergedIntoAgent++;
      else if (update.publish) publish.push(fitted.finding);
    }
  }
  return { publish, mergedIntoAgent, conflicts };
}
