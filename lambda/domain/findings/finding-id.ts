/**
 * Deterministic finding ids: the same (account, instance, type, aggregation key) always gives the
 * same id, on any Lambda, in the CLI, after a replay — so repeats aggregate and redeliveries are
 * idempotent. 32 lowercase hex digits (GuardDuty ids are 32 hex too).
 */
import { createHash } from 'node:crypto';

export function findingId(accountId: string, instanceId: string, type: string, aggregationKey: string): string {
  // NUL cannot appear in any of the parts' legitimate values, so the join is unambiguous.
  return createHash('sha256')
    .update(`${accountId}\u0000${instanceId}\u0000${type}\u0000${aggregationKey}`)
    .digest('hex')
    .slice(0, 32);
}

export function findingArn(partition: string, region: string, accountId: string, detectorId: string, id: string): string {
  return `arn:${partition}:picket:${region}:${accountId}:detector/${detectorId}/finding/${id}`;
}
