/**
 * Names the responder publishes and honours. They are API: automation matches on them.
 */
import { DETAIL_TYPE_FINDING, FINDING_SOURCE } from '../findings/finding';

/** Source of every event the responder puts; only the responder's roles may put it (see docs/response.md). */
export const RESPONSE_SOURCE = 'picket.responder';
/** One event per isolation or release step, with its outcome. */
export const DETAIL_TYPE_RESPONSE_ACTION = 'Picket Response Action';
/** Approval mode: the workflow waits until `picket isolate --approve` (or a rejection). */
export const DETAIL_TYPE_PENDING_APPROVAL = 'Picket Isolation Pending Approval';

export const PICKET_FINDING_SOURCE = FINDING_SOURCE;
export const PICKET_FINDING_DETAIL_TYPE = DETAIL_TYPE_FINDING;
export const GUARDDUTY_SOURCE = 'aws.guardduty';
export const GUARDDUTY_DETAIL_TYPE = 'GuardDuty Finding';

/** An instance tagged `PicketIsolation=exempt` is never touched. */
export const ISOLATION_TAG_KEY = 'PicketIsolation';
export const EXEMPT_TAG_VALUE = 'exempt';
/** Status values the responder itself writes to the same tag key. */
export const ISOLATED_TAG_VALUE = 'isolated';
export const RELEASED_TAG_VALUE = 'released';
export const FINDING_ID_TAG_KEY = 'PicketFindingId';
export const ISOLATED_AT_TAG_KEY = 'PicketIsolatedAt';
export const ORIGINAL_GROUPS_TAG_KEY = 'PicketOriginalGroups';

/** Inline policy name on the instance role; one per instance so several instances of a role can be isolated. */
export function denyPolicyName(instanceId: string): string {
  return `PicketIsolationDeny-${instanceId}`;
}

/** The Auto Scaling group name tag that EC2 Auto Scaling puts on its instances. */
export const ASG_NAME_TAG_KEY = 'aws:autoscaling:groupName';
