/**
 * DNS threat intel: a queried name (or a parent domain of it) on a threat list raises the `!DNS`
 * type of the list's category. Reputation categories (malicious, suspicious, dynamic_dns) are left
 * to the domain-reputation rule.
 */
import type { ActivityEvent, DnsQueryEvent } from '../../../events/runtime-event';
import { normaliseDomain } from '../../../intel/domain';
import type { ThreatCategory } from '../../intel-set';
import { type DetectionRule, type FindingCandidate, NO_FINDINGS, type RuleContext } from '../../rule';
import { dnsRequestAction, intelEvidence } from './intel-actions';

const BY_CATEGORY: Partial<Record<ThreatCategory, string>> = {
  mining_pool: 'CryptoCurrency:Runtime/BitcoinTool.B!DNS',
  c2: 'Backdoor:Runtime/C&CActivity.B!DNS',
  custom: 'Backdoor:Runtime/C&CActivity.B!DNS',
  blackhole: 'Trojan:Runtime/BlackholeTraffic!DNS',
  drop_point: 'Trojan:Runtime/DropPoint!DNS',
  dga: 'Trojan:Runtime/DGADomainRequest.C!DNS',
  drive_by: 'Trojan:Runtime/DriveBySourceTraffic!DNS',
  phishing: 'Trojan:Runtime/PhishingDomainRequest!DNS',
};

export const dnsThreatIntelRule: DetectionRule = {
  id: 'dns-threat-intel',
  kinds: ['dns_query'],
  types: [...new Set(Object.values(BY_CATEGORY))] as string[],
  evaluate(e: ActivityEvent, ctx: RuleContext): readonly FindingCandidate[] {
    const event = e as DnsQueryEvent;
    const name = normaliseDomain(event.dns?.query ?? '');
    if (!name) return NO_FINDINGS;
    const match = ctx.intel.matchDomain(name);
    if (!match) return NO_FINDINGS;
    const type = BY_CATEGORY[match.category];
    if (!type) return NO_FINDINGS;
    if (ctx.countRepeat?.(type, name)) return NO_FINDINGS;
    return [
      {
        type,
        aggregationKey: name,
        description: `${event.process.exe} (pid ${event.process.pid}) queried ${name}, listed in ${match.list} (${match.category}).`,
        action: dnsRequestAction(event, name),
        evidence: intelEvidence(match),
      },
    ];
  },
};
