/**
 * Execution:Runtime/NewLibraryLoaded — a program started with a library forced into it
 * (LD_PRELOAD= in its command line, `ld.so --preload`, or the loader run directly on a library path)
 * where the library is fresh: written after the learning period (Picket saw the write) or sitting
 * in a world-writable directory. Limits: library loads by dlopen/mmap and LD_PRELOAD set in a
 * parent's environment are not in the audit trail; /etc/ld.so.preload writes are covered by
 * DefenseEvasion:Runtime/SensitiveFileModified.
 */
import type { ActivityEvent } from '../../../events/runtime-event';
import { CONFIG_MANAGEMENT, PACKAGE_MANAGERS, TOOLCHAIN } from '../../knowledge/admin-tools';
import { baseName, inSet } from '../../knowledge/names';
import { inDropDir } from '../../knowledge/paths';
import { type DetectionRule, type FindingCandidate, NO_FINDINGS, type RuleContext } from '../../rule';
import { commandsOf } from './support/command-view';
import { compact } from './support/compact';
import { processName } from './support/process-context';
import { type FileMemo, NS_FILE } from './support/state-keys';

const TYPE = 'Execution:Runtime/NewLibraryLoaded';
const LOW = 2;
const LOADER = /^ld-linux(?:-[\w-]+)?\.so(?:\.\d+)?$|^ld\.so$|^ld64\.so\.\d$/;

export const newLibraryLoaded: DetectionRule = {
  id: 'new-library-loaded',
  kinds: ['process_exec'],
  types: [TYPE],
  evaluate(event: ActivityEvent, { state, now }: RuleContext): readonly FindingCandidate[] {
    if (event.kind !== 'process_exec' || event.success === false) return NO_FINDINGS;
    const preloads = preloadedLibraries(event);
    if (preloads.length === 0) return NO_FINDINGS;
    const out: FindingCandidate[] = [];
    for (const { lib, how } of preloads) {
      const memo = state.recall<FileMemo>(NS_FILE, lib, now);
      const fresh = memo !== undefined && !state.isLearning(now);
      if (!fresh && !inDropDir(lib)) continue;
      if (memo?.writerLineage.some((n) => inSet(PACKAGE_MANAGERS, n) || inSet(CONFIG_MANAGEMENT, n))) continue;
      const builtLocally = memo?.writerLineage.slice(0, 3).some((n) => inSet(TOOLCHAIN, n)) ?? false;
      out.push({
        type: TYPE,
        ...(builtLocally ? { severity: LOW } : {}),
        aggregationKey: lib,
        description: `${processName(event)} loaded ${lib} through ${how}; the library ${fresh ? `was written at ${memo?.ts} by ${baseName(memo?.exe)}` : 'sits in a world-writable directory'}.`,
        context: compact({ libraryPath: lib, ldPreloadValue: how === 'LD_PRELOAD' ? lib : undefined, modifyingProcess: memo?.exe }),
        evidence: { how, fresh, builtLocally },
      });
    }
    return out;
  },
};

/** What preloadedLibraries returns for the exec that preloads nothing (nearly all): one shared empty list. */
const NO_PRELOADS: readonly { lib: string; how: string }[] = Object.freeze([]);

/** Libraries a command line forces into a program, with how. */
export function preloadedLibraries(event: ActivityEvent): readonly { lib: string; how: string }[] {
  const argv = event.process.argv;
  const name = processName(event);
  if (!mayPreload(argv)) return NO_PRELOADS;
  const found: { lib: string; how: string }[] = [];
  const add = (value: string, how: string) => {
    for (const lib of value.split(/[:\s]+/)) if (lib.startsWith('/')) found.push({ lib, how });
  };
  // env LD_PRELOAD=/x prog, or the loader's own flags.
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a.startsWith('LD_PRELOAD=')) add(a.slice('LD_PRELOAD='.length), 'LD_PRELOAD');
    if (LOADER.test(name) && (a === '--preload' || a === '--library-path') && argv[i + 1]) add(argv[i + 1] as string, `ld.so ${a}`);
  }
  // sh -c "LD_PRELOAD=/x prog"
  for (const cmd of commandsOf(event).commands) {
    for (const asg of cmd.assignments) if (asg.name === 'LD_PRELOAD') add(asg.value, 'LD_PRELOAD');
  }
  return found;
}

/** Whether any argument could force a library in (a loop, not some(): every exec asks). */
function mayPreload(argv: readonly string[]): boolean {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a.includes('LD_PRELOAD') || a === '--preload' || a === '--library-path') return true;
  }
  return false;
}
