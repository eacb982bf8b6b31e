/**
 * Best-effort reads of /proc (or a test directory laid out like it) for live enrichment. Every function returns
 * undefined instead of throwing: processes vanish between the audit record and our read, and that is normal.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { formatIpv6 } from './sockaddr';
import type { FdInfo } from '../../../lambda/domain/events/runtime-event';

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

export class ProcReader {
  private bootMs: number | undefined;

  constructor(readonly root: string) {}

  private read(path: string): string | undefined {
    try {
      return readFileSync(`${this.root}/${path}`, 'utf8');
    } catch {
      return undefined;
    }
  }

  private link(path: string): string | undefined {
    try {
      return readlinkSync(`${this.root}/${path}`);
    } catch {
      return undefined;
    }
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
      return readdirSync(this.root)
        .filter((n) => /^\d+$/.test(n))
        .map(Number);
    } catch {
      return [];
    }
  }

  /** Start time (ISO) and ppid from /proc/<pid>/stat; the comm field may contain spaces and parentheses. */
  stat(pid: number): { ppid: number; startTime?: string } | undefined {
    const text = this.read(`${pid}/stat`);
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
    const cmdline = this.read(`${pid}/cmdline`) ?? '';
    const argv = cmdline.length === 0 ? [] : cmdline.replace(/\0$/, '').split('\0');
    const status = this.read(`${pid}/status`) ?? '';
    const uidLine = /^Uid:\s+(\d+)\s+(\d+)/m.exec(status);
    const gidLine = /^Gid:\s+(\d+)/m.exec(status);
    const cwd = this.link(`${pid}/cwd`);
    return {
      pid,
      ppid: st.ppid,
      exe: this.link(`${pid}/exe`) ?? '',
      argv,
      ...(uidLine ? { uid: Number(uidLine[1]), euid: Number(uidLine[2]) } : {}),
      ...(gidLine ? { gid: Number(gidLine[1]) } : {}),
      ...(st.startTime ? { startTime: st.startTime } : {}),
      ...(cwd ? { cwd } : {}),
    };
  }

  /** Container id from /proc/<pid>/cgroup (docker, containerd, cri-o, podman layouts). */
  container(pid: number): { id: string; runtime?: string } | undefined {
    const text = this.read(`${pid}/cgroup`);
    if (!text) return undefined;
    return containerFromCgroup(text);
  }

  /** What fds 0..2 point to, resolving sockets to their remote address through /proc/<pid>/net/tcp{,6}. */
  stdio(pid: number): { stdin?: FdInfo; stdout?: FdInfo; stderr?: FdInfo } | undefined {
    const out: { stdin?: FdInfo; stdout?: FdInfo; stderr?: FdInfo } = {};
    const names = ['stdin', 'stdout', 'stderr'] as const;
    let any = false;
    for (let fd = 0; fd <= 2; fd++) {
      const target = this.link(`${pid}/fd/${fd}`);
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

  private socketPeer(pid: number, inode: string): { ip: string; port: number } | undefined {
    for (const table of ['tcp', 'tcp6', 'udp', 'udp6']) {
      const text = this.read(`${pid}/net/${table}`);
      if (!text) continue;
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
