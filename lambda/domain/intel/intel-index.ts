/**
 * IntelIndex: the IntelSet rules query. Threat and trusted indicators live in separate structures
 * (CIDR tries for IPv4/IPv6, domain suffix sets, a SHA-256 set) so every lookup costs the same
 * whatever the list sizes. Trusted beats threat: a trusted IP/domain never matches a threat list.
 */
import type { IntelMatch, IntelSet, ThreatCategory } from '../detection/intel-set';
import { CidrTrie } from './cidr-trie';
import { DomainSuffixSet, normaliseDomain } from './domain';
import { parseIp, parseIpv4Words } from './ip';
import type { ParsedList } from './list-parser';

export type ListRole = 'threat' | 'trusted';

export interface IndexedList {
  readonly list: ParsedList;
  /** Name findings cite (`intel.list`); defaults to the file name. */
  readonly name?: string;
  readonly role: ListRole;
  /** Category of a threat list (ignored for trusted lists). @default 'custom' */
  readonly category?: ThreatCategory;
}

export interface IntelStats {
  readonly threatCidrs: number;
  readonly threatDomains: number;
  readonly threatHashes: number;
  readonly trustedCidrs: number;
  readonly trustedDomains: number;
  readonly lists: readonly { readonly name: string; readonly role: ListRole; readonly category?: ThreatCategory; readonly entries: number }[];
}

interface DomainEntry {
  threat?: IntelMatch;
  trusted?: boolean;
}

const TRUSTED: IntelMatch = { list: 'trusted', category: 'custom', indicator: 'trusted' };

export class IntelIndex implements IntelSet {
  private readonly threatV4 = new CidrTrie<IntelMatch>();
  private readonly threatV6 = new CidrTrie<IntelMatch>();
  private readonly trustedV4 = new CidrTrie<IntelMatch>();
  private readonly trustedV6 = new CidrTrie<IntelMatch>();
  /** One map for threat and trusted domains, so a lookup walks the labels once. */
  private readonly domains = new DomainSuffixSet<DomainEntry>();
  private threatDomainCount = 0;
  private trustedDomainCount = 0;
  /** Several rules look up the same query name of one event in a row: remember the last answer. */
  /** What the suffix walk of lookupDomain found so far (fields, so its visitor is one function made once, not a closure per DNS event). */
  private walkThreat: IntelMatch | undefined;
  private walkTrusted = false;
  private readonly visitSuffix = (entry: DomainEntry): void => {
    if (entry.trusted) this.walkTrusted = true;
    if (!this.walkThreat && entry.threat) this.walkThreat = entry.threat;
  };
  private lastDomain: string | undefined;
  private lastDomainResult: { threat?: IntelMatch; trusted: boolean } = { trusted: false };
  private readonly hashes = new Map<string, IntelMatch>();
  /** hexPrefix of every listed hash: a Set of small integers, asked before the map. */
  private readonly hashPrefixes = new Set<number>();
  private readonly listStats: { name: string; role: ListRole; category?: ThreatCategory; entries: number }[] = [];

  constructor(lists: readonly IndexedList[] = []) {
    for (const l of lists) this.add(l);
  }

  /** Adds one parsed list. Earlier lists win for an indicator present in several. */
  add({ list, name = list.file, role, category = 'custom' }: IndexedList): this {
    const trusted = role === 'trusted';
    for (const c of list.cidrs) {
      const match: IntelMatch = trusted ? TRUSTED : { list: name, category, indicator: c.text };
      const trie = c.version === 4 ? (trusted ? this.trustedV4 : this.threatV4) : trusted ? this.trustedV6 : this.threatV6;
      trie.insert(c.words, c.prefix, match);
    }
    for (const d of list.domains) {
      const entry = this.domains.get(d) ?? {};
      this.domains.add(d, entry);
      if (trusted && !entry.trusted) {
        entry.trusted = true;
        this.trustedDomainCount++;
      } else if (!trusted && !entry.threat) {
        entry.threat = { list: name, category, indicator: d };
        this.threatDomainCount++;
      }
    }
    this.lastDomain = undefined;
    if (!trusted) {
      for (const h of list.hashes) {
        if (this.hashes.has(h)) continue;
        this.hashes.set(h, { list: name, category, indicator: h });
        this.hashPrefixes.add(hexPrefix(h) as number);
      }
    }
    this.listStats.push({
      name,
      role,
      ...(trusted ? {} : { category }),
      entries: list.cidrs.length + list.domains.length + list.hashes.length,
    });
    return this;
  }

  matchIp(ip: string): IntelMatch | undefined {
    // Every connect and accept asks, nearly always with a dotted IPv4 address: parsed into one
    // reused pair of words instead of a new typed array per event.
    if (!ip.includes(':')) {
      if (!parseIpv4Words(ip, V4_WORDS, 0)) return undefined;
      if (this.trustedV4.lookup(V4_WORDS, 32)) return undefined;
      return this.threatV4.lookup(V4_WORDS, 32);
    }
    const parsed = parseIp(ip);
    if (!parsed) return undefined;
    if (parsed.version === 4) {
      if (this.trustedV4.lookup(parsed.words, 32)) return undefined;
      return this.threatV4.lookup(parsed.words, 32);
    }
    if (this.trustedV6.lookup(parsed.words, 128)) return undefined;
    return this.threatV6.lookup(parsed.words, 128);
  }

  matchDomain(domain: string): IntelMatch | undefined {
    const r = this.lookupDomain(domain);
    return r.trusted ? undefined : r.threat;
  }

  matchSha256(sha256: string): IntelMatch | undefined {
    // Every exec asks with a hash that is almost never listed: the first 7 hex digits, read as a
    // number, rule it out before the 64 characters are lower-cased and hashed for the map.
    const prefix = hexPrefix(sha256);
    if (prefix === undefined || !this.hashPrefixes.has(prefix)) return undefined;
    return this.hashes.get(sha256.toLowerCase());
  }

  isTrustedIp(ip: string): boolean {
    const parsed = parseIp(ip);
    if (!parsed) return false;
    return parsed.version === 4
      ? this.trustedV4.lookup(parsed.words, 32) !== undefined
      : this.trustedV6.lookup(parsed.words, 128) !== undefined;
  }

  isTrustedDomain(domain: string): boolean {
    return this.lookupDomain(domain).trusted;
  }

  /** Walks the name and its parents once: the most specific threat entry, and whether any level is trusted. */
  private lookupDomain(domain: string): { threat?: IntelMatch; trusted: boolean } {
    if (domain === this.lastDomain) return this.lastDomainResult;
    const name = normaliseDomain(domain);
    let threat: IntelMatch | undefined;
    let trusted = false;
    if (name) {
      this.walkThreat = undefined;
      this.walkTrusted = false;
      this.domains.forEachSuffix(name, this.visitSuffix);
      threat = this.walkThreat;
      trusted = this.walkTrusted;
    }
    this.lastDomain = domain;
    this.lastDomainResult = threat ? { threat, trusted } : { trusted };
    return this.lastDomainResult;
  }

  stats(): IntelStats {
    return {
      threatCidrs: this.threatV4.size + this.threatV6.size,
      threatDomains: this.threatDomainCount,
      threatHashes: this.hashes.size,
      trustedCidrs: this.trustedV4.size + this.trustedV6.size,
      trustedDomains: this.trustedDomainCount,
      lists: this.listStats.map((s) => ({ ...s })),
    };
  }
}

/** An IntelSet with nothing in it (tests, and engines run without intel). */
export const EMPTY_INTEL: IntelSet = new IntelIndex();

/**
 * The first 7 hex digits of `text` as a number, either case (undefined when one of them is not a
 * hex digit: no listed hash can match then). Seven, so the number is a small integer V8 keeps
 * unboxed in the set (28 bits; a random hash passes the filter once in 2^28 / list size).
 */
export function hexPrefix(text: string): number | undefined {
  if (text.length < PREFIX_DIGITS) return undefined;
  let value = 0;
  for (let i = 0; i < PREFIX_DIGITS; i++) {
    const c = text.charCodeAt(i) | 0x20; // ASCII letters to lower case; digits keep their code
    const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : -1;
    if (d < 0) return undefined;
    value = value * 16 + d;
  }
  return value;
}
const PREFIX_DIGITS = 7;

/** Scratch words for matchIp's IPv4 path (used and done with inside one call). */
const V4_WORDS = new Uint16Array(2);
