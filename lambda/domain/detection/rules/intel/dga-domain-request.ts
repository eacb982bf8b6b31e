/**
 * DGA behaviour: one process querying several distinct machine-generated-looking domains within a
 * short window (a DGA walking its list until one resolves). A single odd name is left to the
 * reputation rule; names on a `dga` list are raised by dns-threat-intel.
 */
import type { ActivityEvent, DnsQueryEvent } from '../../../events/runtime-event';
import { normaliseDomain } from '../../../intel/domain';
import { domainProfile, isUnscored } from '../../../intel/reputation';
import { type DetectionRule, type FindingCandidate, NO_FINDINGS, type RuleContext } from '../../rule';
import { dnsRequestAction } from './intel-actions';

/** Distinct generated-looking domains from one process that make a DGA. */
export const DGA_MIN_DOMAINS = 3;
/** Sliding window in which they must occur. */
export const DGA_WINDOW_MS = 10 * 60 * 1000;
/** Lexical score a name needs; lower for names that did not resolve (DGAs mostly miss). */
export const DGA_SCORE = 0.85;
export const DGA_SCORE_NXDOMAIN = 0.6;
const MAX_REMEMBERED = 16;
const NAMESPACE = 'dga.recent';

export const dgaDomainRequestRule: DetectionRule = {
  id: 'dga-domain-request',
  kinds: ['dns_query'],
  types: ['Trojan:Runtime/DGADomainRequest.C!DNS'],
  evaluate(e: ActivityEvent, ctx: RuleContext): readonly FindingCandidate[] {
    const event = e as DnsQueryEvent;
    const name = normaliseDomain(event.dns?.query ?? '');
    if (!name || isUnscored(name) || ctx.intel.isTrustedDomain(name) || ctx.intel.matchDomain(name)) return NO_FINDINGS;
    const { features, score } = domainProfile(name);
    const threshold = event.dns.rcode?.toUpperCase() === 'NXDOMAIN' ? DGA_SCORE_NXDOMAIN : DGA_SCORE;
    if (score < threshold) return NO_FINDINGS;
    const key = event.process.uuid;
    const recent = ctx.state.recall<string[]>(NAMESPACE, key, ctx.now) ?? [];
    const names = recent.includes(features.registrable) ? recent : [...recent, features.registrable].slice(-MAX_REMEMBERED);
    ctx.state.remember(NAMESPACE, key, names, DGA_WINDOW_MS, ctx.now);
    if (names.length < DGA_MIN_DOMAINS) return NO_FINDINGS;
    return [
      {
        type: 'Trojan:Runtime/DGADomainRequest.C!DNS',
        aggregationKey: event.process.exe,
        description: `${event.process.exe} (pid ${event.process.pid}) queried ${names.length} generated-looking domains within ${DGA_WINDOW_MS / 60000} minutes, latest ${name}.`,
        action: dnsRequestAction(event, name),
        evidence: { domains: names, latestScore: Math.round(score * 1000) / 1000 },
      },
    ];
  },
};
