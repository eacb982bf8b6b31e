/**
 * The detection-rule contract. A rule is a small pure function over one runtime event and the
 * per-instance state the engine keeps; it returns zero or more finding candidates. The engine turns
 * candidates into GuardDuty-shaped findings (ids, aggregation, suppression, intel enrichment).
 * One rule per file under ./rules; no I/O, no clock reads (use `event.ts` / `ctx.now`).
 */
import type { ActivityEvent, EventKind } from '../events/runtime-event';
import type { InstanceState } from './instance-state';
import type { IntelSet } from './intel-set';

export interface FindingCandidate {
  /** GuardDuty type, e.g. `Execution:Runtime/ReverseShell`. */
  readonly type: string;
  /** 1.0–10.0; defaults to the type's default severity from the catalogue. */
  readonly severity?: number;
  /**
   * What makes two occurrences "the same finding": repeats with the same key increase
   * `service.count` instead of raising a new finding (e.g. the executable path, the remote IP).
   */
  readonly aggregationKey: string;
  /** One sentence, built from event fields (attacker-controlled: never trust it as markup). */
  readonly description: string;
  /** GuardDuty's runtimeDetails.context fields for this type (modulePath, targetProcess, …). */
  readonly context?: Readonly<Record<string, unknown>>;
  /** GuardDuty's service.action shape for network and DNS findings. */
  readonly action?: Readonly<Record<string, unknown>>;
  /** The event whose process is the actor; defaults to the event being evaluated. */
  readonly actor?: ActivityEvent;
  /** Extra evidence for responders (rule id, matched indicator, related events' seqs). */
  readonly evidence?: Readonly<Record<string, unknown>>;
}

/** What a rule returns when it found nothing: one shared frozen array, so the common case allocates nothing. */
export const NO_FINDINGS: readonly FindingCandidate[] = Object.freeze([]);

export interface RuleContext {
  /** Mutable per-instance memory (baselines, recent writes, listeners, sequences). */
  readonly state: InstanceState;
  /** Threat lists, trusted lists and hash lists, already loaded. */
  readonly intel: IntelSet;
  /** Event time in epoch ms (never the wall clock: replays must give the same findings). */
  readonly now: number;
  /**
   * Memory shared by every instance of the account (e.g. "has any instance of this account queried
   * this domain before?" for domain rarity). Optional: rules fall back to `state` without it.
   */
  readonly accountState?: InstanceState;
  /**
   * Counts one more occurrence of a finding the engine already holds, and says whether it did. A
   * repeat only moves the finding's count, last-seen time and severity, never its description,
   * context or evidence, so a rule whose findings repeat often asks this with the type and
   * aggregation key it would put in its candidate, and builds the candidate only on `false` (a new
   * finding, or a context without an engine behind it). The result is the same either way.
   */
  readonly countRepeat?: (type: string, aggregationKey: string, severity?: number) => boolean;
}

export interface DetectionRule {
  /** Stable id, kebab-case, e.g. `reverse-shell`. */
  readonly id: string;
  /** Kinds the rule wants; the engine calls it for nothing else. */
  readonly kinds: readonly EventKind[];
  /** Finding types this rule can raise (for docs and the catalogue test). */
  readonly types: readonly string[];
  evaluate(event: ActivityEvent, ctx: RuleContext): readonly FindingCandidate[];
}
