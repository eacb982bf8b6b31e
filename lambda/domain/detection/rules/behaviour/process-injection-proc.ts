/**
 * DefenseEvasion:Runtime/ProcessInjection.Proc — another process's memory opened for writing
 * through /proc/<pid>/mem. Needs an audit rule that records write-opens under /proc (the shipped
 * picket.rules does not, for cost; see docs/findings-behaviour.md). Writes to one's own
 * /proc/self/mem (JITs, debuggers of self) and by debuggers are not reported.
 */
import type { ActivityEvent } from '../../../events/runtime-event';
import { DEBUGGERS } from '../../knowledge/admin-tools';
import { baseName, inSet } from '../../knowledge/names';
import { type DetectionRule, type FindingCandidate, NO_FINDINGS, type RuleContext } from '../../rule';
import { isDescendantOf } from './support/ancestry';
import { compact } from './support/compact';
import { eventNames, processName } from './support/process-context';
import { NS_PROC, type ProcMemo } from './support/state-keys';

const TYPE = 'DefenseEvasion:Runtime/ProcessInjection.Proc';
const PROC_MEM = /^\/proc\/(\d+|self|thread-self)(?:\/task\/\d+)?\/mem$/;

export const processInjectionProc: DetectionRule = {
  id: 'process-injection-proc',
  kinds: ['file_write'],
  types: [TYPE],
  evaluate(event: ActivityEvent, { state, now }: RuleContext): readonly FindingCandidate[] {
    if (event.kind !== 'file_write' || event.success === false) return NO_FINDINGS;
    const m = PROC_MEM.exec(event.file.path);
    if (!m) return NO_FINDINGS;
    if (m[1] === 'self' || m[1] === 'thread-self') return NO_FINDINGS;
    const targetPid = Number(m[1]);
    if (targetPid === event.process.pid || isDescendantOf(state, targetPid, event.process.pid, now)) return NO_FINDINGS;
    if (eventNames(event).some((n) => inSet(DEBUGGERS, n))) return NO_FINDINGS;
    const targetExe = state.recall<ProcMemo>(NS_PROC, targetPid, now)?.exe;
    return [
      {
        type: TYPE,
        aggregationKey: `${event.process.exe}|${targetExe ?? targetPid}`,
        description: `${processName(event)} (pid ${event.process.pid}) opened ${event.file.path} for writing: the memory of ${targetExe ? baseName(targetExe) : 'another process'}.`,
        context: compact({ targetProcess: { pid: targetPid, executablePath: targetExe }, filePath: event.file.path }),
      },
    ];
  },
};
