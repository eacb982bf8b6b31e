/**
 * The Reputation family: names on no `!DNS` list, judged by the reputation model
 * (intel/reputation.ts) or by reputation-category lists (malicious, suspicious, dynamic_dns).
 * Only names new to the account are scored: what the fleet queries every day is its baseline.
 */
import type { ActivityEvent, DnsQueryEvent } from '../../../events/runtime-event';
import { normaliseDomain } from '../../../intel/domain';
import { assessDomain, domainProfile, isUnscored, type ReputationVerdict } from '../../../intel/reputation';
import { type DetectionRule, type FindingCandidate, NO_FINDINGS, type RuleContext } from '../../rule';
import { dnsRequestAction, intelEvidence } from './intel-actions';

const BY_VERDICT: Record<Exclude<ReputationVerdict, 'ok'>, string> = {
  abused: 'Impact:Runtime/AbusedDomainRequest.Reputation',
  bitcoin: 'Impact:Runtime/BitcoinDomainRequest.Reputation',
  malicious: 'Impact:Runtime/MaliciousDomainRequest.Reputation',
  suspicious: 'Impact:Runtime/SuspiciousDomainRequest.Reputation',
};

/** Baseline namespace of registrable domains seen in the account. */
export const SEEN_DOMAINS_NAMESPACE = 'dns.registrable';

/** Categories handled by dns-threat-intel (a `!DNS` type exists for them). */
const LIST_TYPED = new Set(['mining_pool', 'c2', 'custom', 'blackhole', 'drop_point', 'dga', 'drive_by', 'phishing']);

export const domainReputationRule: DetectionRule = {
  id: 'domain-reputation',
  kinds: ['dns_query'],
  types: Object.values(BY_VERDICT),
  evaluate(e: ActivityEvent, ctx: RuleContext): readonly FindingCandidate[] {
    const event = e as DnsQueryEvent;
    const name = normaliseDomain(event.dns?.query ?? '');
    if (!name || isUnscored(name) || ctx.intel.isTrustedDomain(name)) return NO_FINDINGS;
    const match = ctx.intel.matchDomain(name);
    if (match && LIST_TYPED.has(match.category)) return NO_FINDINGS;
    const dynamicSuffix = match?.category === 'dynamic_dns' ? match.indicator : undefined;
    const profile = domainProfile(name, dynamicSuffix);
    const features = profile.features;
    const memory = ctx.accountState ?? ctx.state;
    const rare = memory.firstSeen(SEEN_DOMAINS_NAMESPACE, features.registrable, ctx.now);
    const listed = match?.category === 'malicious' || match?.category === 'suspicious';
    if (!rare && !listed) return NO_FINDINGS;

    let verdict: ReputationVerdict;
    let reasons: readonly string[];
    let score: number | undefined;
    if (match?.category === 'malicious' || match?.category === 'suspicious') {
      // A reputation list hit needs no model and no rarity: the list already judged the name.
      verdict = match.category;
      reasons = [`listed in ${match.list}`];
    } else {
      const assessment = assessDomain(features, rare, profile.score);
      verdict = assessment.verdict;
      reasons = assessment.reasons;
      score = assessment.score;
    }
    if (verdict === 'ok') return NO_FINDINGS;
    return [
      {
        type: BY_VERDICT[verdict],
        aggregationKey: features.registrable,
        description: `${event.process.exe} (pid ${event.process.pid}) queried ${name}: ${reasons.join(', ')}.`,
        action: dnsRequestAction(event, name),
        evidence: {
          reasons,
          ...(score !== undefined ? { reputationScore: Math.round(score * 1000) / 1000 } : {}),
          registrableDomain: features.registrable,
          ...(match ? intelEvidence(match) : {}),
        },
      },
    ];
  },
};
