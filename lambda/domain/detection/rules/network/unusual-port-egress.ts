/**
 * Unusual-port egress from VPC Flow Logs: outbound traffic to a public address on a port that mining
 * pools (stratum) and common command-and-control tools use, and that ordinary services do not. The
 * miner port list comes from intel/miner-indicators.ts minus ports that are also everyday services
 * (SMTP, web alternates, proxies): those would make a finding for every web client.
 * Flow-log events only: the agent sees the process and has better rules for it (CryptoMinerExecuted).
 */
import type { ActivityEvent, NetEvent } from '../../../events/runtime-event';
import { MINER_PORTS } from '../../../intel/miner-indicators';
import { type DetectionRule, type FindingCandidate, NO_FINDINGS, type RuleContext } from '../../rule';
import { networkConnectionAction } from '../intel/intel-actions';
import { isPublicAddress } from './address-scope';

/** Miner ports that double as everyday service ports (mail, HTTP alternates, proxies, admin UIs). */
const EVERYDAY_PORTS = new Set([25, 5555, 6666, 8000, 8001, 8008, 8080, 8118, 8888, 8899, 9999]);

/** Classic C2 and IRC-botnet ports, plus Tor's default ORPort/DirPort. */
const C2_PORTS: ReadonlyMap<number, string> = new Map([
  [1337, 'backdoor'],
  [31337, 'backdoor'],
  [6667, 'IRC (botnet C2)'],
  [6697, 'IRC over TLS (botnet C2)'],
  [9001, 'Tor ORPort'],
  [9030, 'Tor DirPort'],
]);

/** Port to why it is unusual. */
export const UNUSUAL_EGRESS_PORTS: ReadonlyMap<number, string> = new Map([
  ...MINER_PORTS.filter((p) => !EVERYDAY_PORTS.has(p)).map((p) => [p, 'mining pool (stratum)'] as [number, string]),
  ...C2_PORTS,
]);

export const unusualPortEgressRule: DetectionRule = {
  id: 'unusual-port-egress',
  kinds: ['net_connect'],
  types: ['Behavior:Runtime/NetworkPortUnusual'],
  evaluate(e: ActivityEvent, ctx: RuleContext): readonly FindingCandidate[] {
    const event = e as NetEvent;
    if (event.sensor !== 'vpc-flow-logs' || event.net?.direction === 'ingress') return NO_FINDINGS;
    const { remoteIp, remotePort } = event.net ?? {};
    if (remoteIp === undefined || remotePort === undefined) return NO_FINDINGS;
    const why = UNUSUAL_EGRESS_PORTS.get(remotePort);
    if (why === undefined || !isPublicAddress(remoteIp) || ctx.intel.isTrustedIp(remoteIp)) return NO_FINDINGS;
    // A listed address is the intel rule's finding (C&CActivity.B, BitcoinTool.B): not reported twice.
    if (ctx.intel.matchIp(remoteIp)) return NO_FINDINGS;
    const outcome = event.success === false ? 'attempted outbound traffic' : 'sent outbound traffic';
    return [
      {
        type: 'Behavior:Runtime/NetworkPortUnusual',
        aggregationKey: String(remotePort),
        description: `The instance ${outcome} to ${remoteIp} port ${remotePort}, a port used for ${why}.`,
        action: networkConnectionAction(event),
        evidence: { remotePortUse: why, ...(event.net.bytes !== undefined ? { bytes: event.net.bytes } : {}) },
      },
    ];
  },
};
