/**
 * Execution:Runtime/MaliciousFileExecuted and .Custom — the executable's SHA-256 is on a hash list:
 * a shipped or subscribed list (any category but custom) or the user's own list (category custom,
 * the .Custom type). The hash is computed by the live agent at exec time; offline logs carry none.
 */
import type { ActivityEvent } from '../../../events/runtime-event';
import { type DetectionRule, type FindingCandidate, NO_FINDINGS, type RuleContext } from '../../rule';
import { compact } from './support/compact';
import { processName } from './support/process-context';

const TYPE = 'Execution:Runtime/MaliciousFileExecuted';
const CUSTOM = 'Execution:Runtime/MaliciousFileExecuted.Custom';

export const maliciousFileExecuted: DetectionRule = {
  id: 'malicious-file-executed',
  kinds: ['process_exec'],
  types: [TYPE, CUSTOM],
  evaluate(event: ActivityEvent, { intel }: RuleContext): readonly FindingCandidate[] {
    if (event.kind !== 'process_exec' || event.success === false) return NO_FINDINGS;
    const sha = event.process.sha256;
    if (!sha) return NO_FINDINGS;
    const match = intel.matchSha256(sha);
    if (!match) return NO_FINDINGS;
    const type = match.category === 'custom' ? CUSTOM : TYPE;
    return [
      {
        type,
        aggregationKey: sha.toLowerCase(),
        description: `${processName(event)} (${event.process.exe}) has SHA-256 ${sha}, listed in ${match.list} (${match.category}).`,
        context: compact({ threatFilePath: event.process.exe, threatFileSha256: sha, threatName: match.list }),
        evidence: { list: match.list, category: match.category, indicator: match.indicator },
      },
    ];
  },
};
