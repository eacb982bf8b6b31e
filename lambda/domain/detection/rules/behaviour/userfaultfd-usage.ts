/**
 * PrivilegeEscalation:Runtime/UserfaultfdUsage — userfaultfd(2), successful or refused. Kernel
 * exploits use it to stall the kernel mid-copy and win races; its legitimate users are live
 * migration and checkpointing (QEMU, CRIU, Firecracker…), which are reported Low.
 */
import type { ActivityEvent } from '../../../events/runtime-event';
import { type DetectionRule, type FindingCandidate, NO_FINDINGS, type RuleContext } from '../../rule';
import { compact } from './support/compact';
import { commandLine, eventNames, processName } from './support/process-context';

const TYPE = 'PrivilegeEscalation:Runtime/UserfaultfdUsage';
const MIGRATION_TOOLS = /^(?:qemu(?:-system-[\w]+|-kvm)?|criu|firecracker|cloud-hypervisor|crosvm|libvirtd|virtqemud|kvm)$/;

export const userfaultfdUsage: DetectionRule = {
  id: 'userfaultfd-usage',
  kinds: ['userfaultfd'],
  types: [TYPE],
  evaluate(event: ActivityEvent, _ctx: RuleContext): readonly FindingCandidate[] {
    if (event.kind !== 'userfaultfd') return NO_FINDINGS;
    const known = eventNames(event).some((n) => MIGRATION_TOOLS.test(n));
    return [
      {
        type: TYPE,
        ...(known ? { severity: 2 } : {}),
        aggregationKey: event.process.exe,
        description: `${processName(event)} (pid ${event.process.pid}) called userfaultfd${event.success === false ? ' (refused)' : ''}${known ? ' as a live-migration/checkpoint tool' : ''}: ${commandLine(event.process.argv, 200)}`,
        context: compact({ flags: event.userfaultfd.flags, succeeded: event.success }),
      },
    ];
  },
};
