/**
 * GuardDuty's service.action shapes for the intel rules (not a rule: shared builders).
 * Network findings carry networkConnectionAction, DNS findings dnsRequestAction.
 */
import type { DnsQueryEvent, NetEvent } from '../../../events/runtime-event';
import type { IntelMatch } from '../../intel-set';

function ipDetails(ip: string | undefined): Record<string, string> | undefined {
  if (ip === undefined) return undefined;
  return ip.includes(':') ? { ipAddressV6: ip } : { ipAddressV4: ip };
}

export function networkConnectionAction(event: NetEvent): Record<string, unknown> {
  const n = event.net;
  return {
    actionType: 'NETWORK_CONNECTION',
    networkConnectionAction: {
      connectionDirection: event.kind === 'net_accept' ? 'INBOUND' : 'OUTBOUND',
      protocol: (n.protocol ?? 'other').toUpperCase(),
      blocked: false,
      ...(n.localPort !== undefined ? { localPortDetails: { port: n.localPort } } : {}),
      ...(n.remotePort !== undefined ? { remotePortDetails: { port: n.remotePort } } : {}),
      ...(n.localIp !== undefined ? { localIpDetails: ipDetails(n.localIp) } : {}),
      ...(n.remoteIp !== undefined ? { remoteIpDetails: ipDetails(n.remoteIp) } : {}),
    },
  };
}

/** GuardDuty's runtime context for socket findings. */
export function socketContext(event: NetEvent): Record<string, unknown> {
  const family = event.net.family === 'inet6' ? 'AF_INET6' : event.net.family === 'unix' ? 'AF_UNIX' : 'AF_INET';
  const proto = event.net.protocol === 'tcp' ? 6 : event.net.protocol === 'udp' ? 17 : undefined;
  return { addressFamily: family, ...(proto !== undefined ? { ianaProtocolNumber: proto } : {}) };
}

export function dnsRequestAction(event: DnsQueryEvent, domain: string): Record<string, unknown> {
  return {
    actionType: 'DNS_REQUEST',
    dnsRequestAction: {
      domain,
      protocol: 'UDP',
      blocked: false,
      ...(event.dns.qtype ? { queryType: event.dns.qtype } : {}),
      ...(event.dns.rcode ? { rcode: event.dns.rcode } : {}),
    },
  };
}

/** What responders want to know about a list hit (GuardDuty's threatIntelligenceDetails). */
export function intelEvidence(match: IntelMatch): Record<string, unknown> {
  return {
    threatIntelligenceDetails: [{ threatListName: match.list, threatNames: [match.category] }],
    indicator: match.indicator,
  };
}
