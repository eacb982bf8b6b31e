/**
 * Network behaviour rules over VPC Flow Logs (issue 8), one per file. The lead adds NETWORK_RULES to
 * BUILTIN_RULES; the agentless detector runs BUILTIN_RULES plus these either way (deduplicated by id).
 */
import type { DetectionRule } from '../../rule';
import { outboundPortScanRule } from './outbound-port-scan';
import { unusualPortEgressRule } from './unusual-port-egress';

export const NETWORK_RULES: readonly DetectionRule[] = [outboundPortScanRule, unusualPortEgressRule];
