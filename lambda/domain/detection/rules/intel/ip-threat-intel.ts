/**
 * IP threat intel on connections: the remote address of net_connect (outbound) or net_accept
 * (inbound) on a threat list raises the type of the list's category. Trusted lists win (the
 * IntelSet never matches a trusted address).
 */
import type { ActivityEvent, NetEvent } from '../../../events/runtime-event';
import type { ThreatCategory } from '../../intel-set';
import { type DetectionRule, type FindingCandidate, NO_FINDINGS, type RuleContext } from '../../rule';
import { intelEvidence, networkConnectionAction, socketContext } from './intel-actions';

const BY_CATEGORY: Partial<Record<ThreatCategory, string>> = {
  mining_pool: 'CryptoCurrency:Runtime/BitcoinTool.B',
  c2: 'Backdoor:Runtime/C&CActivity.B',
  malicious: 'Backdoor:Runtime/C&CActivity.B',
  custom: 'Backdoor:Runtime/C&CActivity.B',
  blackhole: 'Trojan:Runtime/BlackholeTraffic',
  drop_point: 'Trojan:Runtime/DropPoint',
};

/** Outbound to a Tor node: this host is a Tor client. Inbound from one: it is acting as a relay. */
function torType(event: NetEvent): string {
  return event.kind === 'net_accept' ? 'UnauthorizedAccess:Runtime/TorRelay' : 'UnauthorizedAccess:Runtime/TorClient';
}

export const ipThreatIntelRule: DetectionRule = {
  id: 'ip-threat-intel',
  kinds: ['net_connect', 'net_accept'],
  types: [
    'CryptoCurrency:Runtime/BitcoinTool.B',
    'Backdoor:Runtime/C&CActivity.B',
    'UnauthorizedAccess:Runtime/TorRelay',
    'UnauthorizedAccess:Runtime/TorClient',
    'Trojan:Runtime/BlackholeTraffic',
    'Trojan:Runtime/DropPoint',
  ],
  evaluate(e: ActivityEvent, ctx: RuleContext): readonly FindingCandidate[] {
    const event = e as NetEvent;
    const remote = event.net?.remoteIp;
    if (remote === undefined || event.net.family === 'unix') return NO_FINDINGS;
    // A failed connect still shows intent (GuardDuty reports blocked attempts too), so no success check.
    const match = ctx.intel.matchIp(remote);
    if (!match) return NO_FINDINGS;
    const type = match.category === 'tor_relay' || match.category === 'tor_client' ? torType(event) : BY_CATEGORY[match.category];
    if (!type) return NO_FINDINGS;
    // A beacon or a pool connection repeats all day: a repeat needs no description.
    if (ctx.countRepeat?.(type, remote)) return NO_FINDINGS;
    const direction = event.kind === 'net_accept' ? 'accepted a connection from' : 'connected to';
    const port = event.net.remotePort !== undefined ? ` port ${event.net.remotePort}` : '';
    return [
      {
        type,
        aggregationKey: remote,
        description: `${event.process.exe} (pid ${event.process.pid}) ${direction} ${remote}${port}, listed in ${match.list} (${match.category}).`,
        action: networkConnectionAction(event),
        context: socketContext(event),
        evidence: intelEvidence(match),
      },
    ];
  },
};
