/**
 * Options and issue types of the audit parser/normaliser. Kept apart from the pipeline so callers (agent main loop,
 * `picket detect --format auditd`, tests) can import the types without pulling in /proc or hashing code.
 */

export interface NormaliseOptions {
  instanceId: string;
  /** Root of /proc for live enrichment (seed process table, exe hashing, cgroup container ids); null = offline (log file replay). */
  procRoot?: string | null;
  /** Compute executable SHA-256 (cached by dev+inode+mtime, bounded). Default: true when live, false offline. */
  hashExecutables?: boolean;
  /** Sequence source: called once per emitted event. Default: counter from 1. */
  nextSeq?: () => number;
  /** Exclude events caused by these pids (the agent itself) and their children. */
  excludePids?: readonly number[];
  /** How long to wait for missing records of an event (no EOE) before emitting what arrived, in ms of audit time. */
  reassemblyWindowMs?: number;
  /** Path of the passwd file used for user names when live. @default `/etc/passwd` when procRoot is set, none offline */
  passwdPath?: string | null;
  /** Most processes kept in the process table (LRU). @default 32768 */
  maxProcesses?: number;
  /** Most ParseIssues kept verbatim (the rest are only counted). @default 100 */
  maxIssues?: number;
  /** Largest executable hashed, in bytes; bigger files get no sha256. @default 64 MiB */
  maxHashBytes?: number;
}

/** A line the parser could not use. The line is counted in `stats().malformed` whether or not it is kept here. */
export interface ParseIssue {
  /** 1-based line number as given to pushLine (or counted by the pipeline). */
  line: number;
  message: string;
  /** The offending text, truncated to 200 characters. */
  text: string;
}

export interface PipelineStats {
  /** Lines fed, including blank and comment lines. */
  lines: number;
  /** Audit records parsed. */
  records: number;
  /** Runtime events emitted. */
  events: number;
  /** Lines that were not audit records (each also a ParseIssue while under the cap). */
  malformed: number;
  /** Records that arrived for an event already emitted, or events missing their SYSCALL record. */
  lostRecords: number;
  /** Last `lost` counter the kernel/auditd reported (DAEMON_*, CONFIG_CHANGE or status records), when seen. */
  auditLost?: number;
  /** Last backlog value reported, when seen. */
  auditBacklog?: number;
  /** Events the normaliser failed on (a bug of ours, reported as a ParseIssue with line 0); absent when none. */
  internalErrors?: number;
}
