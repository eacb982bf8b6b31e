/**
 * DefenseEvasion:Runtime/ProcessInjection.Ptrace — ptrace used to attach to or write into another
 * process that is not the tracer's descendant (PTRACE_ATTACH, SEIZE, POKETEXT, POKEDATA, POKEUSER,
 * SETREGS), by a program that is not a debugger. Debuggers and tracers (gdb, strace, …) attaching
 * anywhere, and any tracer of its own child, are routine and not reported.
 */
import type { ActivityEvent } from '../../../events/runtime-event';
import { DEBUGGERS } from '../../knowledge/admin-tools';
import { baseName, inSet } from '../../knowledge/names';
import { type DetectionRule, type FindingCandidate, NO_FINDINGS, type RuleContext } from '../../rule';
import { isDescendantOf } from './support/ancestry';
import { compact } from './support/compact';
import { eventNames, processName } from './support/process-context';
import { NS_PROC, type ProcMemo } from './support/state-keys';

const TYPE = 'DefenseEvasion:Runtime/ProcessInjection.Ptrace';
const INJECTING = new Set(['PTRACE_ATTACH', 'PTRACE_SEIZE', 'PTRACE_POKETEXT', 'PTRACE_POKEDATA', 'PTRACE_POKEUSER', 'PTRACE_SETREGS', 'PTRACE_SETREGSET']);

export const processInjectionPtrace: DetectionRule = {
  id: 'process-injection-ptrace',
  kinds: ['ptrace'],
  types: [TYPE],
  evaluate(event: ActivityEvent, { state, now }: RuleContext): readonly FindingCandidate[] {
    if (event.kind !== 'ptrace' || event.success === false) return NO_FINDINGS;
    const request = event.ptrace.requestName;
    if (!INJECTING.has(request)) return NO_FINDINGS;
    const target = event.target;
    if (!target || target.pid === event.process.pid) return NO_FINDINGS;
    if (target.isDescendant === true || isDescendantOf(state, target.pid, event.process.pid, now)) return NO_FINDINGS;
    if (eventNames(event).some((n) => inSet(DEBUGGERS, n))) return NO_FINDINGS;
    if (event.lineage.slice(0, 2).some((e) => inSet(DEBUGGERS, baseName(e.exe)))) return NO_FINDINGS;
    const targetExe = target.exe ?? state.recall<ProcMemo>(NS_PROC, target.pid, now)?.exe;
    const writes = request.includes('POKE') || request.includes('SETREGS');
    return [
      {
        type: TYPE,
        aggregationKey: `${event.process.exe}|${targetExe ?? target.pid}`,
        description: `${processName(event)} (pid ${event.process.pid}) used ${request} on ${targetExe ? baseName(targetExe) : 'process'} (pid ${target.pid}), which is not its descendant${writes ? ', writing into its memory or registers' : ''}.`,
        context: compact({ targetProcess: { pid: target.pid, executablePath: targetExe }, ptraceRequest: request }),
        evidence: { request, targetUid: target.uid },
      },
    ];
  },
};
