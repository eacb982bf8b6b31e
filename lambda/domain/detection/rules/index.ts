/**
 * Every built-in rule: the intel/DNS rules (this area) and the behaviour rules
 * (`./behaviour`) and the network rules over flow logs (`./network`).
 */
import type { DetectionRule } from '../rule';
import { BEHAVIOUR_RULES } from './behaviour/index';
import { INTEL_RULES } from './intel/index';
import { NETWORK_RULES } from './network/index';

export { BEHAVIOUR_RULES, INTEL_RULES, NETWORK_RULES };

export const BUILTIN_RULES: readonly DetectionRule[] = [...INTEL_RULES, ...BEHAVIOUR_RULES, ...NETWORK_RULES];
