/**
 * Outbound port scan from VPC Flow Logs: one instance making failed or handshake-only (SYN without
 * ACK) outbound attempts to many distinct ports of one host (vertical scan) or to many distinct hosts
 * (horizontal sweep) within a window. Only flow-log events count: an agent's non-blocking connect()
 * reports failure (EINPROGRESS) for healthy connections too, so agent events would be noise here.
 */
import type { ActivityEvent, NetEvent } from '../../../events/runtime-event';
import { type DetectionRule, type FindingCandidate, NO_FINDINGS, type RuleContext } from '../../rule';
import { networkConnectionAction } from '../intel/intel-actions';

/** Sliding window (flow logs aggregate 1 or 10 minutes, so shorter windows would split one scan). */
export const PORTSCAN_WINDOW_MS = 10 * 60 * 1000;
/** Distinct ports on one host that make a vertical scan. */
export const PORTSCAN_MIN_PORTS = 20;
/** Distinct hosts (any port) that make a horizontal sweep. */
export const PORTSCAN_MIN_HOSTS = 20;
/** Targets remembered per window: bounded memory whatever the scan rate. */
const MAX_TARGETS = 512;
const NAMESPACE = 'network.portscan';
const KEY = 'window';

interface ScanWindow {
  /** Window start, epoch ms. */
  start: number;
  /** `host|port` of failed attempts. */
  targets: string[];
  reported: boolean;
}

function summarise(targets: readonly string[]): { hosts: Map<string, Set<string>>; maxPortsOnOneHost: number; busiestHost: string } {
  const hosts = new Map<string, Set<string>>();
  for (const t of targets) {
    const bar = t.lastIndexOf('|');
    const host = t.slice(0, bar);
    const ports = hosts.get(host) ?? new Set<string>();
    ports.add(t.slice(bar + 1));
    hosts.set(host, ports);
  }
  let busiestHost = '';
  let maxPortsOnOneHost = 0;
  for (const [host, ports] of hosts) {
    if (ports.size > maxPortsOnOneHost) {
      maxPortsOnOneHost = ports.size;
      busiestHost = host;
    }
  }
  return { hosts, maxPortsOnOneHost, busiestHost };
}

export const outboundPortScanRule: DetectionRule = {
  id: 'outbound-port-scan',
  kinds: ['net_connect'],
  types: ['Recon:Runtime/Portscan'],
  evaluate(e: ActivityEvent, ctx: RuleContext): readonly FindingCandidate[] {
    const event = e as NetEvent;
    if (event.sensor !== 'vpc-flow-logs' || event.success !== false) return NO_FINDINGS;
    const { remoteIp, remotePort } = event.net ?? {};
    if (remoteIp === undefined || remotePort === undefined || event.net.direction === 'ingress') return NO_FINDINGS;
    if (ctx.intel.isTrustedIp(remoteIp)) return NO_FINDINGS;
    let window = ctx.state.recall<ScanWindow>(NAMESPACE, KEY, ctx.now);
    if (!window || ctx.now - window.start > PORTSCAN_WINDOW_MS) window = { start: ctx.now, targets: [], reported: false };
    const target = `${remoteIp}|${remotePort}`;
    if (!window.targets.includes(target) && window.targets.length < MAX_TARGETS) window.targets.push(target);
    ctx.state.remember(NAMESPACE, KEY, window, PORTSCAN_WINDOW_MS, ctx.now);
    if (window.reported) return NO_FINDINGS;
    const { hosts, maxPortsOnOneHost, busiestHost } = summarise(window.targets);
    const vertical = maxPortsOnOneHost >= PORTSCAN_MIN_PORTS;
    const horizontal = hosts.size >= PORTSCAN_MIN_HOSTS;
    if (!vertical && !horizontal) return NO_FINDINGS;
    window.reported = true;
    ctx.state.remember(NAMESPACE, KEY, window, PORTSCAN_WINDOW_MS, ctx.now);
    const minutes = PORTSCAN_WINDOW_MS / 60000;
    const description = vertical
      ? `The instance made failed or unanswered outbound attempts to ${maxPortsOnOneHost} ports of ${busiestHost} within ${minutes} minutes.`
      : `The instance made failed or unanswered outbound attempts to ${hosts.size} hosts within ${minutes} minutes.`;
    return [
      {
        type: 'Recon:Runtime/Portscan',
        // One finding per instance and scan shape: repeats in later windows count on it.
        aggregationKey: vertical ? `vertical:${busiestHost}` : 'horizontal',
        description,
        action: networkConnectionAction(event),
        evidence: {
          scanKind: vertical ? 'vertical' : 'horizontal',
          distinctHosts: hosts.size,
          maxPortsOnOneHost,
          ...(vertical ? { scannedHost: busiestHost } : {}),
          sampleTargets: window.targets.slice(0, 10),
          windowStart: new Date(window.start).toISOString(),
        },
      },
    ];
  },
};
