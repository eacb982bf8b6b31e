/** Names shared by the detector tables and their CDK definition (kept SDK-free so lib/ can import them). */

/** GSI of the findings table: (instanceId, updatedAt). `picket findings` queries it too. */
export const FINDINGS_BY_INSTANCE_INDEX = 'byInstance';
/** TTL attribute of the state table (epoch seconds). */
export const STATE_TTL_ATTRIBUTE = 'expiresAt';

/**
 * Sparse GSI of the findings table holding only findings with an update waiting for its interval:
 * (pendingShard = "pending", lastPublishedAt). The scheduled flush queries it.
 */
export const FINDINGS_PENDING_INDEX = 'pendingUpdates';
export const PENDING_SHARD_ATTRIBUTE = 'pendingShard';
export const PENDING_SHARD = 'pending';
