/**
 * The heartbeat: agent health every `heartbeatIntervalMs` (default 60 s), sent as its own PutEvents entry with
 * DetailType `Picket Agent Heartbeat`. Coverage marks an instance unhealthy when heartbeats stop, or when they
 * show dropped events, a filling spool or audit records lost by the kernel.
 */
import { createHash } from 'node:crypto';
import { release } from 'node:os';
import type { HeartbeatEvent, ProcessInfo } from '../../../lambda/domain/events/runtime-event';
import { AGENT_VERSION } from '../version';
import { CpuMeter, readAuditKernelStatus, readAuditRuleCount, readCgroupMemoryLimit, readOsName, vcpuCount } from './host-info';

/** Counters the rest of the agent keeps; read at each heartbeat. */
export interface AgentCounters {
  readonly eventsRead: number;
  readonly eventsSent: number;
  readonly eventsDropped: number;
  readonly spoolBytes: number;
}

export interface HeartbeatSourceOptions {
  readonly instanceId: string;
  readonly nextSeq: () => number;
  readonly counters: () => AgentCounters;
  /** @default 'auditctl' */
  readonly auditctlPath?: string;
  /** @default '/etc/os-release' */
  readonly osReleasePath?: string;
}

export class HeartbeatSource {
  private readonly cpu = new CpuMeter();
  private readonly os: string;
  private readonly startedAt = new Date(Date.now() - process.uptime() * 1000);

  constructor(private readonly options: HeartbeatSourceOptions) {
    this.os = readOsName(options.osReleasePath);
  }

  /** Builds the next heartbeat (runs auditctl -s and -l, best effort, with a timeout). */
  async next(): Promise<HeartbeatEvent> {
    const [status, rules] = await Promise.all([readAuditKernelStatus(this.options.auditctlPath), readAuditRuleCount(this.options.auditctlPath)]);
    const counters = this.options.counters();
    const memoryLimit = readCgroupMemoryLimit();
    return {
      v: 1,
      kind: 'heartbeat',
      ts: new Date().toISOString(),
      instanceId: this.options.instanceId,
      seq: this.options.nextSeq(),
      sensor: 'auditd',
      process: this.agentProcess(),
      heartbeat: {
        agentVersion: AGENT_VERSION,
        eventsRead: counters.eventsRead,
        eventsSent: counters.eventsSent,
        eventsDropped: counters.eventsDropped,
        spoolBytes: counters.spoolBytes,
        auditLost: status?.lost ?? 0,
        auditBacklog: status?.backlog ?? 0,
        rulesLoaded: rules ?? 0,
        kernel: release(),
        os: this.os,
        cpuPercent: Math.round(this.cpu.sample() * 100) / 100,
        rssBytes: process.memoryUsage.rss(),
        ...(memoryLimit === undefined ? {} : { memoryLimitBytes: memoryLimit }),
        uptimeSeconds: Math.round(process.uptime()),
        vcpus: vcpuCount(),
      },
    };
  }

  private agentProcess(): ProcessInfo {
    const startTime = this.startedAt.toISOString();
    return {
      pid: process.pid,
      ppid: process.ppid,
      exe: process.execPath,
      argv: process.argv.slice(0, 8),
      cwd: process.cwd(),
      uid: process.getuid?.() ?? 0,
      euid: process.geteuid?.() ?? 0,
      gid: process.getgid?.() ?? 0,
      startTime,
      uuid: createHash('sha256').update(`${this.options.instanceId}:${process.pid}:${startTime}`).digest('hex').slice(0, 32),
    };
  }
}
