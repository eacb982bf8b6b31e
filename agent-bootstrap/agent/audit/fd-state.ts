/**
 * Which file descriptors of a process are sockets with a known peer, and what its stdin/stdout/stderr point to,
 * as far as audited syscalls tell: connect(fd) and accept (exit = new fd) name a socket's peer; dup2/dup3 onto
 * fd 0..2 copy that onto stdio. This is how a reverse shell (`sh -i` whose stdio is a TCP socket) is recognised
 * without fork auditing: the exec'ing process or its parent carries the state.
 */
import type { FdInfo } from '../../../lambda/domain/events/runtime-event';
import type { ProcEntry, Stdio } from './process-table';

const STDIO_NAMES = ['stdin', 'stdout', 'stderr'] as const;
/** Sockets remembered per process; a server with thousands of connections keeps only the latest. */
const MAX_SOCKETS_PER_PROCESS = 64;

export type SocketFds = Map<number, FdInfo>;

export interface FdHolder {
  sockets?: SocketFds;
}

export function rememberSocket(holder: FdHolder, fd: number, info: FdInfo): void {
  if (fd < 0) return;
  holder.sockets ??= new Map();
  holder.sockets.delete(fd);
  holder.sockets.set(fd, info);
  if (holder.sockets.size > MAX_SOCKETS_PER_PROCESS) {
    const oldest = holder.sockets.keys().next();
    if (!oldest.done) holder.sockets.delete(oldest.value);
  }
}

/** dup2/dup3(oldfd, newfd): newfd 0..2 now points where oldfd did (a known socket, or a stdio slot). */
export function applyDup(entry: ProcEntry & FdHolder, oldFd: number, newFd: number): void {
  if (newFd < 0 || newFd > 2 || oldFd === newFd) return;
  const from = entry.sockets?.get(oldFd) ?? (oldFd >= 0 && oldFd <= 2 ? entry.stdio?.[STDIO_NAMES[oldFd]!] : undefined);
  const stdio: Stdio = { ...(entry.stdio ?? {}) };
  if (from) stdio[STDIO_NAMES[newFd]!] = from;
  else delete stdio[STDIO_NAMES[newFd]!];
  entry.stdio = stdio;
}

/** Merge what audit says (sockets with peers) with what /proc says now (racy, but knows ttys, pipes, files). */
export function mergeStdio(fromAudit: Stdio | undefined, fromProc: Stdio | undefined): Stdio | undefined {
  if (!fromAudit) return fromProc;
  if (!fromProc) return fromAudit;
  const out: Stdio = {};
  for (const name of STDIO_NAMES) {
    const a = fromAudit[name];
    const p = fromProc[name];
    // /proc wins only when it resolved a socket peer; otherwise audit (evidence at the time) beats a later read.
    const pick = p?.type === 'socket' && p.remoteIp !== undefined ? p : (a ?? p);
    if (pick) out[name] = pick;
  }
  return out;
}

export function hasStdio(stdio: Stdio | undefined): boolean {
  return stdio !== undefined && (stdio.stdin !== undefined || stdio.stdout !== undefined || stdio.stderr !== undefined);
}
