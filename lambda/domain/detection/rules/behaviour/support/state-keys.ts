/**
 * What the behaviour rules remember per instance (InstanceState namespaces) and for how long. The
 * context recorder writes most of it; rules read it. Values are plain JSON (state is persisted).
 */

/** A process Picket saw listening on or accepting from a network socket: a network-facing process. */
export const NS_LISTENER = 'behaviour.listener';
export interface ListenerMemo {
  readonly exe: string;
  readonly port?: number;
  readonly ip?: string;
}

/** The last outbound inet connection of a process (reverse-shell sequences). */
export const NS_CONNECT = 'behaviour.connect';
export interface ConnectMemo {
  readonly remoteIp?: string;
  readonly remotePort?: number;
  readonly exe: string;
  readonly ts: string;
}

/** The last write, chmod, rename or link that produced a file (new-binary / new-library sequences). */
export const NS_FILE = 'behaviour.file';
export interface FileMemo {
  readonly pid: number;
  readonly exe: string;
  readonly how: 'write' | 'chmod' | 'rename' | 'link';
  readonly mode?: string;
  readonly ts: string;
  /** Names of the writer and its ancestors, to tell compilers and package managers apart. */
  readonly writerLineage: readonly string[];
}

/** pid → parent and identity at exec time (descendant checks, exec-time uid). */
export const NS_PROC = 'behaviour.proc';
export interface ProcMemo {
  readonly ppid: number;
  readonly exe: string;
  readonly uid: number;
  readonly euid: number;
}

/** memfd_create calls per pid (fileless execution sequences). */
export const NS_MEMFD = 'behaviour.memfd';
export interface MemfdMemo {
  readonly name: string;
  readonly ts: string;
}

/** A pid that exec'd a namespace launcher (unshare, runc, nsenter…): its descendants run in a container. */
export const NS_NAMESPACE = 'behaviour.namespace';
export interface NamespaceMemo {
  readonly launcher: string;
}

export const TTL = {
  listener: 24 * 60 * 60 * 1000,
  connect: 10 * 60 * 1000,
  file: 24 * 60 * 60 * 1000,
  proc: 24 * 60 * 60 * 1000,
  memfd: 10 * 60 * 1000,
  namespace: 24 * 60 * 60 * 1000,
} as const;
