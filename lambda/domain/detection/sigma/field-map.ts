/**
 * Sigma field names to runtime-event fields, per log source. Each field says which event kinds can
 * carry it and, where only some values can be evaluated exactly, which values it accepts; anything
 * else is reported as unsupported (never guessed: a guessed field could widen a filter).
 * The table is documented in docs/custom-rules.md — keep the two in step.
 */
import { type ActivityEvent, EVENT_KINDS, type EventKind, type NetEvent } from '../../events/runtime-event';

/** A field's value on one event: text, several texts (any may match), or absent. */
export type FieldValue = string | readonly string[] | undefined;

export interface FieldDef {
  readonly get: (event: ActivityEvent) => FieldValue;
  /** Kinds on which the field can be present (drives which kinds a rule subscribes to). */
  readonly kinds: readonly EventKind[];
  /** Rejects a rule value the field cannot evaluate exactly: returns the reason, or undefined when fine. */
  readonly checkValue?: (value: string) => string | undefined;
  /** For plain equality: the only kinds on which the field can equal `value` (narrows a rule's subscription). */
  readonly kindsForValue?: (value: string) => readonly EventKind[];
}

export type FieldResolution = { readonly ok: true; readonly def: FieldDef } | { readonly ok: false; readonly reason: string };

export interface LogsourceMapping {
  /** e.g. `linux/process_creation`. */
  readonly name: string;
  /** Event kinds a rule of this log source can match. */
  readonly kinds: readonly EventKind[];
  resolve(field: string): FieldResolution;
  /** Texts keyword (full-text) searches run over, or undefined when this log source has none. */
  readonly keywordHaystack?: (event: ActivityEvent) => readonly string[];
}

const str = (n: number | undefined): string | undefined => (n === undefined ? undefined : String(n));
const commandLine = (argv: readonly string[] | undefined): string | undefined => (argv ? argv.join(' ') : undefined);
const isNet = (e: ActivityEvent): e is NetEvent => e.kind === 'net_connect' || e.kind === 'net_accept' || e.kind === 'net_listen';

const PROCESS_KINDS: readonly EventKind[] = ['process_exec'];
const NET_KINDS: readonly EventKind[] = ['net_connect', 'net_accept'];
const FILE_CREATE_KINDS: readonly EventKind[] = ['file_write', 'file_rename', 'file_link'];
const FILE_CHANGE_KINDS: readonly EventKind[] = ['file_write', 'file_chmod'];
const FILE_DELETE_KINDS: readonly EventKind[] = ['file_unlink'];
/** Kinds the audit normaliser produces (dns_query comes from resolver logs, heartbeats carry no activity). */
const AUDIT_KINDS: readonly EventKind[] = EVENT_KINDS.filter((k) => k !== 'dns_query' && k !== 'heartbeat');

/** Sysmon-for-Linux fields that exist on Windows/Sysmon but have no equivalent in a Linux runtime event. */
const NO_LINUX_EQUIVALENT: Readonly<Record<string, string>> = {
  OriginalFileName: 'OriginalFileName is PE version-resource metadata; Linux executables have none',
  Product: 'Product is PE version-resource metadata; Linux executables have none',
  Company: 'Company is PE version-resource metadata; Linux executables have none',
  Description: 'Description is PE version-resource metadata; Linux executables have none',
  FileVersion: 'FileVersion is PE version-resource metadata; Linux executables have none',
  IntegrityLevel: 'IntegrityLevel is a Windows concept',
  LogonId: 'LogonId (Sysmon logon session id) is not in runtime events',
  LogonGuid: 'LogonGuid is not in runtime events',
  TerminalSessionId: 'TerminalSessionId is not in runtime events',
  ProcessGuid: 'ProcessGuid (Sysmon) is not in runtime events',
  ParentProcessGuid: 'ParentProcessGuid (Sysmon) is not in runtime events',
  ParentUser: 'ParentUser is not in runtime events (lineage carries uids, not user names)',
  DestinationHostname: 'DestinationHostname needs DNS-to-connection correlation, which runtime events do not carry',
  SourceHostname: 'SourceHostname needs DNS-to-connection correlation, which runtime events do not carry',
  DestinationPortName: 'DestinationPortName is not in runtime events',
  SourcePortName: 'SourcePortName is not in runtime events',
};

const def = (
  kinds: readonly EventKind[],
  get: FieldDef['get'],
  checkValue?: FieldDef['checkValue'],
  kindsForValue?: FieldDef['kindsForValue'],
): FieldDef => ({ kinds, get, ...(checkValue ? { checkValue } : {}), ...(kindsForValue ? { kindsForValue } : {}) });

/** Fields of the acting process, common to the Sysmon-style categories. */
function processFields(kinds: readonly EventKind[]): Record<string, FieldDef> {
  return {
    Image: def(kinds, (e) => e.process.exe),
    CommandLine: def(kinds, (e) => commandLine(e.process.argv)),
    User: def(kinds, (e) => e.process.user),
    ProcessId: def(kinds, (e) => str(e.process.pid)),
    CurrentDirectory: def(kinds, (e) => e.process.cwd),
  };
}

const PROCESS_CREATION: Record<string, FieldDef> = {
  ...processFields(PROCESS_KINDS),
  ParentImage: def(PROCESS_KINDS, (e) => e.lineage[0]?.exe),
  ParentCommandLine: def(PROCESS_KINDS, (e) => commandLine(e.lineage[0]?.argv)),
  ParentProcessId: def(PROCESS_KINDS, (e) => str(e.process.ppid)),
  // Sysmon writes "SHA256=<HEX>"; only the SHA-256 part exists here, so other algorithms are refused.
  Hashes: def(
    PROCESS_KINDS,
    (e) => (e.process.sha256 ? `SHA256=${e.process.sha256.toUpperCase()}` : undefined),
    (v) => (/^\*?sha256=/i.test(v) ? undefined : 'Hashes values other than SHA256=… cannot be evaluated (runtime events carry SHA-256 only)'),
  ),
  sha256: def(PROCESS_KINDS, (e) => e.process.sha256),
};

/** Sysmon event 3 semantics: Initiated=true is an outbound connection, whose destination is the remote end. */
function netEnds(e: ActivityEvent): { dIp?: string; dPort?: number; sIp?: string; sPort?: number } | undefined {
  if (!isNet(e)) return undefined;
  const n = e.net;
  return e.kind === 'net_connect'
    ? { dIp: n.remoteIp, dPort: n.remotePort, sIp: n.localIp, sPort: n.localPort }
    : { dIp: n.localIp, dPort: n.localPort, sIp: n.remoteIp, sPort: n.remotePort };
}

const NETWORK_CONNECTION: Record<string, FieldDef> = {
  ...processFields(NET_KINDS),
  DestinationIp: def(NET_KINDS, (e) => netEnds(e)?.dIp),
  DestinationPort: def(NET_KINDS, (e) => str(netEnds(e)?.dPort)),
  SourceIp: def(NET_KINDS, (e) => netEnds(e)?.sIp),
  SourcePort: def(NET_KINDS, (e) => str(netEnds(e)?.sPort)),
  Initiated: def(NET_KINDS, (e) => (e.kind === 'net_connect' ? 'true' : 'false')),
  Protocol: def(NET_KINDS, (e) => (isNet(e) ? e.net.protocol : undefined)),
  DestinationIsIpv6: def(NET_KINDS, (e) => (isNet(e) ? String(e.net.family === 'inet6') : undefined)),
  SourceIsIpv6: def(NET_KINDS, (e) => (isNet(e) ? String(e.net.family === 'inet6') : undefined)),
};

/** The file a file event is about: the destination for renames and links (the name that now exists). */
function targetFilename(e: ActivityEvent): string | undefined {
  switch (e.kind) {
    case 'file_write':
    case 'file_chmod':
    case 'file_unlink':
      return e.file.path;
    case 'file_rename':
    case 'file_link':
      return e.file.newPath ?? e.file.path;
    default:
      return undefined;
  }
}

function fileFields(kinds: readonly EventKind[]): Record<string, FieldDef> {
  return { ...processFields(kinds), TargetFilename: def(kinds, targetFilename) };
}

// --- auditd -------------------------------------------------------------------------------------

/** Audit record types each kind of event was built from. */
function recordTypes(e: ActivityEvent): readonly string[] {
  switch (e.kind) {
    case 'process_exec':
      return ['EXECVE', 'SYSCALL', 'PATH', 'CWD', 'PROCTITLE'];
    case 'file_write':
    case 'file_rename':
    case 'file_unlink':
    case 'file_link':
    case 'file_chmod':
      return ['SYSCALL', 'PATH', 'CWD', 'PROCTITLE'];
    case 'net_connect':
    case 'net_listen':
    case 'net_accept':
      return ['SYSCALL', 'SOCKADDR', 'PROCTITLE'];
    case 'module_load':
      return ['SYSCALL', 'PATH', 'PROCTITLE'];
    default:
      return ['SYSCALL', 'PROCTITLE'];
  }
}
const KNOWN_RECORD_TYPES = new Set(['EXECVE', 'SYSCALL', 'PATH', 'CWD', 'PROCTITLE', 'SOCKADDR']);
const FILE_KINDS: readonly EventKind[] = ['file_write', 'file_rename', 'file_unlink', 'file_link', 'file_chmod'];
function kindsForRecordType(v: string): readonly EventKind[] {
  switch (v.toUpperCase()) {
    case 'EXECVE':
      return ['process_exec'];
    case 'PATH':
      return ['process_exec', ...FILE_KINDS, 'module_load'];
    case 'CWD':
      return ['process_exec', ...FILE_KINDS];
    case 'SOCKADDR':
      return ['net_connect', 'net_listen', 'net_accept'];
    default:
      return AUDIT_KINDS;
  }
}
function kindsForSyscall(v: string): readonly EventKind[] {
  const name = v.toLowerCase();
  if (name === 'execve' || name === 'execveat') return ['process_exec'];
  if (name === 'connect') return ['net_connect'];
  if (name === 'listen') return ['net_listen'];
  if (name === 'ptrace') return ['ptrace'];
  if (name === 'process_vm_writev') return ['process_vm_write'];
  if (name === 'init_module' || name === 'finit_module') return ['module_load'];
  if (name === 'memfd_create') return ['memfd_create'];
  if (name === 'mount') return ['mount'];
  if (name === 'bpf') return ['bpf'];
  if (name === 'userfaultfd') return ['userfaultfd'];
  if (name.startsWith('set')) return ['setuid'];
  return AUDIT_KINDS;
}

/**
 * The syscall name when the event pins it down exactly. accept/accept4 and the many file syscalls
 * (open, openat, creat, rename…) collapse into one kind, so those names are refused in rules.
 */
function syscallName(e: ActivityEvent): string | undefined {
  switch (e.kind) {
    case 'process_exec':
      return e.syscall ?? 'execve';
    case 'net_connect':
      return 'connect';
    case 'net_listen':
      return 'listen';
    case 'ptrace':
      return 'ptrace';
    case 'process_vm_write':
      return 'process_vm_writev';
    case 'module_load':
      return e.module.syscall;
    case 'memfd_create':
      return 'memfd_create';
    case 'setuid':
      return e.setuid.syscall;
    case 'mount':
      return 'mount';
    case 'bpf':
      return 'bpf';
    case 'userfaultfd':
      return 'userfaultfd';
    default:
      return undefined;
  }
}
const EXACT_SYSCALLS = new Set([
  'execve',
  'execveat',
  'connect',
  'listen',
  'ptrace',
  'process_vm_writev',
  'init_module',
  'finit_module',
  'memfd_create',
  'setuid',
  'setreuid',
  'setresuid',
  'setfsuid',
  'setgid',
  'setregid',
  'setresgid',
  'setfsgid',
  'mount',
  'bpf',
  'userfaultfd',
]);

function checkSyscall(v: string): string | undefined {
  if (/^\d+$/.test(v)) return `numeric syscall ${v}: use the syscall name (numbers differ per architecture)`;
  return EXACT_SYSCALLS.has(v.toLowerCase())
    ? undefined
    : `syscall ${v} does not become a distinct runtime event (exact names: ${[...EXACT_SYSCALLS].join(', ')})`;
}

/** The PATH record names of an event: the file(s) touched, or the executable run. */
function pathNames(e: ActivityEvent): readonly string[] | undefined {
  switch (e.kind) {
    case 'process_exec':
      return [e.process.exe];
    case 'file_write':
    case 'file_chmod':
    case 'file_unlink':
      return [e.file.path];
    case 'file_rename':
    case 'file_link':
      return e.file.newPath !== undefined ? [e.file.path, e.file.newPath] : [e.file.path];
    case 'module_load':
      return e.module.path !== undefined ? [e.module.path] : undefined;
    default:
      return undefined;
  }
}

/**
 * The kernel's comm: the executed file's base name cut to 15 characters. Runtime events do not carry
 * comm, so it is derived from argv[0] (what the shell passed to execve) and falls back to the image.
 */
function comm(e: ActivityEvent): string {
  const first = e.process.argv[0] || e.process.exe;
  return first.slice(first.lastIndexOf('/') + 1).slice(0, 15);
}

/** Which end a SOCKADDR record describes: the peer for connect/accept, the bound address for listen. */
function sockaddrEnd(e: ActivityEvent): { ip?: string; port?: number } | undefined {
  if (!isNet(e)) return undefined;
  return e.kind === 'net_listen' ? { ip: e.net.localIp, port: e.net.localPort } : { ip: e.net.remoteIp, port: e.net.remotePort };
}

const AUDITD: Record<string, FieldDef> = {
  type: def(
    AUDIT_KINDS,
    recordTypes,
    (v) =>
      KNOWN_RECORD_TYPES.has(v.toUpperCase())
        ? undefined
        : `audit record type ${v} does not become a runtime event (supported: ${[...KNOWN_RECORD_TYPES].join(', ')})`,
    kindsForRecordType,
  ),
  argc: def(PROCESS_KINDS, (e) => (e.kind === 'process_exec' ? String(e.process.argv.length) : undefined)),
  exe: def(AUDIT_KINDS, (e) => e.process.exe),
  comm: def(AUDIT_KINDS, comm),
  key: def(AUDIT_KINDS, (e) => e.auditKey),
  pid: def(AUDIT_KINDS, (e) => str(e.process.pid)),
  ppid: def(AUDIT_KINDS, (e) => str(e.process.ppid)),
  uid: def(AUDIT_KINDS, (e) => str(e.process.uid)),
  euid: def(AUDIT_KINDS, (e) => str(e.process.euid)),
  gid: def(AUDIT_KINDS, (e) => str(e.process.gid)),
  auid: def(AUDIT_KINDS, (e) => str(e.process.auid)),
  UID: def(AUDIT_KINDS, (e) => e.process.user),
  tty: def(AUDIT_KINDS, (e) => e.process.tty),
  cwd: def(AUDIT_KINDS, (e) => e.process.cwd),
  success: def(AUDIT_KINDS, (e) => (e.success === undefined ? undefined : e.success ? 'yes' : 'no')),
  proctitle: def(AUDIT_KINDS, (e) => commandLine(e.process.argv)),
  name: def(['process_exec', 'file_write', 'file_chmod', 'file_unlink', 'file_rename', 'file_link', 'module_load'], pathNames),
  SYSCALL: def(AUDIT_KINDS, syscallName, checkSyscall, kindsForSyscall),
  syscall: def(AUDIT_KINDS, syscallName, checkSyscall, kindsForSyscall),
  laddr: def(['net_connect', 'net_accept', 'net_listen'], (e) => sockaddrEnd(e)?.ip),
  lport: def(['net_connect', 'net_accept', 'net_listen'], (e) => str(sockaddrEnd(e)?.port)),
};
const AUDITD_UNSUPPORTED: Readonly<Record<string, string>> = {
  nametype: 'PATH nametype (CREATE/DELETE/NORMAL…) is not in runtime events',
  saddr: 'raw SOCKADDR saddr (hex) is not in runtime events; use laddr/lport',
  unit: 'SERVICE_STOP/SERVICE_START records do not become runtime events',
  inode: 'PATH inode is not matched (not on every event)',
  mode: 'PATH mode is not in runtime events',
  ouid: 'PATH ouid is not in runtime events',
  items: 'SYSCALL items is not in runtime events',
  exit: 'SYSCALL exit is not in runtime events (use success)',
};

function resolver(table: Record<string, FieldDef>, unsupported: Readonly<Record<string, string>>, extra?: (f: string) => FieldResolution | undefined) {
  const known = Object.keys(table);
  return (field: string): FieldResolution => {
    const direct = Object.hasOwn(table, field) ? table[field] : undefined;
    if (direct) return { ok: true, def: direct };
    const fromExtra = extra?.(field);
    if (fromExtra) return fromExtra;
    const reason = Object.hasOwn(unsupported, field) ? unsupported[field] : undefined;
    if (reason) return { ok: false, reason };
    const near = known.find((k) => k.toLowerCase() === field.toLowerCase());
    return {
      ok: false,
      reason: `field ${field} has no runtime-event equivalent${near ? ` (field names are case-sensitive: did you mean ${near}?)` : ''}`,
    };
  };
}

/** EXECVE aN → argv[N] (exec events only). */
function auditArg(field: string): FieldResolution | undefined {
  const m = /^a(\d{1,3})$/.exec(field);
  if (!m) return undefined;
  const index = Number(m[1]);
  // One def per index: the per-event memo and the prefilter key on the def object.
  let d = ARG_DEFS.get(index);
  if (!d) {
    d = def(PROCESS_KINDS, (e) => (e.kind === 'process_exec' ? e.process.argv[index] : undefined));
    ARG_DEFS.set(index, d);
  }
  return { ok: true, def: d };
}
const ARG_DEFS = new Map<number, FieldDef>();

function sysmonCategory(name: string, kinds: readonly EventKind[], table: Record<string, FieldDef>): LogsourceMapping {
  return { name, kinds, resolve: resolver(table, NO_LINUX_EQUIVALENT) };
}

const MAPPINGS: Readonly<Record<string, LogsourceMapping>> = {
  process_creation: sysmonCategory('linux/process_creation', PROCESS_KINDS, PROCESS_CREATION),
  network_connection: sysmonCategory('linux/network_connection', NET_KINDS, NETWORK_CONNECTION),
  file_event: sysmonCategory('linux/file_event', FILE_CREATE_KINDS, fileFields(FILE_CREATE_KINDS)),
  file_create: sysmonCategory('linux/file_create', FILE_CREATE_KINDS, fileFields(FILE_CREATE_KINDS)),
  file_change: sysmonCategory('linux/file_change', FILE_CHANGE_KINDS, fileFields(FILE_CHANGE_KINDS)),
  file_delete: sysmonCategory('linux/file_delete', FILE_DELETE_KINDS, fileFields(FILE_DELETE_KINDS)),
  auditd: {
    name: 'linux/auditd',
    kinds: AUDIT_KINDS,
    resolve: resolver(AUDITD, AUDITD_UNSUPPORTED, auditArg),
    // A raw audit line carries the values of its records; the event's decoded equivalents are searched.
    keywordHaystack: (e) => {
      const texts: string[] = [...e.process.argv, e.process.exe];
      const names = pathNames(e);
      if (names) texts.push(...names);
      if (e.auditKey) texts.push(e.auditKey);
      return texts;
    },
  },
};

export const SUPPORTED_CATEGORIES = ['process_creation', 'network_connection', 'file_event', 'file_create', 'file_change', 'file_delete'] as const;

/**
 * The mapping for a rule's logsource, or the reason Picket cannot observe it.
 * Only product linux; `service: auditd` or one of SUPPORTED_CATEGORIES.
 */
export function logsourceMapping(product: string | undefined, category: string | undefined, service: string | undefined): LogsourceMapping | string {
  if (product !== 'linux') return `logsource product ${product ?? '(none)'} is not supported (only linux)`;
  if (service !== undefined && category !== undefined) return `logsource with both category ${category} and service ${service} is not supported`;
  if (service !== undefined) {
    return service === 'auditd' ? MAPPINGS['auditd']! : `logsource service ${service} is not observed by Picket (only auditd)`;
  }
  if (category === undefined) return 'logsource product linux without a category or service (generic Linux log files such as syslog) is not observed by Picket';
  return (SUPPORTED_CATEGORIES as readonly string[]).includes(category)
    ? MAPPINGS[category]!
    : `logsource category ${category} is not observed by Picket (supported: ${SUPPORTED_CATEGORIES.join(', ')})`;
}
