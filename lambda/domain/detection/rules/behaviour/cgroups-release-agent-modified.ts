/**
 * PrivilegeEscalation:Runtime/CGroupsReleaseAgentModified — a cgroup v1 `release_agent` is written
 * (the kernel runs that program as root on the host when a cgroup empties: the classic privileged
 * container escape), or `notify_on_release` is turned on (the other half of the setup, Medium).
 * systemd and container runtimes managing cgroups are routine. Needs a watch on the cgroup files.
 */
import type { ActivityEvent } from '../../../events/runtime-event';
import { CONTAINER_TOOLS } from '../../knowledge/admin-tools';
import { baseName, inSet } from '../../knowledge/names';
import { type DetectionRule, type FindingCandidate, NO_FINDINGS, type RuleContext } from '../../rule';
import { compact } from './support/compact';
import { commandLine, containerContext, eventNames, processName } from './support/process-context';

const TYPE = 'PrivilegeEscalation:Runtime/CGroupsReleaseAgentModified';
const CGROUP_MANAGERS: ReadonlySet<string> = new Set(['systemd', 'init', 'cgmanager', 'cgconfigparser', 'cgrulesengd', 'lxcfs']);

export const cgroupsReleaseAgentModified: DetectionRule = {
  id: 'cgroups-release-agent-modified',
  kinds: ['file_write'],
  types: [TYPE],
  evaluate(event: ActivityEvent, ctx: RuleContext): readonly FindingCandidate[] {
    if (event.kind !== 'file_write' || event.success === false) return NO_FINDINGS;
    const file = baseName(event.file.path);
    if (file !== 'release_agent' && file !== 'notify_on_release') return NO_FINDINGS;
    if (eventNames(event).some((n) => CGROUP_MANAGERS.has(n) || inSet(CONTAINER_TOOLS, n))) return NO_FINDINGS;
    const container = containerContext(event, ctx);
    return [
      {
        type: TYPE,
        ...(file === 'notify_on_release' ? { severity: 5 } : {}),
        aggregationKey: event.file.path.slice(0, event.file.path.lastIndexOf('/')) || event.file.path,
        description: `${processName(event)} (pid ${event.process.pid}) wrote ${event.file.path}${file === 'release_agent' ? ': the program the kernel runs as root when the cgroup empties' : ': release notification enabled'}${container ? ` (inside a container: ${container.id ?? container.via})` : ''}: ${commandLine(event.process.argv, 200)}`,
        context: compact({ releaseAgentPath: event.file.path, modifyingProcess: event.process.exe }),
        evidence: { container },
      },
    ];
  },
};
