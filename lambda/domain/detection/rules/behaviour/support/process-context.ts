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
  const f = factsOf(event);
  if (f.processName === undefined) f.processName = baseName(event.process.exe);
  return f.processName;
}

/**
 * Names a process is known by: its executable, argv[0], and — for interpreters — the script it runs
 * (`python3 /usr/bin/ansible-playbook` is ansible-playbook).
 */
export function namesOf(exe: string | undefined, argv: readonly string[] | undefined): readonly string[] {
  // The same programs run again and again, and every exec names its ancestors too (the same few
  // shells and daemons): the names are kept per executable and reused while argv[0] and the script
  // argument they came from are the same. Reused arrays are shared: callers only read them.
  const key = exe ?? '';
  const argv0 = argv?.[0];
  const known = namesCache.get(key);
  if (known !== undefined && known.argv0 === argv0 && (!known.interpreter || known.script === scriptArgument(argv))) return known.names;
  const own = baseName(exe);
  const interpreter = inSet(INTERPRETERS, programFamily(own));
  const script = interpreter ? scriptArgument(argv) : undefined;
  const names: string[] = [];
  if (own.length > 0) names.push(own);
  const a0 = baseName(argv0);
  if (a0 && a0 !== own) names.push(a0);
  if (script) {
    const scriptName = baseName(script);
    if (scriptName.length > 0) names.push(scriptName);
  }
  // Bounded so hostile executable names cannot grow it; long paths are rare and not worth keeping.
  if (key.length <= NAMES_CACHE_MAX_PATH) {
    if (namesCache.size >= NAMES_CACHE_MAX) namesCache.clear();
    namesCache.set(key, { argv0, interpreter, script, names });
  }
  return names;
}

/** An interpreter's script: its first argument that is not an option (`python3 -u app.py` → app.py). */
function scriptArgument(argv: readonly string[] | undefined): string | undefined {
  if (!argv) return undefined;
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith('-')) return arg;
  }
  return undefined;
}

interface KnownNames {
  readonly argv0: string | undefined;
  readonly interpreter: boolean;
  readonly script: string | undefined;
  readonly names: readonly string[];
}
const NAMES_CACHE_MAX = 4096;
const NAMES_CACHE_MAX_PATH = 512;
const namesCache = new Map<string, KnownNames>();
const NO_NAMES: readonly string[] = Object.freeze([]);

/**
 * What the rules derive from the event being evaluated, each computed at most once per event. The
 * engine runs every rule on one event before it takes the next, so one slot keyed by the event
 * object serves them all; per-object WeakMaps did the same job but left an entry per parsed event
 * for the collector to clear, on every event.
 */
export class EventFacts {
  event: ActivityEvent | undefined = undefined;
  process: ActivityEvent['process'] | undefined = undefined;
  lineage: readonly LineageEntry[] | undefined = undefined;
  names: readonly string[] | undefined = undefined;
  /** Names per lineage index, filled on demand. */
  lineageNames: (readonly string[] | undefined)[] = [];
  adminLineage: boolean | undefined = undefined;
  processName: string | undefined = undefined;
  /** Owned by command-view.ts (the exec's parsed command line). */
  commands: unknown = undefined;
}
const facts = new EventFacts();

/** The facts slot for `event` (emptied when the event, its process or its lineage object changed). */
export function factsOf(event: ActivityEvent): EventFacts {
  if (facts.event !== event || facts.process !== event.process || facts.lineage !== event.lineage) {
    facts.event = event;
    facts.process = event.process;
    facts.lineage = event.lineage;
    facts.names = undefined;
    facts.lineageNames = [];
    facts.adminLineage = undefined;
    facts.processName = undefined;
    facts.commands = undefined;
  }
  return facts;
}

/** The state key of the event's process: its pid, as a number (state keys may be numbers; no string is built). */
export function pidKey(event: ActivityEvent): number {
  return event.process.pid;
}

/** The state key of the event's parent process. */
export function ppidKey(event: ActivityEvent): number {
  return event.process.ppid;
}

export function eventNames(event: ActivityEvent): readonly string[] {
  const f = factsOf(event);
  if (f.names === undefined) f.names = namesOf(event.process.exe, event.process.argv);
  return f.names;
}

/** Names of the ancestor at `index` in the event's lineage (`[]` past its end). */
export function lineageNamesAt(event: ActivityEvent, index: number): readonly string[] {
  const entry = event.lineage[index];
  if (entry === undefined) return NO_NAMES;
  const f = factsOf(event);
  let names = f.lineageNames[index];
  if (names === undefined) {
    names = namesOf(entry.exe, entry.argv);
    f.lineageNames[index] = names;
  }
  return names;
}

/** Names of a lineage entry; cached when it belongs to the event being evaluated. */
export function entryNames(entry: LineageEntry): readonly string[] {
  const lineage = facts.lineage;
  if (lineage !== undefined && facts.event !== undefined) {
    for (let i = 0; i < lineage.length; i++) if (lineage[i] === entry) return lineageNamesAt(facts.event, i);
  }
  return namesOf(entry.exe, entry.argv);
}

/** The nearest ancestor (self excluded) any of whose names is in `set`, if any. */
export function ancestorIn(event: ActivityEvent, set: ReadonlySet<string>): LineageEntry | undefined {
  const lineage = event.lineage;
  for (let i = 0; i < lineage.length; i++) {
    if (anyInSet(lineageNamesAt(event, i), set)) return lineage[i];
  }
  return undefined;
}

/** True when any of `names` (or its program family) is in `set`. */
export function anyInSet(names: readonly string[], set: ReadonlySet<string>): boolean {
  for (let i = 0; i < names.length; i++) if (inSet(set, names[i] as string)) return true;
  return false;
}

/** True when the process itself or an ancestor is a package manager or configuration-management agent. */
export function isAdminToolingLineage(event: ActivityEvent): boolean {
  const f = factsOf(event);
  if (f.adminLineage === undefined) {
    let verdict = isAdminName(eventNames(event));
    for (let i = 0; !verdict && i < event.lineage.length; i++) verdict = isAdminName(lineageNamesAt(event, i));
    f.adminLineage = verdict;
  }
  return f.adminLineage;
}

function isAdminName(names: readonly string[]): boolean {
  return anyInSet(names, PACKAGE_MANAGERS) || anyInSet(names, CONFIG_MANAGEMENT);
}

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
    const memo = ctx.state.recall<NamespaceMemo>(NS_NAMESPACE, pid, ctx.now);
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
