/**
 * DefenseEvasion:Runtime/FilelessExecution — code executed from memory: the new program image is an
 * anonymous memfd (`/memfd:…`) or a file already deleted, or a process that created a memfd then
 * exec'd through a descriptor (execveat / /proc/self/fd/N). runc's own memfd copy of itself
 * (`runc_cloned`, its CVE-2019-5736 defence) and container runtimes are not reported.
 */
import type { ActivityEvent } from '../../../events/runtime-event';
import { CONTAINER_TOOLS } from '../../knowledge/admin-tools';
import { inSet } from '../../knowledge/names';
import { type DetectionRule, type FindingCandidate, NO_FINDINGS, type RuleContext } from '../../rule';
import { compact } from './support/compact';
import { commandLine, entryNames, pidKey } from './support/process-context';
import { type MemfdMemo, NS_MEMFD } from './support/state-keys';

const TYPE = 'DefenseEvasion:Runtime/FilelessExecution';
const FD_PATH = /^\/proc\/(?:self|\d+)\/fd\/\d+$/;
const RUNTIME_MEMFD = /^(?:\/memfd:)?(?:runc_cloned|runc|crun|youki)\b/;

export const filelessExecution: DetectionRule = {
  id: 'fileless-execution',
  kinds: ['process_exec'],
  types: [TYPE],
  evaluate(event: ActivityEvent, { state, now }: RuleContext): readonly FindingCandidate[] {
    if (event.kind !== 'process_exec' || event.success === false) return NO_FINDINGS;
    const exe = event.process.exe;
    const memfdImage = exe.startsWith('/memfd:');
    const deleted = exe.endsWith(' (deleted)') && !memfdImage;
    const argv0 = event.process.argv[0] ?? '';
    const viaFd = event.syscall === 'execveat' || (argv0.startsWith('/proc/') && FD_PATH.test(argv0));
    // Nearly every exec is none of the three: answered before the state is read.
    if (!memfdImage && !deleted && !viaFd) return NO_FINDINGS;
    const memo = state.recall<MemfdMemo>(NS_MEMFD, pidKey(event), now);
    if (!memfdImage && !deleted && !memo) return NO_FINDINGS;
    const memfdName = memfdImage ? exe.slice('/memfd:'.length).replace(/ \(deleted\)$/, '') : memo?.name;
    if (memfdName && RUNTIME_MEMFD.test(memfdName)) return NO_FINDINGS;
    if (event.lineage.slice(0, 2).some((e) => entryNames(e).some((n) => inSet(CONTAINER_TOOLS, n))) && memfdName?.startsWith('runc')) return NO_FINDINGS;
    const what = memfdImage ? `an anonymous memory file (memfd "${memfdName}")` : deleted ? 'a deleted file' : `a descriptor of memfd "${memo?.name}"`;
    return [
      {
        type: TYPE,
        aggregationKey: memfdImage ? `memfd:${memfdName}` : exe,
        description: `Process ${event.process.pid} executed ${what}, leaving no program file on disk: ${commandLine(event.process.argv, 200)}`,
        context: compact({ executablePath: exe, ...(memfdName ? { memfdName } : {}) }),
        evidence: { memfdCreatedAt: memo?.ts, syscall: event.syscall, deleted },
      },
    ];
  },
};
