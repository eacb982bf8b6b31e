/**
 * The DNS side of the agent, synchronous and clock-free (the caller passes times), so tests drive it with
 * real captures: monitor lines in (with the time each was read), audit events in (for attribution), `dns_query`
 * runtime events out.
 *
 *   const dns = new DnsPipeline({ instanceId, nextSeq });
 *   auditEvents.forEach((e) => dns.observeAudit(e));
 *   dns.pushLine(line, lineNo, Date.now());          // returns the issue when the line is unusable
 *   every ~250 ms: dns.drain(Date.now()) -> events  // results whose hold has passed
 *   at stop: dns.flush()
 *
 * A result is held `holdMs` after it was read before it is attributed: the audit record of the client's
 * connect() can reach the agent after resolved's answer (auditd buffers, the reader polls), and attributing at
 * once would miss it. Events keep the order of the monitor lines.
 */

import { UNKNOWN_PROCESS } from '../../../lambda/domain/agentless/log-process';
import type { DnsQueryEvent, RuntimeEvent } from '../../../lambda/domain/events/runtime-event';
import { truncateEvent } from '../../../lambda/domain/events/truncate';
import { type AttributionOptions, type AttributionStats, type DnsAttribution, DnsAttributor } from './attribution';
import { type MonitorParseIssue, parseMonitorLine } from './monitor-record';
import { type DnsObservation, observationsOf } from './observations';

export interface DnsPipelineOptions {
  readonly instanceId: string;
  readonly nextSeq: () => number;
  /** How long a result waits for its client's audit record before it is attributed. @default 1000 */
  readonly holdMs?: number;
  readonly attribution?: AttributionOptions;
  /** Most results waiting (oldest emitted early, unattributed-or-not, when exceeded). @default 10000 */
  readonly maxPending?: number;
}

export interface DnsPipelineStats {
  readonly linesRead: number;
  readonly linesUnparsed: number;
  readonly eventsEmitted: number;
  /** Results that were pushed out before their hold because too many were waiting. */
  readonly heldTooLong: number;
  readonly pending: number;
  readonly attribution: AttributionStats;
}

/**
 * What `dns.attribution` says on every event from this sensor (an optional v1 field; unknown fields are allowed
 * by the contract): whether `process` is the real client or the UNKNOWN_PROCESS placeholder, and how sure.
 */
export type DnsAttributionField =
  | { readonly status: 'attributed'; readonly via: 'stub' | 'varlink'; readonly lagMs: number }
  | { readonly status: 'ambiguous'; readonly via: 'stub' | 'varlink'; readonly lagMs: number; readonly otherPids: readonly number[] }
  | { readonly status: 'unattributed'; readonly reason: string };

/** A `dns_query` event as this sensor emits it. */
export type ResolvedDnsEvent = DnsQueryEvent & {
  readonly dns: DnsQueryEvent['dns'] & { readonly resolvedState: string; readonly attribution: DnsAttributionField };
};

interface Pending {
  readonly readAtMs: number;
  readonly observations: readonly DnsObservation[];
}

export class DnsPipeline {
  private readonly attributor: DnsAttributor;
  private readonly holdMs: number;
  private readonly maxPending: number;
  private pending: Pending[] = [];
  private pendingHead = 0;
  private counts = { linesRead: 0, linesUnparsed: 0, eventsEmitted: 0, heldTooLong: 0 };

  constructor(private readonly options: DnsPipelineOptions) {
    this.attributor = new DnsAttributor(options.attribution);
    this.holdMs = options.holdMs ?? 1000;
    this.maxPending = options.maxPending ?? 10_000;
  }

  /** Feeds one event of the audit path (cheap for everything but front-door connects). */
  observeAudit(event: RuntimeEvent): void {
    this.attributor.observe(event);
  }

  /**
   * Queues one monitor line read at `readAtMs`. Returns the issue when the line could not be used (never throws);
   * events come out of `drain` once the hold has passed.
   */
  pushLine(line: string, lineNo: number, readAtMs: number): { issue?: MonitorParseIssue; overflow: ResolvedDnsEvent[] } {
    this.counts.linesRead++;
    const parsed = parseMonitorLine(line, lineNo);
    if (!parsed.ok) {
      if (parsed.skip) return { overflow: [] };
      this.counts.linesUnparsed++;
      return { issue: parsed.issue, overflow: [] };
    }
    this.pending.push({ readAtMs, observations: observationsOf(parsed.record) });
    const overflow: ResolvedDnsEvent[] = [];
    while (this.pending.length - this.pendingHead > this.maxPending) {
      this.counts.heldTooLong++;
      overflow.push(...this.emit(this.pending[this.pendingHead++]!));
    }
    this.compact();
    return { overflow };
  }

  /** Events of the results read at least `holdMs` before `nowMs`, in reading order. */
  drain(nowMs: number): ResolvedDnsEvent[] {
    const out: ResolvedDnsEvent[] = [];
    while (this.pendingHead < this.pending.length && this.pending[this.pendingHead]!.readAtMs + this.holdMs <= nowMs) {
      out.push(...this.emit(this.pending[this.pendingHead++]!));
    }
    this.compact();
    this.attributor.prune(nowMs - this.holdMs);
    return out;
  }

  /** Every waiting result, now (shutdown). */
  flush(): ResolvedDnsEvent[] {
    const out: ResolvedDnsEvent[] = [];
    while (this.pendingHead < this.pending.length) out.push(...this.emit(this.pending[this.pendingHead++]!));
    this.compact();
    return out;
  }

  stats(): DnsPipelineStats {
    return { ...this.counts, pending: this.pending.length - this.pendingHead, attribution: this.attributor.stats() };
  }

  private compact(): void {
    if (this.pendingHead > 1024 && this.pendingHead * 2 > this.pending.length) {
      this.pending = this.pending.slice(this.pendingHead);
      this.pendingHead = 0;
    }
  }

  private emit(result: Pending): ResolvedDnsEvent[] {
    const ts = new Date(result.readAtMs).toISOString();
    return result.observations.map((obs) => {
      const attribution = this.attributor.attribute(obs.query, result.readAtMs);
      this.counts.eventsEmitted++;
      return truncateEvent(this.toEvent(obs, ts, attribution));
    });
  }

  private toEvent(obs: DnsObservation, ts: string, attribution: DnsAttribution): ResolvedDnsEvent {
    const known = attribution.status !== 'unattributed';
    const field: DnsAttributionField =
      attribution.status === 'unattributed'
        ? { status: 'unattributed', reason: attribution.reason }
        : attribution.status === 'ambiguous'
          ? { status: 'ambiguous', via: attribution.via, lagMs: attribution.lagMs, otherPids: attribution.otherPids ?? [] }
          : { status: 'attributed', via: attribution.via, lagMs: attribution.lagMs };
    const resolverIp = known ? attribution.resolverIp : undefined;
    return {
      v: 1,
      kind: 'dns_query',
      ts,
      instanceId: this.options.instanceId,
      seq: this.options.nextSeq(),
      process: known ? attribution.process : UNKNOWN_PROCESS,
      lineage: known ? attribution.lineage : [],
      sensor: 'resolved',
      dns: {
        query: obs.query,
        qtype: obs.qtype,
        ...(obs.rcode !== undefined ? { rcode: obs.rcode } : {}),
        answers: obs.answers,
        ...(resolverIp !== undefined ? { resolverIp } : {}),
        resolvedState: obs.resolvedState,
        attribution: field,
      },
    };
  }
}
