/**
 * DNS rebinding towards the instance metadata service: a name that is not one of IMDS's own names
 * resolving to 169.254.169.254 or fd00:ec2::254 lets code that only allows "external" URLs reach
 * instance credentials (SSRF via DNS rebinding).
 */
import type { ActivityEvent, DnsQueryEvent } from '../../../events/runtime-event';
import { normaliseDomain } from '../../../intel/domain';
import { parseIp } from '../../../intel/ip';
import { type DetectionRule, type FindingCandidate, NO_FINDINGS, type RuleContext } from '../../rule';
import { dnsRequestAction } from './intel-actions';

/** IMDS's own names (EC2-Classic and VPC spellings), which legitimately resolve to it. */
const IMDS_NAME = /^instance-data(?:\.ec2\.internal|\.[a-z0-9-]+\.compute\.internal)?$/;

export function isMetadataAddress(text: string): boolean {
  const t = text.trim();
  // Every answer of every query is asked: a dotted IPv4 address has one spelling the parser accepts
  // (no leading zeros), so a comparison answers without parsing it into a new array.
  if (!t.includes(':')) return t === '169.254.169.254';
  const ip = parseIp(t);
  if (!ip) return false;
  const w = ip.words;
  if (ip.version === 4) return w[0] === 0xa9fe && w[1] === 0xa9fe; // 169.254.169.254
  // fd00:ec2::254
  return w[0] === 0xfd00 && w[1] === 0x0ec2 && w[2] === 0 && w[3] === 0 && w[4] === 0 && w[5] === 0 && w[6] === 0 && w[7] === 0x254;
}

export const metadataDnsRebindRule: DetectionRule = {
  id: 'metadata-dns-rebind',
  kinds: ['dns_query'],
  types: ['UnauthorizedAccess:Runtime/MetadataDNSRebind'],
  evaluate(e: ActivityEvent, ctx: RuleContext): readonly FindingCandidate[] {
    const event = e as DnsQueryEvent;
    const answers = event.dns?.answers;
    if (!answers || answers.length === 0) return NO_FINDINGS;
    const hit = answers.find(isMetadataAddress);
    if (hit === undefined) return NO_FINDINGS;
    const name = normaliseDomain(event.dns.query);
    if (!name || IMDS_NAME.test(name) || ctx.intel.isTrustedDomain(name)) return NO_FINDINGS;
    return [
      {
        type: 'UnauthorizedAccess:Runtime/MetadataDNSRebind',
        aggregationKey: name,
        description: `${event.process.exe} (pid ${event.process.pid}) resolved ${name} to the instance metadata address ${hit}.`,
        action: dnsRequestAction(event, name),
        evidence: { answers },
      },
    ];
  },
};
