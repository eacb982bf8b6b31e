/**
 * A monitor record to the DNS facts of the contract: one observation per distinct question, the way Route 53
 * Resolver query logs have one record per query (an A+AAAA lookup through D-Bus or varlink is one monitor line
 * with two questions, and becomes two observations). Each observation carries the answers that belong to its
 * question: the CNAME chain from the queried name, and the records of the queried type along that chain.
 */
import { formatIpv6 } from '../audit/sockaddr';
import { DNS_TYPE, dnsRcodeName, dnsTypeName } from './dns-codes';
import type { MonitorKey, MonitorRecord, MonitorRr } from './monitor-record';

export interface DnsObservation {
  /** Lowercase, without the trailing dot. */
  readonly query: string;
  readonly qtype: string;
  /** NOERROR on success, the DNS rcode name on rcode-failure; absent when resolved got no DNS answer at all. */
  readonly rcode?: string;
  /** Addresses (A/AAAA), target names (CNAME chain, PTR, MX, SRV) or texts (TXT), in answer order. */
  readonly answers: readonly string[];
  /** resolved's own state: success, rcode-failure, network-down, timeout, no-servers, … */
  readonly resolvedState: string;
}

/** Names compare case-insensitively and without the trailing dot (resolved echoes the client's spelling). */
export function dnsName(raw: string): string {
  const lower = raw.trim().toLowerCase();
  return lower.length > 1 && lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

function renderAddress(bytes: readonly number[]): string | undefined {
  if (bytes.length === 4) return bytes.join('.');
  if (bytes.length === 16) return formatIpv6(Uint8Array.from(bytes));
  return undefined;
}

function renderRr(rr: MonitorRr): string[] {
  switch (rr.key.type) {
    case DNS_TYPE.A:
    case DNS_TYPE.AAAA: {
      const text = rr.address ? renderAddress(rr.address) : undefined;
      return text ? [text] : [];
    }
    case DNS_TYPE.MX:
      return rr.exchange !== undefined ? [dnsName(rr.exchange)] : [];
    case DNS_TYPE.TXT:
    case DNS_TYPE.SPF:
      return rr.items ? [...rr.items] : [];
    default:
      // CNAME, DNAME, NS, PTR, SRV carry their target in `name`.
      return rr.name !== undefined ? [dnsName(rr.name)] : [];
  }
}

function rcodeOf(record: MonitorRecord): string | undefined {
  if (record.state === 'success') return 'NOERROR';
  if (record.state === 'rcode-failure' && record.rcode !== undefined) return dnsRcodeName(record.rcode);
  return undefined;
}

function answersFor(question: MonitorKey, record: MonitorRecord): string[] {
  const rrs = record.answer.flatMap((a) => (a.rr ? [a.rr] : []));
  // Follow the alias chain from the queried name (bounded: a chain longer than the answer is a loop).
  const chain = new Set([dnsName(question.name)]);
  for (let grew = true, rounds = 0; grew && rounds <= rrs.length; rounds++) {
    grew = false;
    for (const rr of rrs) {
      if ((rr.key.type === DNS_TYPE.CNAME || rr.key.type === DNS_TYPE.DNAME) && rr.name !== undefined && chain.has(dnsName(rr.key.name))) {
        const target = dnsName(rr.name);
        if (!chain.has(target)) {
          chain.add(target);
          grew = true;
        }
      }
    }
  }
  const answers: string[] = [];
  for (const rr of rrs) {
    if (!chain.has(dnsName(rr.key.name))) continue;
    const isAlias = rr.key.type === DNS_TYPE.CNAME || rr.key.type === DNS_TYPE.DNAME;
    if (isAlias || rr.key.type === question.type || question.type === 255) answers.push(...renderRr(rr));
  }
  return answers;
}

export function observationsOf(record: MonitorRecord): DnsObservation[] {
  const rcode = rcodeOf(record);
  const seen = new Set<string>();
  const out: DnsObservation[] = [];
  for (const question of record.question) {
    const query = dnsName(question.name);
    const qtype = dnsTypeName(question.type);
    const id = `${query}\u0000${qtype}`;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push({ query, qtype, ...(rcode !== undefined ? { rcode } : {}), answers: answersFor(question, record), resolvedState: record.state });
  }
  return out;
}
