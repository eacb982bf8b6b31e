/**
 * The runtime-event contract, version 1: the one shape every producer (host agent, resolver/flow-log
 * parsers) emits and every consumer (detector Lambda, `picket detect`, `picket watch`) accepts.
 *
 * This file is the TypeScript face of docs/runtime-event.schema.json; the schema is normative and the
 * validator in ./validate.ts is the only gate. Versioning rules live in docs/events.md: additive,
 * optional fields keep `v: 1`; removing or retyping a field, or changing a meaning, bumps `v`.
 */

export const RUNTIME_EVENT_VERSION = 1 as const;

/** Every kind of runtime event. `heartbeat` carries agent health, not host activity. */
export const EVENT_KINDS = [
  'process_exec',
  'net_connect',
  'net_listen',
  'net_accept',
  'dns_query',
  'file_write',
  'file_rename',
  'file_unlink',
  'file_link',
  'file_chmod',
  'ptrace',
  'process_vm_write',
  'module_load',
  'memfd_create',
  'setuid',
  'mount',
  'bpf',
  'userfaultfd',
  'heartbeat',
] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

/** Size limits that producers enforce by truncating (and flagging) and consumers enforce by rejecting. */
/** Linux's PID_MAX_LIMIT: no pid is larger (the schema's `process.pid` maximum). */
export const PID_MAX_LIMIT = 4_194_304;

export const LIMITS = {
  /** Largest serialised event, in bytes (UTF-8). Bigger events are rejected by the validator. */
  maxEventBytes: 32 * 1024,
  /** Most argv entries kept; the rest are dropped and `process.argvTruncated` is set. */
  maxArgs: 128,
  /** Longest single argument or path kept, in characters; longer ones are cut and flagged. */
  maxArgChars: 4096,
  /** Most ancestors in `lineage`. */
  maxLineage: 8,
} as const;

/** What a standard-io file descriptor points to at exec time (from /proc/<pid>/fd). */
export interface FdInfo {
  readonly type: 'socket' | 'tty' | 'pipe' | 'file' | 'null' | 'other';
  /** For sockets: the remote address when the agent could resolve it. */
  readonly remoteIp?: string;
  readonly remotePort?: number;
  /** For files and ttys: the path. */
  readonly path?: string;
}

export interface ProcessInfo {
  readonly pid: number;
  readonly ppid: number;
  /** Absolute path of the executable image (may end in " (deleted)" or start with "/memfd:"). */
  readonly exe: string;
  /** SHA-256 of the executable file, hex, when it could be read. */
  readonly sha256?: string;
  readonly argv: readonly string[];
  /** Set when argv or an argument was cut to LIMITS. */
  readonly argvTruncated?: boolean;
  readonly cwd: string;
  readonly uid: number;
  readonly euid: number;
  readonly gid: number;
  /** Audit login uid (who logged in, survives sudo); absent when unset (4294967295). */
  readonly auid?: number;
  readonly user?: string;
  readonly tty?: string;
  /** Process start time, ISO 8601. */
  readonly startTime?: string;
  /** Stable id of this process incarnation: instanceId + pid + start time, hashed. */
  readonly uuid: string;
  /** Standard io at exec time, when the agent could read /proc. */
  readonly stdio?: { readonly stdin?: FdInfo; readonly stdout?: FdInfo; readonly stderr?: FdInfo };
  /** Container context when the process runs in one (from cgroup / namespace data). */
  readonly container?: { readonly id: string; readonly runtime?: string };
}

/** One ancestor of the process, nearest first. */
export interface LineageEntry {
  readonly pid: number;
  readonly exe: string;
  readonly argv?: readonly string[];
  readonly uid?: number;
  readonly euid?: number;
  readonly startTime?: string;
  readonly uuid?: string;
  /** Set when this ancestor's argv or an argument was cut to LIMITS (added in v1, optional). */
  readonly argvTruncated?: boolean;
}

interface EventBase<K extends EventKind> {
  readonly v: typeof RUNTIME_EVENT_VERSION;
  readonly kind: K;
  /** When the kernel recorded the activity, ISO 8601 with milliseconds. */
  readonly ts: string;
  /** The EC2 instance the event is about. Consumers must check it against the sender (see validate.ts). */
  readonly instanceId: string;
  /** Per-instance, strictly increasing across agent restarts: lets consumers drop redeliveries. */
  readonly seq: number;
  readonly process: ProcessInfo;
  readonly lineage: readonly LineageEntry[];
  /** Whether the syscall succeeded; absent when unknown. */
  readonly success?: boolean;
  /** Audit rule key that produced the event, when any. */
  readonly auditKey?: string;
  /** Which sensor produced the event. */
  readonly sensor?: 'auditd' | 'resolved' | 'route53-resolver' | 'vpc-flow-logs' | 'proc';
  /**
   * Dotted paths of the fields the producer cut to fit LIMITS (e.g. `file.path`, `lineage[2].argv`), so a
   * consumer knows the value is not whole (argv keeps its start, other text its head and tail around "…").
   * Absent when nothing was cut (added in v1, optional).
   */
  readonly truncatedFields?: readonly string[];
}

export interface NetInfo {
  readonly family: 'inet' | 'inet6' | 'unix';
  readonly protocol?: 'tcp' | 'udp' | 'other';
  readonly localIp?: string;
  readonly localPort?: number;
  readonly remoteIp?: string;
  readonly remotePort?: number;
  /** For unix sockets. Abstract sockets start with "@". */
  readonly path?: string;
  /** Bytes and packets, when the source knows them (flow logs). */
  readonly bytes?: number;
  readonly packets?: number;
  /** ingress or egress, when the source knows it (flow logs). */
  readonly direction?: 'ingress' | 'egress';
}

export interface DnsInfo {
  readonly query: string;
  /** Record type name: A, AAAA, CNAME, TXT, … */
  readonly qtype: string;
  readonly rcode?: string;
  /** Resolved addresses or names. */
  readonly answers?: readonly string[];
  readonly resolverIp?: string;
}

export interface FileInfo {
  readonly path: string;
  /** Destination of a rename or link. */
  readonly newPath?: string;
  /** New mode of a chmod, octal string such as "0755". */
  readonly mode?: string;
  /** Inode of the file, when known. */
  readonly inode?: number;
}

export interface TargetProcess {
  readonly pid: number;
  readonly exe?: string;
  readonly uid?: number;
  /** True when the target is a descendant of the acting process (tracing your own child). */
  readonly isDescendant?: boolean;
}

export type ProcessExecEvent = EventBase<'process_exec'> & {
  /** How the exec happened: execve, execveat (fd-based, e.g. fileless). */
  readonly syscall?: 'execve' | 'execveat';
};
export type NetEvent = EventBase<'net_connect' | 'net_listen' | 'net_accept'> & { readonly net: NetInfo };
export type DnsQueryEvent = EventBase<'dns_query'> & { readonly dns: DnsInfo };
export type FileEvent = EventBase<'file_write' | 'file_rename' | 'file_unlink' | 'file_link' | 'file_chmod'> & {
  readonly file: FileInfo;
};
export type PtraceEvent = EventBase<'ptrace'> & {
  readonly ptrace: { readonly request: number; readonly requestName: string };
  readonly target: TargetProcess;
};
export type ProcessVmWriteEvent = EventBase<'process_vm_write'> & { readonly target: TargetProcess };
export type ModuleLoadEvent = EventBase<'module_load'> & {
  readonly module: { readonly syscall: 'init_module' | 'finit_module'; readonly name?: string; readonly path?: string };
};
export type MemfdCreateEvent = EventBase<'memfd_create'> & { readonly memfd: { readonly name: string; readonly flags: number } };
export type SetuidEvent = EventBase<'setuid'> & {
  readonly setuid: {
    readonly syscall: string;
    readonly newUid?: number;
    readonly newEuid?: number;
    readonly newGid?: number;
  };
};
export type MountEvent = EventBase<'mount'> & {
  readonly mount: { readonly source?: string; readonly target: string; readonly fsType?: string; readonly flags?: number };
};
export type BpfEvent = EventBase<'bpf'> & { readonly bpf: { readonly command: number; readonly commandName?: string } };
export type UserfaultfdEvent = EventBase<'userfaultfd'> & { readonly userfaultfd: { readonly flags: number } };

/** Agent health, sent every 60 s. `process` is the agent itself. */
export interface HeartbeatInfo {
  readonly agentVersion: string;
  readonly eventsRead: number;
  readonly eventsSent: number;
  readonly eventsDropped: number;
  readonly spoolBytes: number;
  readonly auditLost: number;
  readonly auditBacklog: number;
  readonly rulesLoaded: number;
  readonly kernel: string;
  readonly os: string;
  readonly cpuPercent: number;
  readonly rssBytes: number;
  readonly memoryLimitBytes?: number;
  readonly uptimeSeconds: number;
  readonly vcpus?: number;
}
export type HeartbeatEvent = Omit<EventBase<'heartbeat'>, 'process' | 'lineage'> & {
  readonly process?: ProcessInfo;
  readonly lineage?: readonly LineageEntry[];
  readonly heartbeat: HeartbeatInfo;
};

export type RuntimeEvent =
  | ProcessExecEvent
  | NetEvent
  | DnsQueryEvent
  | FileEvent
  | PtraceEvent
  | ProcessVmWriteEvent
  | ModuleLoadEvent
  | MemfdCreateEvent
  | SetuidEvent
  | MountEvent
  | BpfEvent
  | UserfaultfdEvent
  | HeartbeatEvent;

/** An activity event: everything but heartbeats, so `process` is always there. */
export type ActivityEvent = Exclude<RuntimeEvent, HeartbeatEvent>;

/**
 * The EventBridge envelope. The agent puts one entry per batch:
 *   Source      = `picket.agent/<instance ARN>`  (bound to the caller by IAM, see lib/ingest)
 *   DetailType  = DETAIL_TYPE_EVENTS or DETAIL_TYPE_HEARTBEAT
 *   Detail      = EventBatchDetail (JSON)
 * Events are gzip-compressed and base64-encoded in `data` because EventBridge bills every 64 KB chunk.
 */
export const AGENT_SOURCE_PREFIX = 'picket.agent/';
export const DETAIL_TYPE_EVENTS = 'Picket Runtime Events';
export const DETAIL_TYPE_HEARTBEAT = 'Picket Agent Heartbeat';

export interface EventBatchDetail {
  readonly v: typeof RUNTIME_EVENT_VERSION;
  readonly instanceId: string;
  /** `gzip+base64`: data is base64(gzip(JSON lines)); `json`: data is the JSON lines as text. */
  readonly encoding: 'gzip+base64' | 'json';
  readonly count: number;
  readonly firstSeq: number;
  readonly lastSeq: number;
  readonly data: string;
}
