/**
 * PrivilegeEscalation:Runtime/DockerSocketAccessed — a process that is not a container runtime,
 * CLI or known agent connects to a container runtime API socket (docker.sock, containerd.sock,
 * crio.sock…). Whoever talks to that socket controls the host. High inside a container (the classic
 * escape), Medium on the host, Low for a person at a terminal. Needs unix-socket connects in the
 * audit trail (see docs/findings-behaviour.md).
 */
import type { ActivityEvent } from '../../../events/runtime-event';
import { CONTAINER_TOOLS } from '../../knowledge/admin-tools';
import { inSet } from '../../knowledge/names';
import { CONTAINER_SOCKETS } from '../../knowledge/paths';
import { type DetectionRule, type FindingCandidate, NO_FINDINGS, type RuleContext } from '../../rule';
import { compact } from './support/compact';
import { ancestorIn, commandLine, containerContext, eventNames, isInteractive, processName } from './support/process-context';

const TYPE = 'PrivilegeEscalation:Runtime/DockerSocketAccessed';

export const dockerSocketAccessed: DetectionRule = {
  id: 'docker-socket-accessed',
  kinds: ['net_connect'],
  types: [TYPE],
  evaluate(event: ActivityEvent, ctx: RuleContext): readonly FindingCandidate[] {
    if (event.kind !== 'net_connect' || event.net.family !== 'unix') return NO_FINDINGS;
    const socket = event.net.path;
    if (!socket || !CONTAINER_SOCKETS.has(socket)) return NO_FINDINGS;
    if (eventNames(event).some((n) => inSet(CONTAINER_TOOLS, n))) return NO_FINDINGS;
    if (ancestorIn(event, CONTAINER_TOOLS) && !containerContext(event, ctx)) return NO_FINDINGS;
    const container = containerContext(event, ctx);
    const severity = container ? 8 : isInteractive(event) ? 2 : undefined;
    return [
      {
        type: TYPE,
        ...(severity !== undefined ? { severity } : {}),
        aggregationKey: `${socket}|${event.process.exe}`,
        description: `${processName(event)} (pid ${event.process.pid}) connected to the container runtime socket ${socket}${container ? ` from inside a container (${container.id ?? container.via})` : ''}: ${commandLine(event.process.argv, 200)}`,
        context: compact({ socketPath: socket, ...(container?.id ? { containerId: container.id } : {}) }),
        evidence: { container, succeeded: event.success },
      },
    ];
  },
};
