/**
 * The process table: what the agent knows about each live (or recently seen) process, for lineage and for
 * filling in events whose own records say little (a connect has no argv). Fed by /proc at start (live), by every
 * syscall record (pid, ppid, exe, ids) and by execs (argv, cwd). Bounded by an LRU cap; exited processes are
 * dropped a short while after exit_group (children's events may still need them as ancestors).
 */
import * as crypto from 'node:crypto';
import type { FdInfo, LineageEntry } from '../../../lambda/domain/events/runtime-event';
import { LIMITS } from '../../../lambda/domain/events/runtime-event';
import { LruMap } from '../../../lambda/domain/detection/lru';

export interface Stdio {
  stdin?: FdInfo;
  stdout?: FdInfo;
  stderr?: FdInfo;
}

export interface ProcEntry {
  pid: number;
  ppid: number;
  exe: string;
  argv?: string[];
  argvTruncated?: boolean;
  uid?: number;
  euid?: number;
  gid?: number;
  cwd?: string;
  /** ISO start time: from /proc when live, else when the log first showed this process. */
  startTime: string;
  uuid: string;
  /** Standard io as derived from audited connect/accept + dup2 (inherited across fork and exec). */
  stdio?: Stdio;
  container?: { id: string; runtime?: string };
  /** Audit time (ms) of exit_group, when seen. */
  exitedAtMs?: number;
  /**
   * Audit time (ms) of the event whose /proc read found this process already gone (live only). Like
   * exitedAtMs it lets expire() drop the entry after the grace period: the product rules do not audit exits,
   * and without this every short-lived process would stay until the LRU cap pushed it out.
   */
  goneAtMs?: number;
  /** This process as a lineage entry, cached until it changes (see ProcessTable.changed). */
  view?: LineageEntry;
}

/** Stable id of a process incarnation: hash of instance, pid and start time (UUID-shaped). */
export function processUuid(instanceId: string, pid: number, startTime: string): string {
  const h = sha256Hex(`${instanceId}\0${pid}\0${startTime}`);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** One-shot crypto.hash (Node >= 20.12) where present: a new process costs one of these, and a Hash object more. */
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash;
function sha256Hex(text: string): string {
  return oneShot ? oneShot('sha256', text, 'hex') : crypto.createHash('sha256').update(text).digest('hex');
}

export class ProcessTable {
  private readonly entries: LruMap<number, ProcEntry>;

  constructor(
    private readonly instanceId: string,
    capacity = 32768,
  ) {
    this.entries = new LruMap(capacity);
  }

  get size(): number {
    return this.entries.size;
  }

  get(pid: number): ProcEntry | undefined {
    return this.entries.get(pid);
  }

  peek(pid: number): ProcEntry | undefined {
    return this.entries.peek(pid);
  }

  /** A new incarnation of pid (replacing any previous one). */
  create(pid: number, ppid: number, exe: string, startTime: string, fields: Partial<ProcEntry> = {}): ProcEntry {
    const entry: ProcEntry = { ...fields, pid, ppid, exe, startTime, uuid: processUuid(this.instanceId, pid, startTime) };
    this.entries.set(pid, entry);
    return entry;
  }

  delete(pid: number): void {
    this.entries.delete(pid);
  }

  /** Drop processes that exited more than `graceMs` of audit time before `nowMs`. */
  expire(nowMs: number, graceMs: number): void {
    const dead: number[] = [];
    for (const e of this.entries.values()) {
      const endedAt = e.exitedAtMs ?? e.goneAtMs;
      if (endedAt !== undefined && nowMs - endedAt > graceMs) dead.push(e.pid);
    }
    for (const pid of dead) this.entries.delete(pid);
  }

  /** Ancestors of pid, nearest first, up to LIMITS.maxLineage; stops at an unknown parent, pid 0 or a loop. */
  lineage(ppid: number): LineageEntry[] {
    const out: LineageEntry[] = [];
    let next = ppid;
    // A loop shows as a pid already in the list (each view carries its entry's pid): at most 8 to check, cheaper
    // than a Set per event.
    while (next > 0 && out.length < LIMITS.maxLineage && !hasPid(out, next)) {
      const e = this.entries.peek(next);
      if (!e) break;
      if (!e.view) e.view = lineageView(e);
      out.push(e.view);
      next = e.ppid;
    }
    return out;
  }

  /** Must be called after changing an entry's exe, argv or ids, so lineage shows the new values. */
  changed(entry: ProcEntry): void {
    entry.view = undefined;
  }

  /** Whether pid or one of its known ancestors is in `pids`. */
  descendsFrom(pid: number, pids: ReadonlySet<number>): boolean {
    const seen = new Set<number>();
    let next = pid;
    while (next > 0 && !seen.has(next)) {
      if (pids.has(next)) return true;
      seen.add(next);
      const e = this.entries.peek(next);
      if (!e) return false;
      next = e.ppid;
    }
    return false;
  }
}

function hasPid(list: readonly LineageEntry[], pid: number): boolean {
  for (let i = 0; i < list.length; i++) if (list[i]!.pid === pid) return true;
  return false;
}

function lineageView(e: ProcEntry): LineageEntry {
  const view: { -readonly [K in keyof LineageEntry]: LineageEntry[K] } = { pid: e.pid, exe: e.exe };
  if (e.argv) view.argv = e.argv;
  if (e.argvTruncated) view.argvTruncated = true;
  if (e.uid !== undefined) view.uid = e.uid;
  if (e.euid !== undefined) view.euid = e.euid;
  view.startTime = e.startTime;
  view.uuid = e.uuid;
  return view;
}
