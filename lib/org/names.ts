/**
 * Names the org stacks share with each other and with the CLI. They are API: member stacks and the
 * security account find each other by them, and renaming one breaks the link between deployed stacks.
 */
import { DETAIL_TYPE_COVERAGE_CHANGED, COVERAGE_SOURCE } from '../../lambda/domain/coverage/change-event';
import { DETAIL_TYPE_FINDING, FINDING_SOURCE } from '../../lambda/domain/findings/finding';
import { DETAIL_TYPE_PENDING_APPROVAL, DETAIL_TYPE_RESPONSE_ACTION, RESPONSE_SOURCE } from '../../lambda/domain/isolation/constants';

/** The only sources the org bus accepts, and the member forwarding rule sends. */
export const FORWARDED_SOURCES = [FINDING_SOURCE, COVERAGE_SOURCE, RESPONSE_SOURCE] as const;
/** The only detail-types the org bus accepts, and the member forwarding rule sends. */
export const FORWARDED_DETAIL_TYPES = [DETAIL_TYPE_FINDING, DETAIL_TYPE_COVERAGE_CHANGED, DETAIL_TYPE_RESPONSE_ACTION, DETAIL_TYPE_PENDING_APPROVAL] as const;

/** Role in the security account that may assume the member response roles. */
export const CENTRAL_RESPONDER_ROLE_NAME = 'picket-org-central-responder';
/** Prefix of the role each member stack creates for central response (the region is appended: IAM is global). */
export const MEMBER_RESPONSE_ROLE_PREFIX = 'picket-central-response-';

/** Key prefix of member templates and Lambda code in the asset buckets. */
export const MEMBER_ASSET_KEY_PREFIX = 'picket-member/';
