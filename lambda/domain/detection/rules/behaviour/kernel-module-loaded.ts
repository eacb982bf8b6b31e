/**
 * DefenseEvasion:Runtime/KernelModuleLoaded — init_module or finit_module, successful or not (a
 * failed attempt is still an attempt to run code in the kernel: rootkits are loaded this way).
 * Loads started by package management, udev or systemd-modules-load are Low; from a foothold or
 * of a module file in a world-writable directory, High; otherwise the catalogue's Medium.
 */
import type { ActivityEvent } from '../../../events/runtime-event';
import { baseName } from '../../knowledge/names';
import { inDropDir, inSystemDir } from '../../knowledge/paths';
import { type DetectionRule, type FindingCandidate, NO_FINDINGS, type RuleContext } from '../../rule';
import { compact } from './support/compact';
import { footholdReason } from './support/foothold';
import { ancestorIn, commandLine, isAdminToolingLineage, processName } from './support/process-context';

const TYPE = 'DefenseEvasion:Runtime/KernelModuleLoaded';
const MODULE_TOOLS: ReadonlySet<string> = new Set(['kmod', 'modprobe', 'insmod']);
const SYSTEM_LOADERS: ReadonlySet<string> = new Set(['systemd-udevd', 'udevd', 'systemd-modules-load', 'dkms', 'update-initramfs', 'dracut', 'kmod-static-nodes']);

export const kernelModuleLoaded: DetectionRule = {
  id: 'kernel-module-loaded',
  kinds: ['module_load'],
  types: [TYPE],
  evaluate(event: ActivityEvent, ctx: RuleContext): readonly FindingCandidate[] {
    if (event.kind !== 'module_load') return NO_FINDINGS;
    const { syscall, name, path } = event.module;
    const foothold = footholdReason(event, ctx) ?? (inDropDir(path) ? `the module file is in a world-writable directory (${path})` : undefined);
    // The system's own module loader (modprobe/insmod, i.e. kmod) outside any login session is the
    // kernel or boot asking for a driver: auid is unset for everything started by init or the kernel.
    const bootLoad = MODULE_TOOLS.has(processName(event)) && inSystemDir(event.process.exe) && event.process.auid === undefined;
    const system = bootLoad || isAdminToolingLineage(event) || SYSTEM_LOADERS.has(processName(event)) || ancestorIn(event, SYSTEM_LOADERS) !== undefined;
    const severity = foothold ? 8 : system ? 2 : undefined;
    const what = name ?? (path ? baseName(path) : 'a module');
    return [
      {
        type: TYPE,
        ...(severity !== undefined ? { severity } : {}),
        aggregationKey: `${event.process.exe}|${name ?? path ?? syscall}`,
        description: `${processName(event)} (pid ${event.process.pid}) called ${syscall} to load ${what}${event.success === false ? ' (the kernel refused it)' : ''}${foothold ? `; ${foothold}` : ''}: ${commandLine(event.process.argv, 200)}`,
        context: compact({ moduleName: name, modulePath: path, loadSyscall: syscall, succeeded: event.success }),
        evidence: { foothold, systemLoader: system },
      },
    ];
  },
};
