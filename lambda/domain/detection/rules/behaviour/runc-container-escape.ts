/**
 * PrivilegeEscalation:Runtime/RuncContainerEscape — a container runtime binary (runc, crun, …) on
 * the host is written, or a process opens /proc/<pid>/exe for writing (the CVE-2019-5736 route to
 * overwrite the host's runc from inside a container). Package managers upgrading runc are routine.
 * Needs a watch on the runtime binary (see docs/findings-behaviour.md).
 */
import type { ActivityEvent } from '../../../events/runtime-event';
import { baseName } from '../../knowledge/names';
import { inSystemDir, RUNTIME_BINARY_NAMES } from '../../knowledge/paths';
import { type DetectionRule, type FindingCandidate, NO_FINDINGS, type RuleContext } from '../../rule';
import { compact } from './support/compact';
import { commandLine, isAdminToolingLineage, processName } from './support/process-context';

const TYPE = 'PrivilegeEscalation:Runtime/RuncContainerEscape';

const PROC_EXE = /^\/proc\/(?:\d+|self)\/exe$/;

export const runcContainerEscape: DetectionRule = {
  id: 'runc-container-escape',
  kinds: ['file_write', 'file_rename', 'file_link'],
  types: [TYPE],
  evaluate(event: ActivityEvent, _ctx: RuleContext): readonly FindingCandidate[] {
    if (event.kind !== 'file_write' && event.kind !== 'file_rename' && event.kind !== 'file_link') return NO_FINDINGS;
    const path = event.file.newPath ?? event.file.path;
    // Directory and prefix first: every file event comes here, and they cut no string.
    const runtimeBinary = inSystemDir(path) && RUNTIME_BINARY_NAMES.has(baseName(path));
    const procExe = event.file.path.startsWith('/proc/') && PROC_EXE.test(event.file.path);
    if (!runtimeBinary && !procExe) return NO_FINDINGS;
    if (isAdminToolingLineage(event)) return NO_FINDINGS;
    return [
      {
        type: TYPE,
        aggregationKey: path,
        description: `${processName(event)} (pid ${event.process.pid}) ${event.success === false ? 'tried to write' : 'wrote'} ${path}${procExe ? ' (a running program image through /proc)' : ', a container runtime binary'}: ${commandLine(event.process.argv, 200)}`,
        context: compact({ runcBinaryPath: path, modifyingProcess: event.process.exe }),
        evidence: { succeeded: event.success },
      },
    ];
  },
};
