/**
 * PrivilegeEscalation:Runtime/ContainerMountsHostDirectory — inside a container (container id from
 * cgroup data, or, in offline logs, a namespace launcher such as runc, containerd-shim or unshare
 * among the ancestors) a process mounts a host disk (/dev/sda1, /dev/nvme0n1p1…), bind-mounts a host
 * directory (/, /etc, /root, /var/lib/docker…) or mounts a cgroup v1 hierarchy. Mounts on the host
 * itself are admin work and not reported; the runtime's own set-up mounts are skipped.
 */
import type { ActivityEvent } from '../../../events/runtime-event';
import { CONTAINER_TOOLS } from '../../knowledge/admin-tools';
import { inSet } from '../../knowledge/names';
import { BLOCK_DEVICE, HOST_SENSITIVE_MOUNT_SOURCES } from '../../knowledge/paths';
import { type DetectionRule, type FindingCandidate, NO_FINDINGS, type RuleContext } from '../../rule';
import { compact } from './support/compact';
import { commandLine, containerContext, eventNames, processName } from './support/process-context';

const TYPE = 'PrivilegeEscalation:Runtime/ContainerMountsHostDirectory';
const MS_BIND = 4096;

export const containerMountsHostDirectory: DetectionRule = {
  id: 'container-mounts-host-directory',
  kinds: ['mount'],
  types: [TYPE],
  evaluate(event: ActivityEvent, ctx: RuleContext): readonly FindingCandidate[] {
    if (event.kind !== 'mount' || event.success === false) return NO_FINDINGS;
    const container = containerContext(event, ctx);
    if (!container) return NO_FINDINGS;
    if (eventNames(event).some((n) => inSet(CONTAINER_TOOLS, n))) return NO_FINDINGS;
    const { source, target, fsType, flags } = event.mount;
    const bind = flags !== undefined && (flags & MS_BIND) !== 0;
    const what =
      source && BLOCK_DEVICE.test(source)
        ? `the host disk ${source}`
        : bind && source && HOST_SENSITIVE_MOUNT_SOURCES.includes(source.replace(/\/+$/, '') || '/')
          ? `the host directory ${source}`
          : fsType === 'cgroup'
            ? 'a cgroup v1 hierarchy'
            : undefined;
    if (!what) return NO_FINDINGS;
    return [
      {
        type: TYPE,
        aggregationKey: `${source ?? fsType}|${target}`,
        description: `${processName(event)} (pid ${event.process.pid}) inside a container (${container.id ?? container.via}) mounted ${what} on ${target}: ${commandLine(event.process.argv, 200)}`,
        context: compact({ mountSource: source, mountTarget: target, fileSystemType: fsType, flags }),
        evidence: { container },
      },
    ];
  },
};
