/**
 * Execution:Runtime/NewBinaryExecuted — a file written, made executable, renamed or linked into
 * place after the instance's baseline learning period, and then executed (the drop → chmod → exec
 * sequence). Files produced by a compiler or linker are reported Low (developers build and run all
 * day); files a package manager installs are not reported. Silent while the baseline is learning.
 */
import type { ActivityEvent } from '../../../events/runtime-event';
import { CONFIG_MANAGEMENT, PACKAGE_MANAGERS, TOOLCHAIN } from '../../knowledge/admin-tools';
import { inSet } from '../../knowledge/names';
import { inDropDir } from '../../knowledge/paths';
import { type DetectionRule, type FindingCandidate, NO_FINDINGS, type RuleContext } from '../../rule';
import { compact } from './support/compact';
import { processName } from './support/process-context';
import { type FileMemo, NS_FILE } from './support/state-keys';

const TYPE = 'Execution:Runtime/NewBinaryExecuted';
const LOW = 2;

export const newBinaryExecuted: DetectionRule = {
  id: 'new-binary-executed',
  kinds: ['process_exec'],
  types: [TYPE],
  evaluate(event: ActivityEvent, { state, now }: RuleContext): readonly FindingCandidate[] {
    if (event.kind !== 'process_exec' || event.success === false) return NO_FINDINGS;
    if (state.isLearning(now)) return NO_FINDINGS;
    const path = event.process.exe.replace(/ \(deleted\)$/, '');
    const memo = state.recall<FileMemo>(NS_FILE, path, now);
    if (!memo) return NO_FINDINGS;
    if (memo.writerLineage.some((n) => inSet(PACKAGE_MANAGERS, n) || inSet(CONFIG_MANAGEMENT, n))) return NO_FINDINGS;
    const builtLocally = memo.writerLineage.slice(0, 3).some((n) => inSet(TOOLCHAIN, n));
    return [
      {
        type: TYPE,
        ...(builtLocally ? { severity: LOW } : {}),
        aggregationKey: path,
        description: `${processName(event)} was executed from ${path}, which ${memo.writerLineage[0] ?? 'a process'} (pid ${memo.pid}) ${memo.how === 'chmod' ? 'made executable' : memo.how === 'write' ? 'wrote' : `${memo.how}ed into place`} at ${memo.ts}${builtLocally ? ' (built by a local toolchain)' : ''}${inDropDir(path) ? ', in a world-writable directory' : ''}.`,
        context: compact({ threatFilePath: path, modifyingProcess: memo.exe, modifiedAt: memo.ts }),
        evidence: { writerPid: memo.pid, how: memo.how, writerLineage: memo.writerLineage.slice(0, 6), builtLocally },
      },
    ];
  },
};
