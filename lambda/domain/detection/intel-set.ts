/**
 * Threat intelligence as rules see it: lookups whose cost does not depend on list size.
 * Trusted lists beat threat lists: a trusted indicator never matches.
 */

/** What an indicator is known for; each maps to GuardDuty finding types (see docs/findings.md). */
export type ThreatCategory =
  | 'mining_pool'
  | 'c2'
  | 'tor_relay'
  | 'tor_client'
  | 'blackhole'
  | 'drop_point'
  | 'drive_by'
  | 'phishing'
  | 'dga'
  | 'malicious'
  /** Dynamic-DNS and free-subdomain suffixes: not a threat alone, an input to domain reputation. */
  | 'dynamic_dns'
  /** Weak signals (Tor2web gateways, port proxies, DNS tunnelling services): Low reputation findings. */
  | 'suspicious'
  | 'custom';

export interface IntelMatch {
  /** Name of the list the indicator came from (file name or seed list id). */
  readonly list: string;
  readonly category: ThreatCategory;
  /** The list entry that matched (an IP, a CIDR, a domain suffix, a hash). */
  readonly indicator: string;
}

export interface IntelSet {
  /** Threat match for an IPv4 or IPv6 address (CIDR-aware), unless trusted. */
  matchIp(ip: string): IntelMatch | undefined;
  /** Threat match for a domain or any parent domain, unless trusted. */
  matchDomain(domain: string): IntelMatch | undefined;
  /** Known-malicious executable by SHA-256 (lowercase hex); `custom` category for user lists. */
  matchSha256(sha256: string): IntelMatch | undefined;
  isTrustedIp(ip: string): boolean;
  isTrustedDomain(domain: string): boolean;
}
