/**
 * Facts about the host and the agent for the heartbeat, each best effort: a missing tool or file gives
 * `undefined` (or 0 for counters), never an exception, because a heartbeat must go out even on an odd host.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

export interface AuditKernelStatus {
  readonly enabled?: number;
  readonly lost: number;
  readonly backlog: number;
  readonly backlogLimit?: number;
}

/** Parses `auditctl -s` ("lost 0\nbacklog 0\n…"; older versions print "AUDIT_STATUS: enabled=1 … lost=0 backlog=0"). */
export function parseAuditctlStatus(text: string): AuditKernelStatus {
  const field = (name: string): number | undefined => {
    const match = new RegExp(`(?:^|[\\s,])${name}[ =](\\d+)`, 'm').exec(text);
    return match ? Number(match[1]) : undefined;
  };
  return { enabled: field('enabled'), lost: field('lost') ?? 0, backlog: field('backlog') ?? 0, backlogLimit: field('backlog_limit') };
}

/** Counts rules in `auditctl -l` output ("No rules" means 0). */
export function countAuditRules(text: string): number {
  return text.split('\n').filter((line) => line.startsWith('-')).length;
}

export function runTool(command: string, args: readonly string[], timeoutMs = 3000): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(command, args, { timeout: timeoutMs, maxBuffer: 4 * 1024 * 1024 }, (error, stdout) => {
      resolve(error ? undefined : stdout);
    });
  });
}

export async function readAuditKernelStatus(auditctl = 'auditctl'): Promise<AuditKernelStatus | undefined> {
  const out = await runTool(auditctl, ['-s']);
  return out === undefined ? undefined : parseAuditctlStatus(out);
}

export async function readAuditRuleCount(auditctl = 'auditctl'): Promise<number | undefined> {
  const out = await runTool(auditctl, ['-l']);
  return out === undefined ? undefined : countAuditRules(out);
}

/** PRETTY_NAME (else NAME VERSION_ID) from os-release. */
export function parseOsRelease(text: string): string | undefined {
  const values = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (match) values.set(match[1]!, match[2]!.replace(/^"(.*)"$/, '$1'));
  }
  return values.get('PRETTY_NAME') ?? ([values.get('NAME'), values.get('VERSION_ID')].filter(Boolean).join(' ') || undefined);
}

export function readOsName(path = '/etc/os-release'): string {
  try {
    return parseOsRelease(readFileSync(path, 'utf8')) ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** The cgroup v2 memory.max of this process (what the systemd unit's MemoryMax sets), when limited. */
export function readCgroupMemoryLimit(procSelfCgroup = '/proc/self/cgroup', cgroupRoot = '/sys/fs/cgroup'): number | undefined {
  try {
    const line = readFileSync(procSelfCgroup, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('0::'));
    if (!line) return undefined;
    const value = readFileSync(`${cgroupRoot}${line.slice(3).trim().replace(/\/$/, '')}/memory.max`, 'utf8').trim();
    return /^\d+$/.test(value) ? Number(value) : undefined;
  } catch {
    return undefined;
  }
}

export function vcpuCount(): number {
  return availableParallelism();
}

/** CPU use of this process as a percentage of ONE core, over the time since the previous call. */
export class CpuMeter {
  private lastUsage = process.cpuUsage();
  private lastAt = process.hrtime.bigint();

  sample(): number {
    const usage = process.cpuUsage();
    const now = process.hrtime.bigint();
    const cpuMicros = usage.user - this.lastUsage.user + (usage.system - this.lastUsage.system);
    const wallMicros = Number(now - this.lastAt) / 1000;
    this.lastUsage = usage;
    this.lastAt = now;
    return wallMicros > 0 ? (cpuMicros / wallMicros) * 100 : 0;
  }
}
