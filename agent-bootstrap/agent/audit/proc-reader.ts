/**
 * Best-effort reads of /proc (or a test directory laid out like it) for live enrichment. Every function returns
 * undefined instead of throwing: processes vanish between the audit record and our read, and that is normal.
 *
 * These reads run once or more per exec, so they are kept cheap (measured in bench/agent.bench.ts):
 * - most exec'd processes have exited by the time their records arrive: whether /proc/<pid>/stat exists is
 *   asked first (existsSync does not throw), and a failed read builds its Error without a stack trace;
 * - a pid found gone is remembered for VANISHED_TTL_MS, so the other files of the same event
 *   (cgroup, fd/0..2) are not tried again; pids are not reused that fast;
 * - the remote address of a stdio socket is remembered by socket inode for SOCKET_TTL_MS, so the children of
 *   one parent (all sharing its stdout socket, e.g. journald's) do not each re-read four /proc/net tables.
 */
import * as fs from 'node:fs';
import type { FdInfo } from '../../../lambda/domain/events/runtime-event';
import { LruMap } from '../../../lambda/domain/detection/lru';
import { formatIpv6 } from './sockaddr';

export interface ProcSnapshot {
  readonly pid: number;
  readonly ppid: number;
  readonly exe: string;
  readonly argv: string[];
  readonly uid?: number;
  readonly euid?: number;
  readonly gid?: number;
  readonly startTime?: string;
  readonly cwd?: string;
}

const CLK_TCK = 100;
/** How long a pid whose /proc entry was gone is taken as gone without looking again. */
const VANISHED_TTL_MS = 1000;
/** How long a socket inode's remote address (or its absence from the tcp/udp tables) is reused. */
const SOCKET_TTL_MS = 1000;

type Peer = { ip: string; port: number };

/** The calls ProcReader makes: node:fs by default. */
export interface ProcFileSystem {
  existsSync(path: string): boolean;
  readFileSync(path: string, encoding: 'utf8'): string;
  readlinkSync(path: string): string;
  readdirSync(path: string): string[];
}

export class ProcReader {
  private bootMs: number | undefined;
  private readonly vanished = new LruMap<number, number>(1024);
  private readonly peers = new LruMap<string, { peer: Peer | undefined; atMs: number }>(1024);

  constructor(
    readonly root: string,
    /** The file system calls used (tests wrap the real ones to count what is read). */
    private readonly io: ProcFileSystem = fs,
  ) {}

  /**
   * `pid`: skip the read when that process is known gone. `goneIfMissing`: the file exists for every live pid
   * (stat; not exe, fd/N or cwd, which kernel threads and zombies lack), so its absence means the pid is gone.
   */
  private read(path: string, pid?: number, goneIfMissing = false): string | undefined {
    if (pid !== undefined && this.isVanished(pid)) return undefined;
    // existsSync fails without building an Error: ~3 µs for an exited process instead of ~16 µs for the throw.
    if (pid !== undefined && goneIfMissing && !this.io.existsSync(`${this.root}/${path}`)) {
      this.vanished.set(pid, Date.now());
      return undefined;
    }
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      return this.io.readFileSync(`${this.root}/${path}`, 'utf8');
    } catch (error) {
      if (pid !== undefined && goneIfMissing) this.noteFailure(pid, error);
      return undefined;
    } finally {
      Error.stackTraceLimit = limit;
    }
  }

  private link(path: string, pid?: number): string | undefined {
    if (pid !== undefined && this.isVanished(pid)) return undefined;
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      return this.io.readlinkSync(`${this.root}/${path}`);
    } catch {
      return undefined;
    } finally {
      Error.stackTraceLimit = limit;
    }
  }

  /** Whether a read found pid gone less than VANISHED_TTL_MS ago. */
  isVanished(pid: number): boolean {
    const at = this.vanished.peek(pid);
    if (at === undefined) return false;
    if (Date.now() - at < VANISHED_TTL_MS) return true;
    this.vanished.delete(pid);
    return false;
  }

  private noteFailure(pid: number, error: unknown): void {
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    if (code === 'ENOENT' || code === 'ESRCH') this.vanished.set(pid, Date.now());
  }

  /** Boot time in ms since the epoch, from `btime` in /proc/stat. */
  bootTimeMs(): number | undefined {
    if (this.bootMs === undefined) {
      const m = /^btime (\d+)$/m.exec(this.read('stat') ?? '');
      if (m) this.bootMs = Number(m[1]) * 1000;
    }
    return this.bootMs;
  }

  pids(): number[] {
    try {
      return this.io
        .readdirSync(this.root)
        .filter((n) => /^\d+$/.test(n))
        .map(Number);
    } catch {
      return [];
    }
  }

  /** Start time (ISO) and ppid from /proc/<pid>/stat; the comm field may contain spaces and parentheses. */
  stat(pid: number): { ppid: number; startTime?: string } | undefined {
    const text = this.read(`${pid}/stat`, pid, true);
    if (!text) return undefined;
    const close = text.lastIndexOf(')');
    if (close < 0) return undefined;
    const rest = text.slice(close + 2).split(' ');
    // rest[0] is state (field 3); ppid is field 4, starttime field 22.
    const ppid = Number(rest[1]);
    const ticks = Number(rest[19]);
    const boot = this.bootTimeMs();
    const startTime = boot !== undefined && Number.isFinite(ticks) ? new Date(boot + (ticks * 1000) / CLK_TCK).toISOString() : undefined;
    return Number.isFinite(ppid) ? { ppid, ...(startTime ? { startTime } : {}) } : undefined;
  }

  snapshot(pid: number): ProcSnapshot | undefined {
    const st = this.stat(pid);
    if (!st) return undefined;
    const cmdline = this.read(`${pid}/cmdline`, pid) ?? '';
    const argv = cmdline.length === 0 ? [] : cmdline.replace(/\0$/, '').split('\0');
    const status = this.read(`${pid}/status`, pid) ?? '';
    const uidLine = /^Uid:\s+(\d+)\s+(\d+)/m.exec(status);
    const gidLine = /^Gid:\s+(\d+)/m.exec(status);
    const cwd = this.link(`${pid}/cwd`, pid);
    return {
      pid,
      ppid: st.ppid,
      exe: this.link(`${pid}/exe`, pid) ?? '',
      argv,
      ...(uidLine ? { uid: Number(uidLine[1]), euid: Number(uidLine[2]) } : {}),
      ...(gidLine ? { gid: Number(gidLine[1]) } : {}),
      ...(st.startTime ? { startTime: st.startTime } : {}),
      ...(cwd ? { cwd } : {}),
    };
  }

  /** Container id from /proc/<pid>/cgroup (docker, containerd, cri-o, podman layouts). */
  container(pid: number): { id: string; runtime?: string } | undefined {
    const text = this.read(`${pid}/cgroup`, pid);
    if (!text) return undefined;
    return containerFromCgroup(text);
  }

  /** What fds 0..2 point to, resolving sockets to their remote address through /proc/<pid>/net/tcp{,6}. */
  stdio(pid: number): { stdin?: FdInfo; stdout?: FdInfo; stderr?: FdInfo } | undefined {
    const out: { stdin?: FdInfo; stdout?: FdInfo; stderr?: FdInfo } = {};
    const names = ['stdin', 'stdout', 'stderr'] as const;
    let any = false;
    if (this.isVanished(pid)) return undefined;
    for (let fd = 0; fd <= 2; fd++) {
      const target = this.link(`${pid}/fd/${fd}`, pid);
      if (target === undefined) continue;
      out[names[fd]!] = this.describeFd(pid, target);
      any = true;
    }
    return any ? out : undefined;
  }

  private describeFd(pid: number, target: string): FdInfo {
    const socket = /^socket:\[(\d+)\]$/.exec(target);
    if (socket) {
      const peer = this.socketPeer(pid, socket[1]!);
      return peer ? { type: 'socket', remoteIp: peer.ip, remotePort: peer.port } : { type: 'socket' };
    }
    if (target.startsWith('pipe:')) return { type: 'pipe' };
    if (target === '/dev/null') return { type: 'null' };
    if (/^\/dev\/(pts\/\d+|tty\w*|console)$/.test(target)) return { type: 'tty', path: target };
    if (target.startsWith('/')) return { type: 'file', path: target };
    return { type: 'other' };
  }

  private socketPeer(pid: number, inode: string): Peer | undefined {
    const now = Date.now();
    const cached = this.peers.get(inode);
    if (cached && now - cached.atMs < SOCKET_TTL_MS) return cached.peer;
    const peer = this.findPeer(pid, inode);
    this.peers.set(inode, { peer, atMs: now });
    return peer;
  }

  /** Socket inodes are unique across network namespaces, so the first table holding the inode has the answer. */
  private findPeer(pid: number, inode: string): Peer | undefined {
    const needle = ` ${inode} `;
    for (const table of ['tcp', 'tcp6', 'udp', 'udp6']) {
      const text = this.read(`${pid}/net/${table}`, pid);
      if (!text) continue;
      // Most stdio sockets are unix sockets, in none of these tables: skip the per-line split then.
      if (!text.includes(needle)) continue;
      for (const line of text.split('\n')) {
        const cols = line.trim().split(/\s+/);
        if (cols[9] !== inode) continue;
        return parseProcNetAddress(cols[2] ?? '');
      }
    }
    return undefined;
  }
}

/** "0100007F:115C" (little-endian words) → 127.0.0.1:4444; IPv6 is four little-endian 32-bit words. */
export function parseProcNetAddress(text: string): { ip: string; port: number } | undefined {
  const [addr, portHex] = text.split(':');
  if (!addr || !portHex) return undefined;
  const port = Number.parseInt(portHex, 16);
  if (addr.length === 8) {
    const n = Number.parseInt(addr, 16);
    return { ip: `${n & 0xff}.${(n >>> 8) & 0xff}.${(n >>> 16) & 0xff}.${n >>> 24}`, port };
  }
  if (addr.length === 32) {
    const bytes: number[] = [];
    for (let w = 0; w < 4; w++) {
      const word = addr.slice(w * 8, w * 8 + 8);
      for (let b = 3; b >= 0; b--) bytes.push(Number.parseInt(word.slice(b * 2, b * 2 + 2), 16));
    }
    return { ip: formatIpv6(Uint8Array.from(bytes)), port };
  }
  return undefined;
}

/** Container id and runtime from the text of a cgroup file; undefined for host processes. */
export function containerFromCgroup(text: string): { id: string; runtime?: string } | undefined {
  const patterns: Array<[RegExp, string]> = [
    [/docker[-/]([0-9a-f]{64})/, 'docker'],
    [/cri-containerd-([0-9a-f]{64})/, 'containerd'],
    [/containerd[-/]([0-9a-f]{64})/, 'containerd'],
    [/crio-([0-9a-f]{64})/, 'cri-o'],
    [/libpod-([0-9a-f]{64})/, 'podman'],
    [/\/([0-9a-f]{64})(?:\.scope)?\s*$/m, 'unknown'],
  ];
  for (const [re, runtime] of patterns) {
    const m = re.exec(text);
    if (m) return { id: m[1]!, runtime };
  }
  return undefined;
}
