/** The threat-intel and DNS rules (one per file). */
import type { DetectionRule } from '../../rule';
import { dgaDomainRequestRule } from './dga-domain-request';
import { dnsThreatIntelRule } from './dns-threat-intel';
import { domainReputationRule } from './domain-reputation';
import { ipThreatIntelRule } from './ip-threat-intel';
import { metadataDnsRebindRule } from './metadata-dns-rebind';

export const INTEL_RULES: readonly DetectionRule[] = [
  ipThreatIntelRule,
  dnsThreatIntelRule,
  dgaDomainRequestRule,
  domainReputationRule,
  metadataDnsRebindRule,
];
