/** A compiled Sigma rule as a DetectionRule raising `Custom:Runtime/<RuleName>`. */
import type { ActivityEvent, EventKind } from '../../events/runtime-event';
import type { DetectionRule, FindingCandidate, RuleContext } from '../rule';
import type { CompiledDetection } from './detection';
import type { MatchEnvCache } from './match-env';
import type { SigmaRuleMeta } from './rule-meta';

/** Licence note cited in evidence when a rule does not name its own (SigmaHQ rules are DRL 1.1). */
export const DEFAULT_SIGMA_LICENSE = 'DRL 1.1';

export interface SigmaRuleInfo {
  readonly meta: SigmaRuleMeta;
  readonly findingType: string;
  readonly path: string;
  readonly license: string;
}

export class SigmaDetectionRule implements DetectionRule {
  readonly id: string;
  readonly kinds: readonly EventKind[];
  readonly types: readonly string[];
  private readonly evidence: Readonly<Record<string, unknown>>;

  constructor(
    readonly info: SigmaRuleInfo,
    readonly detection: CompiledDetection,
    private readonly envs: MatchEnvCache,
  ) {
    this.id = `sigma-${info.meta.id}`;
    this.kinds = detection.kinds;
    this.types = [info.findingType];
    this.evidence = Object.freeze({
      sigmaId: info.meta.id,
      title: info.meta.title,
      level: info.meta.level,
      ...(info.meta.author ? { author: info.meta.author } : {}),
      license: info.license,
      ruleFile: info.path,
    });
  }

  /** Sigma rules are stateless: the context is not read. */
  evaluate(event: ActivityEvent, _ctx?: RuleContext): readonly FindingCandidate[] {
    if (!this.kinds.includes(event.kind)) return [];
    const env = this.envs.for(event);
    const atoms = this.detection.atoms;
    if (atoms !== null && !anyHit(env.atomHits(), atoms)) return [];
    if (!this.detection.test(env)) return [];
    const { meta } = this.info;
    return [
      {
        type: this.info.findingType,
        severity: meta.severity,
        aggregationKey: `${meta.id}|${event.process.exe}`,
        description: `Sigma rule "${meta.title}" (${meta.level}) matched ${event.kind} of ${event.process.exe}`,
        evidence: this.evidence,
      },
    ];
  }
}

function anyHit(hits: Uint8Array, atoms: Int32Array): boolean {
  for (let i = 0; i < atoms.length; i++) if (hits[atoms[i]!] === 1) return true;
  return false;
}
