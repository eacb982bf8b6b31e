/**
 * Best-effort attribution of resolved's query results to the process that asked, from the audit trail.
 *
 * resolved's monitor says what was asked and answered, never by whom. Two of resolved's three front doors leave
 * a trace in Picket's audit rules: a connect() to the stub listener (127.0.0.53:53 / 127.0.0.54:53, inet, rule
 * key picket_net_connect) and a connect() to the varlink socket /run/systemd/resolve/io.systemd.Resolve (unix,
 * picket_net_connect_unix; nss-resolve, i.e. getaddrinfo() with `hosts: resolve` in nsswitch.conf). Both carry
 * the pid and a kernel timestamp from the same clock as the time the agent read the monitor line. The third door,
 * D-Bus (resolvectl query, some desktop and network managers), looks like any other system-bus client and is not
 * used: those results stay unattributed.
 *
 * Matching, per result read at time T (after a hold for late audit events, see dns-pipeline.ts):
 *  1. a front-door connect in [T - windowMs, T + skewMs] that explained a result for the same name within
 *     `pairMs` before (the A and AAAA queries glibc sends over one connected socket) -> that process;
 *  2. else the oldest connect in the window that has explained nothing yet (results come back roughly in the
 *     order clients connected) -> that process, `ambiguous` when other unused connects of other processes were
 *     in the window too (their pids are listed so a responder can look at them);
 *  3. else unattributed, with the reason.
 * What this cannot see: queries over a socket connected long before (a daemon with a persistent resolver
 * socket: only its first query matches), unconnected sendto() to the stub, D-Bus clients, and anything that does
 * not go through resolved at all (docs/agent-dns.md).
 */
import type { LineageEntry, NetEvent, ProcessInfo, RuntimeEvent } from '../../../lambda/domain/events/runtime-event';

export type FrontDoor = 'stub' | 'varlink';

export interface AttributionOptions {
  /** resolved's stub listener addresses (DNSStubListener, DNSStubListenerExtra). @default ['127.0.0.53', '127.0.0.54'] */
  readonly stubAddresses?: readonly string[];
  /** @default ['/run/systemd/resolve/io.systemd.Resolve', '/var/run/systemd/resolve/io.systemd.Resolve'] */
  readonly varlinkSockets?: readonly string[];
  /** How long before a result its client's connect may have happened. @default 2000 */
  readonly windowMs?: number;
  /** Clock slack: a connect stamped up to this long after the result still counts (both clocks are the same
   * CLOCK_REALTIME at millisecond resolution, and the connect always comes before the answer). @default 2 */
  readonly skewMs?: number;
  /**
   * A connect that explained a result for a name explains another result for the same name read within this
   * long of it (glibc's A and AAAA over one socket, or one varlink/D-Bus line with both questions). @default 100
   */
  readonly pairMs?: number;
  /** Most front-door connects remembered (oldest forgotten first). @default 4096 */
  readonly maxConnects?: number;
}

export type DnsAttribution =
  | {
      readonly status: 'attributed' | 'ambiguous';
      readonly via: FrontDoor;
      readonly process: ProcessInfo;
      readonly lineage: readonly LineageEntry[];
      /** Result read time minus connect time, in ms. */
      readonly lagMs: number;
      /** The resolver address the client connected to (stub only). */
      readonly resolverIp?: string;
      /** When ambiguous: pids of the other processes that connected in the window (at most 8). */
      readonly otherPids?: readonly number[];
    }
  | { readonly status: 'unattributed'; readonly reason: 'no-front-door-connect' | 'front-door-connects-already-matched' };

export interface AttributionStats {
  readonly connectsSeen: number;
  readonly connectsRemembered: number;
  readonly attributed: number;
  readonly ambiguous: number;
  readonly unattributed: number;
}

interface FrontDoorConnect {
  readonly atMs: number;
  readonly via: FrontDoor;
  readonly event: NetEvent;
  /** Names of the results this connect explained. */
  readonly names: Set<string>;
  /** Read time of the last result it explained. */
  lastMatchMs: number;
}

const MAX_OTHER_PIDS = 8;

export class DnsAttributor {
  private readonly stubAddresses: ReadonlySet<string>;
  private readonly varlinkSockets: ReadonlySet<string>;
  private readonly windowMs: number;
  private readonly skewMs: number;
  private readonly maxConnects: number;
  private readonly pairMs: number;
  /** In arrival order, which is audit order: nearly sorted by time. */
  private connects: FrontDoorConnect[] = [];
  private counts = { connectsSeen: 0, attributed: 0, ambiguous: 0, unattributed: 0 };

  constructor(options: AttributionOptions = {}) {
    this.stubAddresses = new Set(options.stubAddresses ?? ['127.0.0.53', '127.0.0.54']);
    this.varlinkSockets = new Set(options.varlinkSockets ?? ['/run/systemd/resolve/io.systemd.Resolve', '/var/run/systemd/resolve/io.systemd.Resolve']);
    this.windowMs = options.windowMs ?? 2000;
    this.skewMs = options.skewMs ?? 2;
    this.maxConnects = options.maxConnects ?? 4096;
    this.pairMs = options.pairMs ?? 100;
  }

  /** Feeds one runtime event of the audit path; keeps only successful connects to one of resolved's doors. */
  observe(event: RuntimeEvent): void {
    if (event.kind !== 'net_connect' || event.success === false) return;
    const via = this.frontDoorOf(event);
    if (!via) return;
    const atMs = Date.parse(event.ts);
    if (Number.isNaN(atMs)) return;
    this.counts.connectsSeen++;
    this.connects.push({ atMs, via, event, names: new Set(), lastMatchMs: Number.NEGATIVE_INFINITY });
    if (this.connects.length > this.maxConnects) this.connects.splice(0, this.connects.length - this.maxConnects);
  }

  /** The process behind a result for `query` read at `atMs`; marks the connect it used. */
  attribute(query: string, atMs: number): DnsAttribution {
    const from = atMs - this.windowMs;
    const to = atMs + this.skewMs;
    let affinity: FrontDoorConnect | undefined;
    let oldestUnused: FrontDoorConnect | undefined;
    const unusedPids = new Set<number>();
    let sawUsed = false;
    for (const c of this.connects) {
      if (c.atMs < from || c.atMs > to) continue;
      if (c.names.size === 0) {
        unusedPids.add(c.event.process.pid);
        if (!oldestUnused || c.atMs < oldestUnused.atMs) oldestUnused = c;
      } else {
        sawUsed = true;
        if (c.names.has(query) && atMs - c.lastMatchMs <= this.pairMs && (!affinity || c.atMs > affinity.atMs)) affinity = c;
      }
    }
    const chosen = affinity ?? oldestUnused;
    if (!chosen) {
      this.counts.unattributed++;
      return { status: 'unattributed', reason: sawUsed ? 'front-door-connects-already-matched' : 'no-front-door-connect' };
    }
    chosen.names.add(query);
    chosen.lastMatchMs = atMs;
    const pid = chosen.event.process.pid;
    const otherPids = affinity ? [] : [...unusedPids].filter((p) => p !== pid).slice(0, MAX_OTHER_PIDS);
    const status = otherPids.length > 0 ? 'ambiguous' : 'attributed';
    this.counts[status]++;
    const remoteIp = chosen.event.net.remoteIp;
    return {
      status,
      via: chosen.via,
      process: chosen.event.process,
      lineage: chosen.event.lineage,
      lagMs: Math.max(0, atMs - chosen.atMs),
      ...(chosen.via === 'stub' && remoteIp !== undefined ? { resolverIp: remoteIp } : {}),
      ...(otherPids.length > 0 ? { otherPids } : {}),
    };
  }

  /** Forgets connects too old to explain a result read at `nowMs` or later. */
  prune(nowMs: number): void {
    const horizon = nowMs - this.windowMs;
    if (this.connects.length > 0 && this.connects[0]!.atMs < horizon) this.connects = this.connects.filter((c) => c.atMs >= horizon);
  }

  stats(): AttributionStats {
    return { ...this.counts, connectsRemembered: this.connects.length };
  }

  private frontDoorOf(event: NetEvent): FrontDoor | undefined {
    const net = event.net;
    if ((net.family === 'inet' || net.family === 'inet6') && net.remotePort === 53 && net.remoteIp !== undefined && this.stubAddresses.has(net.remoteIp)) return 'stub';
    if (net.family === 'unix' && net.path !== undefined && this.varlinkSockets.has(net.path)) return 'varlink';
    return undefined;
  }
}
