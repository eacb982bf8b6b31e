import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateRuntimeEvent } from '../../lambda/domain/events/validate';
import { HeartbeatSource } from '../../agent-bootstrap/agent/heartbeat/heartbeat';
import { countAuditRules, parseAuditctlStatus, parseOsRelease, readCgroupMemoryLimit } from '../../agent-bootstrap/agent/heartbeat/host-info';

describe('heartbeat', () => {
  it('parses auditctl -s of audit 3.x and of older versions', () => {
    // audit 3.0.9 on this machine prints one "key value" per line.
    expect(parseAuditctlStatus('enabled 1\nfailure 1\npid 4242\nrate_limit 0\nbacklog_limit 8192\nlost 17\nbacklog 3\nbacklog_wait_time 15000\n')).toEqual({
      enabled: 1,
      lost: 17,
      backlog: 3,
      backlogLimit: 8192,
    });
    expect(parseAuditctlStatus('AUDIT_STATUS: enabled=1 flag=1 pid=812 rate_limit=0 backlog_limit=320 lost=5 backlog=0')).toMatchObject({ lost: 5, backlog: 0, backlogLimit: 320 });
    expect(parseAuditctlStatus('')).toEqual({ enabled: undefined, lost: 0, backlog: 0, backlogLimit: undefined });
  });

  it('counts loaded rules from auditctl -l', () => {
    expect(countAuditRules('No rules\n')).toBe(0);
    expect(countAuditRules('-a always,exit -F arch=b64 -S execve -F key=exec\n-w /etc/shadow -p wa -k shadow\n')).toBe(2);
  });

  it('reads the OS name from os-release', () => {
    expect(parseOsRelease('NAME="Amazon Linux"\nVERSION="2023"\nPRETTY_NAME="Amazon Linux 2023.6.20250115"\n')).toBe('Amazon Linux 2023.6.20250115');
    expect(parseOsRelease('NAME=Debian\nVERSION_ID="12"\n')).toBe('Debian 12');
  });

  it('reads the cgroup v2 memory limit systemd sets (MemoryMax), and none when unlimited', () => {
    const dir = mkdtempSync(join(tmpdir(), 'picket-cg-'));
    try {
      writeFileSync(join(dir, 'self-cgroup'), '0::/system.slice/picket-agent.service\n');
      mkdirSync(join(dir, 'system.slice/picket-agent.service'), { recursive: true });
      writeFileSync(join(dir, 'system.slice/picket-agent.service/memory.max'), '134217728\n');
      expect(readCgroupMemoryLimit(join(dir, 'self-cgroup'), dir)).toBe(134217728);
      writeFileSync(join(dir, 'system.slice/picket-agent.service/memory.max'), 'max\n');
      expect(readCgroupMemoryLimit(join(dir, 'self-cgroup'), dir)).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('builds a heartbeat that the contract schema accepts, with live agent figures', async () => {
    let seq = 41;
    const source = new HeartbeatSource({
      instanceId: 'i-0123456789abcdef0',
      nextSeq: () => ++seq,
      counters: () => ({ eventsRead: 10, eventsSent: 8, eventsDropped: 1, spoolBytes: 4096 }),
      auditctlPath: '/nonexistent/auditctl', // best effort: a missing tool gives zeros, not an error
    });
    const started = Date.now();
    while (Date.now() - started < 20) Math.sqrt(Math.random()); // some CPU to measure
    const heartbeat = await source.next();
    const checked = validateRuntimeEvent(heartbeat);
    expect(checked).toEqual({ ok: true, event: heartbeat });
    expect(heartbeat.seq).toBe(42);
    expect(heartbeat.heartbeat).toMatchObject({ eventsRead: 10, eventsSent: 8, eventsDropped: 1, spoolBytes: 4096, auditLost: 0, rulesLoaded: 0 });
    expect(heartbeat.heartbeat.rssBytes).toBeGreaterThan(10 * 1024 * 1024);
    expect(heartbeat.heartbeat.cpuPercent).toBeGreaterThan(0);
    expect(heartbeat.heartbeat.kernel).toMatch(/^\d+\.\d+/);
    expect(heartbeat.heartbeat.vcpus).toBeGreaterThanOrEqual(1);
    expect(heartbeat.process?.pid).toBe(process.pid);
  });
});
