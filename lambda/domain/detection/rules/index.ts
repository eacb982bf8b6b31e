/**
 * Every built-in rule: the intel/DNS rules (this area) and the behaviour rules
 * (`./behaviour`, owned by the behaviour-rules engineer).
 */
import type { DetectionRule } from '../rule';
import { BEHAVIOUR_RULES } from './behaviour/index';
import { INTEL_RULES } from './intel/index';

export { BEHAVIOUR_RULES, INTEL_RULES };

export const BUILTIN_RULES: readonly DetectionRule[] = [...INTEL_RULES, ...BEHAVIOUR_RULES];
