/**
 * Small builders of runtime events for the engine and intel tests. DNS events have to be built by
 * hand (a capture of a real domain lookup is forbidden, and auditd sees no DNS); network events
 * also come from the real loopback capture in intel-fixtures/.
 */
import type { ActivityEvent, DnsQueryEvent, NetEvent, ProcessExecEvent } from '../../lambda/domain/events/runtime-event';

export const INSTANCE = 'i-0123456789abcdef0';
export const ACCOUNT = '111122223333';

let seq = 0;
/** Strictly increasing sequence numbers across all builders (tests that need specific seqs pass them). */
export function nextSeq(): number {
  return ++seq;
}

const BASE_TIME = Date.parse('2026-11-29T10:00:00.000Z');
export function at(offsetMs: number): string {
  return new Date(BASE_TIME + offsetMs).toISOString();
}

export function processInfo(exe = '/usr/bin/curl', pid = 4242) {
  return {
    pid,
    ppid: 100,
    exe,
    argv: [exe.split('/').pop() ?? exe, '--silent'],
    cwd: '/home/ec2-user',
    uid: 1000,
    euid: 1000,
    gid: 1000,
    user: 'ec2-user',
    uuid: `uuid-${exe}-${pid}`,
  };
}

const LINEAGE = [
  { pid: 100, exe: '/usr/bin/bash', uid: 1000, euid: 1000, uuid: 'uuid-bash-100' },
  { pid: 50, exe: '/usr/sbin/sshd', uid: 0, euid: 0, uuid: 'uuid-sshd-50' },
];

export function netEvent(
  kind: 'net_connect' | 'net_accept',
  remoteIp: string,
  remotePort: number,
  opts: { offsetMs?: number; seq?: number; exe?: string; instanceId?: string } = {},
): NetEvent {
  return {
    v: 1,
    kind,
    ts: at(opts.offsetMs ?? 0),
    instanceId: opts.instanceId ?? INSTANCE,
    seq: opts.seq ?? nextSeq(),
    process: processInfo(opts.exe),
    lineage: LINEAGE,
    success: true,
    sensor: 'auditd',
    net: {
      family: remoteIp.includes(':') ? 'inet6' : 'inet',
      protocol: 'tcp',
      remoteIp,
      remotePort,
      localIp: remoteIp.includes(':') ? '::1' : '127.0.0.1',
      localPort: 50000,
    },
  };
}

export function dnsEvent(
  query: string,
  opts: { offsetMs?: number; seq?: number; exe?: string; pid?: number; answers?: string[]; rcode?: string; instanceId?: string } = {},
): DnsQueryEvent {
  return {
    v: 1,
    kind: 'dns_query',
    ts: at(opts.offsetMs ?? 0),
    instanceId: opts.instanceId ?? INSTANCE,
    seq: opts.seq ?? nextSeq(),
    process: processInfo(opts.exe, opts.pid),
    lineage: LINEAGE,
    sensor: 'resolved',
    dns: {
      query,
      qtype: 'A',
      ...(opts.rcode ? { rcode: opts.rcode } : {}),
      ...(opts.answers ? { answers: opts.answers } : {}),
    },
  };
}

export function execEvent(exe: string, opts: { offsetMs?: number; seq?: number; instanceId?: string } = {}): ProcessExecEvent {
  return {
    v: 1,
    kind: 'process_exec',
    ts: at(opts.offsetMs ?? 0),
    instanceId: opts.instanceId ?? INSTANCE,
    seq: opts.seq ?? nextSeq(),
    process: processInfo(exe),
    lineage: LINEAGE,
    sensor: 'auditd',
  };
}

export type { ActivityEvent };
