/**
 * DefenseEvasion:Runtime/PtraceAntiDebugging — PTRACE_TRACEME by a process whose parent is not a
 * debugger: the process makes itself its parent's tracee so no debugger can attach (malware does it
 * to resist analysis). A debugger's child calling TRACEME (gdb's `run`) is routine.
 */
import type { ActivityEvent } from '../../../events/runtime-event';
import { DEBUGGERS } from '../../knowledge/admin-tools';
import { inSet } from '../../knowledge/names';
import { type DetectionRule, type FindingCandidate, NO_FINDINGS, type RuleContext } from '../../rule';
import { compact } from './support/compact';
import { entryNames, processName } from './support/process-context';

const TYPE = 'DefenseEvasion:Runtime/PtraceAntiDebugging';

export const ptraceAntiDebugging: DetectionRule = {
  id: 'ptrace-anti-debugging',
  kinds: ['ptrace'],
  types: [TYPE],
  evaluate(event: ActivityEvent, _ctx: RuleContext): readonly FindingCandidate[] {
    if (event.kind !== 'ptrace' || event.ptrace.requestName !== 'PTRACE_TRACEME') return NO_FINDINGS;
    const parent = event.lineage[0];
    if (parent && entryNames(parent).some((n) => inSet(DEBUGGERS, n))) return NO_FINDINGS;
    return [
      {
        type: TYPE,
        aggregationKey: event.process.exe,
        description: `${processName(event)} (pid ${event.process.pid}) called PTRACE_TRACEME with ${parent ? `parent ${entryNames(parent)[0]}` : 'no known parent'}, which is not a debugger: a guard against being debugged.`,
        context: compact({ ptraceRequest: 'PTRACE_TRACEME' }),
      },
    ];
  },
};
