/**
 * Reading a process's context from a runtime event: its name, its ancestors, whether a person is at
 * a terminal, whether stdio is a socket, whether it runs inside a container, and whether benign
 * admin tooling (package managers, configuration management) is what started it.
 */
import type { ActivityEvent, FdInfo, LineageEntry } from '../../../../events/runtime-event';
import { CONFIG_MANAGEMENT, NAMESPACE_LAUNCHERS, PACKAGE_MANAGERS } from '../../../knowledge/admin-tools';
import { INTERPRETERS } from '../../../knowledge/interpreters';
import { baseName, inSet, programFamily } from '../../../knowledge/names';
import type { RuleContext } from '../../../rule';
import { type NamespaceMemo, NS_NAMESPACE } from './state-keys';

/** Basename of the process's executable (python3.11 stays python3.11; use programFamily to fold). */
export function processName(event: ActivityEvent): string {
  return baseName(event.process.exe);
}

/**
 * Names a process is known by: its executable, argv[0], and — for interpreters — the script it runs
 * (`python3 /usr/bin/ansible-playbook` is ansible-playbook).
 */
export function namesOf(exe: string | undefined, argv: readonly string[] | undefined): string[] {
  const names = [baseName(exe)];
  const a0 = baseName(argv?.[0]);
  if (a0 && a0 !== names[0]) names.push(a0);
  if (argv && inSet(INTERPRETERS, programFamily(names[0] as string))) {
    const script = argv.slice(1).find((a) => !a.startsWith('-'));
    if (script) names.push(baseName(script));
  }
  return names.filter((n) => n.length > 0);
}

/** Names per process / lineage entry object: every rule asks, the answer never changes. */
const namesCache = new WeakMap<object, string[]>();

export function eventNames(event: ActivityEvent): string[] {
  let names = namesCache.get(event.process);
  if (!names) {
    names = namesOf(event.process.exe, event.process.argv);
    namesCache.set(event.process, names);
  }
  return names;
}

export function entryNames(entry: LineageEntry): string[] {
  let names = namesCache.get(entry);
  if (!names) {
    names = namesOf(entry.exe, entry.argv);
    namesCache.set(entry, names);
  }
  return names;
}

/** The nearest ancestor (self excluded) any of whose names is in `set`, if any. */
export function ancestorIn(event: ActivityEvent, set: ReadonlySet<string>): LineageEntry | undefined {
  return event.lineage.find((e) => entryNames(e).some((n) => inSet(set, n)));
}

/** True when the process itself or an ancestor is a package manager or configuration-management agent. */
export function isAdminToolingLineage(event: ActivityEvent): boolean {
  let verdict = adminCache.get(event);
  if (verdict === undefined) {
    const isAdmin = (n: string) => inSet(PACKAGE_MANAGERS, n) || inSet(CONFIG_MANAGEMENT, n);
    verdict = eventNames(event).some(isAdmin) || event.lineage.some((e) => entryNames(e).some(isAdmin));
    adminCache.set(event, verdict);
  }
  return verdict;
}
const adminCache = new WeakMap<ActivityEvent, boolean>();

/** A person at a terminal: the process has a controlling tty, or its stdin is one. */
export function isInteractive(event: ActivityEvent): boolean {
  const tty = event.process.tty;
  if (tty && tty !== '(none)' && tty !== '?') return true;
  return event.process.stdio?.stdin?.type === 'tty';
}

/** The first standard stream that is a socket, if any. */
export function socketStdio(event: ActivityEvent): { fd: 'stdin' | 'stdout' | 'stderr'; info: FdInfo } | undefined {
  const stdio = event.process.stdio;
  if (!stdio) return undefined;
  for (const fd of ['stdin', 'stdout', 'stderr'] as const) {
    const info = stdio[fd];
    if (info?.type === 'socket') return { fd, info };
  }
  return undefined;
}

/**
 * Container context: the container id from cgroup data when the agent saw it; otherwise (offline
 * logs) a namespace launcher (runc, containerd-shim, unshare…) among the ancestors, either still
 * named in the lineage or remembered for an ancestor pid that exec'd one and then became the
 * container's first process (unshare → sh keeps the pid but not the name).
 */
export function containerContext(event: ActivityEvent, ctx?: RuleContext): { id?: string; via: string } | undefined {
  if (event.process.container?.id) return { id: event.process.container.id, via: 'cgroup' };
  const launcher = ancestorIn(event, NAMESPACE_LAUNCHERS);
  if (launcher) return { via: `ancestor ${baseName(launcher.exe)}` };
  if (!ctx) return undefined;
  for (const pid of [event.process.pid, ...event.lineage.map((e) => e.pid)]) {
    const memo = ctx.state.recall<NamespaceMemo>(NS_NAMESPACE, String(pid), ctx.now);
    if (memo) return { via: `ancestor ${memo.launcher} (pid ${pid})` };
  }
  return undefined;
}

/** Ancestor summary for evidence: "bash(123) <- python3.11(100)". */
export function lineageSummary(event: ActivityEvent, max = 4): string {
  return event.lineage
    .slice(0, max)
    .map((e) => `${baseName(e.exe)}(${e.pid})`)
    .join(' <- ');
}

/** Quoted, bounded command line for descriptions (attacker-controlled: renderers must escape it). */
export function commandLine(argv: readonly string[], max = 300): string {
  const text = argv.join(' ');
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
