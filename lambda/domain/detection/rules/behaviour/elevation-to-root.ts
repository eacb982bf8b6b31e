/**
 * PrivilegeEscalation:Runtime/ElevationToRoot — a process that was not root becomes root by a route
 * other than the identity tools (sudo, su, passwd, login, …):
 *  - setuid family to 0 by a process whose exec-time real uid (or its parent's uid) was not 0;
 *  - an exec whose effective uid is 0 while its real uid is not (a setuid-root program that is not a
 *    known identity tool), or whose parent was not root and not an identity tool.
 * Unknown setuid programs in system directories are Medium; elsewhere (/tmp, home) High.
 */
import type { ActivityEvent } from '../../../events/runtime-event';
import { ELEVATION_TOOLS } from '../../knowledge/admin-tools';
import { inSet } from '../../knowledge/names';
import { inSystemDir } from '../../knowledge/paths';
import { type DetectionRule, type FindingCandidate, NO_FINDINGS, type RuleContext } from '../../rule';
import { compact } from './support/compact';
import { commandLine, entryNames, eventNames, pidKey, processName } from './support/process-context';
import { NS_PROC, type ProcMemo } from './support/state-keys';

const TYPE = 'PrivilegeEscalation:Runtime/ElevationToRoot';

export const elevationToRoot: DetectionRule = {
  id: 'elevation-to-root',
  kinds: ['setuid', 'process_exec'],
  types: [TYPE],
  evaluate(event: ActivityEvent, { state, now }: RuleContext): readonly FindingCandidate[] {
    if (event.success === false) return NO_FINDINGS;
    // Cheap identity checks first: almost every exec is a root child of root or a user child of a user.
    if (event.kind === 'process_exec' && (event.process.euid !== 0 || (event.process.uid === 0 && (event.lineage[0]?.uid ?? 0) === 0))) return NO_FINDINGS;
    if (event.kind === 'setuid' && event.setuid.newUid !== 0 && event.setuid.newEuid !== 0) return NO_FINDINGS;
    if (eventNames(event).some((n) => inSet(ELEVATION_TOOLS, n))) return NO_FINDINGS;
    const parent = event.lineage[0];
    const parentIsTool = parent ? entryNames(parent).some((n) => inSet(ELEVATION_TOOLS, n)) : false;
    let how: string | undefined;
    let fromUid: number | undefined;
    if (event.kind === 'setuid') {
      const toRoot = event.setuid.newUid === 0 || event.setuid.newEuid === 0;
      if (!toRoot) return NO_FINDINGS;
      const memo = state.recall<ProcMemo>(NS_PROC, pidKey(event), now);
      fromUid = memo?.uid ?? parent?.uid;
      if (fromUid === undefined || fromUid === 0) return NO_FINDINGS;
      how = `called ${event.setuid.syscall} to uid 0 after starting as uid ${fromUid}`;
    } else if (event.kind === 'process_exec') {
      const p = event.process;
      if (p.euid !== 0) return NO_FINDINGS;
      if (p.uid !== 0) {
        fromUid = p.uid;
        how = `started with effective uid 0 from a setuid-root program while its real uid is ${p.uid}`;
      } else if (parent && parent.uid !== undefined && parent.uid !== 0 && (parent.euid ?? parent.uid) !== 0 && !parentIsTool) {
        fromUid = parent.uid;
        how = `runs as root although its parent ${entryNames(parent)[0]} (pid ${parent.pid}) ran as uid ${parent.uid}`;
      } else return NO_FINDINGS;
    } else return NO_FINDINGS;
    const severity = inSystemDir(event.process.exe) ? 5 : undefined;
    return [
      {
        type: TYPE,
        ...(severity !== undefined ? { severity } : {}),
        aggregationKey: event.process.exe,
        description: `${processName(event)} (pid ${event.process.pid}) ${how}: ${commandLine(event.process.argv, 200)}`,
        context: compact({ previousUid: fromUid, newUid: 0, executablePath: event.process.exe }),
      },
    ];
  },
};
