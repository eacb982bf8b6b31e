/**
 * Agent health from the coverage table (item per instance, `status` Healthy | Unhealthy), cached for a
 * short time per execution environment: one GetItem per instance per minute at most, whatever the
 * flow-log volume.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AgentHealthLookup } from '../domain/agentless/agent-health-filter';

export const HEALTH_CACHE_MS = 60_000;

export function coverageHealthLookup(dynamo: DynamoDBDocumentClient, table: string, now: () => number = Date.now, ttlMs = HEALTH_CACHE_MS): AgentHealthLookup {
  const cache = new Map<string, { healthy: boolean; at: number }>();
  return async (instanceId) => {
    const known = cache.get(instanceId);
    if (known && now() - known.at < ttlMs) return known.healthy;
    const out = await dynamo.send(new GetCommand({ TableName: table, Key: { instanceId }, ProjectionExpression: '#s', ExpressionAttributeNames: { '#s': 'status' } }));
    const healthy = out.Item?.['status'] === 'Healthy';
    if (cache.size > 10_000) cache.clear();
    cache.set(instanceId, { healthy, at: now() });
    return healthy;
  };
}
