/**
 * DefenseEvasion:Runtime/ProcessInjection.VirtualMemoryWrite — process_vm_writev into another
 * process. Debuggers and checkpoint tools (gdb, criu) and writes into one's own descendants are
 * not reported; everything else writing another process's memory is.
 */
import type { ActivityEvent } from '../../../events/runtime-event';
import { DEBUGGERS } from '../../knowledge/admin-tools';
import { baseName, inSet } from '../../knowledge/names';
import { type DetectionRule, type FindingCandidate, NO_FINDINGS, type RuleContext } from '../../rule';
import { isDescendantOf } from './support/ancestry';
import { compact } from './support/compact';
import { eventNames, processName } from './support/process-context';
import { NS_PROC, type ProcMemo } from './support/state-keys';

const TYPE = 'DefenseEvasion:Runtime/ProcessInjection.VirtualMemoryWrite';

export const processInjectionVmWrite: DetectionRule = {
  id: 'process-injection-vm-write',
  kinds: ['process_vm_write'],
  types: [TYPE],
  evaluate(event: ActivityEvent, { state, now }: RuleContext): readonly FindingCandidate[] {
    if (event.kind !== 'process_vm_write' || event.success === false) return NO_FINDINGS;
    const target = event.target;
    if (!target || target.pid === event.process.pid) return NO_FINDINGS;
    if (target.isDescendant === true || isDescendantOf(state, target.pid, event.process.pid, now)) return NO_FINDINGS;
    if (eventNames(event).some((n) => inSet(DEBUGGERS, n))) return NO_FINDINGS;
    const targetExe = target.exe ?? state.recall<ProcMemo>(NS_PROC, target.pid, now)?.exe;
    return [
      {
        type: TYPE,
        aggregationKey: `${event.process.exe}|${targetExe ?? target.pid}`,
        description: `${processName(event)} (pid ${event.process.pid}) wrote into the memory of ${targetExe ? baseName(targetExe) : 'process'} (pid ${target.pid}) with process_vm_writev.`,
        context: compact({ targetProcess: { pid: target.pid, executablePath: targetExe } }),
      },
    ];
  },
};
