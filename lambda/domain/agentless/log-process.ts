import type { ProcessInfo } from '../events/runtime-event';

/**
 * VPC logs see the network, not the process. Events they produce carry this placeholder so every
 * consumer can keep treating `process` as present; `sensor` (route53-resolver or vpc-flow-logs) tells
 * the detector and the finding that no process detail exists.
 */
export const UNKNOWN_PROCESS: ProcessInfo = Object.freeze({
  pid: 0,
  ppid: 0,
  exe: '',
  argv: Object.freeze([]) as readonly string[],
  cwd: '',
  uid: 0,
  euid: 0,
  gid: 0,
  uuid: 'unknown',
});

/** A line the parser could not turn into an event: reported with where it was, the rest keeps flowing. */
export interface LogParseIssue {
  readonly line: number;
  readonly message: string;
}
