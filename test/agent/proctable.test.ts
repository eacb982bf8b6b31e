import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditPipeline, parseAuditText } from '../../agent-bootstrap/agent/audit';
import { containerFromCgroup, parseProcNetAddress } from '../../agent-bootstrap/agent/audit/proc-reader';
import { ProcessTable, processUuid } from '../../agent-bootstrap/agent/audit/process-table';
import type { ProcessExecEvent, RuntimeEvent } from '../../lambda/domain/events/runtime-event';

const INSTANCE = 'i-0123456789abcdef0';
let serial = 100;

/** A real-shaped execve event (records as auditd writes them) for pid/ppid with argv. */
function execLines(pid: number, ppid: number, exe: string, argv: string[], sec = 1700000000, extra = ''): string[] {
  const s = serial++;
  const h = `msg=audit(${sec}.123:${s}):`;
  return [
    `type=SYSCALL ${h} arch=c000003e syscall=59 success=yes exit=0 a0=1 a1=2 a2=3 a3=4 items=2 ppid=${ppid} pid=${pid} auid=1000 uid=1000 gid=1000 euid=1000 suid=1000 fsuid=1000 egid=1000 sgid=1000 fsgid=1000 tty=pts0 ses=1 comm="${exe.split('/').pop()}" exe="${exe}" key="exec"${extra}`,
    `type=EXECVE ${h} argc=${argv.length} ${argv.map((a, i) => `a${i}="${a}"`).join(' ')}`,
    `type=CWD ${h} cwd="/home/user"`,
    `type=PATH ${h} item=0 name="${exe}" inode=1 dev=fe:00 mode=0100755 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL`,
    `type=EOE ${h}`,
  ];
}

function execs(events: RuntimeEvent[]): ProcessExecEvent[] {
  return events.filter((e): e is ProcessExecEvent => e.kind === 'process_exec');
}

describe('lineage from the log (offline)', () => {
  it('builds up to 8 ancestors, nearest first, from earlier execs', () => {
    const lines: string[] = [];
    for (let pid = 200; pid < 212; pid++) lines.push(...execLines(pid, pid - 1, '/bin/sh', ['sh', `level-${pid}`]));
    const events = execs(parseAuditText(lines.join('\n'), { instanceId: INSTANCE }).events);
    const last = events[events.length - 1]!;
    expect(last.process.pid).toBe(211);
    expect(last.lineage.map((l) => l.pid)).toEqual([210, 209, 208, 207, 206, 205, 204, 203]);
    expect(last.lineage[0]).toMatchObject({ exe: '/bin/sh', argv: ['sh', 'level-210'], uid: 1000, euid: 1000 });
    expect(last.lineage[0]!.uuid).toBe(events[events.length - 2]!.process.uuid);
  });

  it('keeps a process uuid across its exec and gives a reused pid a new one', () => {
    const lines = [
      ...execLines(300, 1, '/bin/bash', ['bash']),
      ...execLines(301, 300, '/bin/sh', ['sh']),
      ...execLines(301, 300, '/usr/bin/id', ['id']), // same process, second exec
      ...execLines(301, 555, '/usr/bin/env', ['env'], 1700000100), // pid reused under another parent
    ];
    const [, sh, id, env] = execs(parseAuditText(lines.join('\n'), { instanceId: INSTANCE }).events);
    expect(id!.process.uuid).toBe(sh!.process.uuid);
    expect(env!.process.uuid).not.toBe(sh!.process.uuid);
    expect(env!.lineage).toEqual([]);
  });

  it('uuids are deterministic and differ per instance', () => {
    expect(processUuid(INSTANCE, 1, '2026-01-01T00:00:00.000Z')).toBe(processUuid(INSTANCE, 1, '2026-01-01T00:00:00.000Z'));
    expect(processUuid(INSTANCE, 1, '2026-01-01T00:00:00.000Z')).not.toBe(processUuid('i-0fedcba9876543210', 1, '2026-01-01T00:00:00.000Z'));
  });

  it('excludes events of excluded pids and their descendants', () => {
    const lines = [...execLines(400, 1, '/usr/bin/node', ['node', 'agent']), ...execLines(401, 400, '/usr/bin/resolvectl', ['resolvectl']), ...execLines(402, 1, '/bin/ls', ['ls'])];
    const events = parseAuditText(lines.join('\n'), { instanceId: INSTANCE, excludePids: [400] }).events;
    expect(events.map((e) => (e as ProcessExecEvent).process.pid)).toEqual([402]);
  });

  it('stays within its LRU cap', () => {
    const table = new ProcessTable(INSTANCE, 100);
    for (let pid = 1; pid <= 1000; pid++) table.create(pid, pid - 1, '/bin/x', '2026-01-01T00:00:00.000Z');
    expect(table.size).toBe(100);
    expect(table.peek(1000)).toBeDefined();
    expect(table.peek(1)).toBeUndefined();
  });

  it('keeps the table bounded through a long log of short-lived processes', () => {
    const pipeline = new AuditPipeline({ instanceId: INSTANCE, maxProcesses: 500 });
    for (let pid = 1000; pid < 6000; pid++) for (const line of execLines(pid, 999, '/bin/true', ['true'])) pipeline.pushLine(line);
    pipeline.flush();
    expect(pipeline.processCount).toBeLessThanOrEqual(500);
    expect(pipeline.stats().events).toBe(5000);
  });
});

describe('live enrichment from a /proc-shaped directory', () => {
  let root: string;
  const boot = 1700000000;

  function fakeProcess(pid: number, ppid: number, exe: string, argv: string[], uid: number, cgroup = '0::/user.slice\n') {
    const dir = join(root, String(pid));
    mkdirSync(join(dir, 'fd'), { recursive: true });
    // comm with a space and a parenthesis, as real comms may have
    writeFileSync(join(dir, 'stat'), `${pid} (my (odd) comm) S ${ppid} ${pid} ${pid} 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 12345 1000 100\n`);
    writeFileSync(join(dir, 'cmdline'), `${argv.join('\0')}\0`);
    writeFileSync(join(dir, 'status'), `Name:\tx\nUid:\t${uid}\t${uid}\t${uid}\t${uid}\nGid:\t${uid}\t${uid}\t${uid}\t${uid}\n`);
    writeFileSync(join(dir, 'cgroup'), cgroup);
    symlinkSync(exe, join(dir, 'exe'));
    symlinkSync('/', join(dir, 'cwd'));
  }

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'picket-proc-'));
    writeFileSync(join(root, 'stat'), `cpu 1 2 3\nbtime ${boot}\n`);
    fakeProcess(1, 0, '/sbin/init', ['/sbin/init'], 0);
    fakeProcess(50, 1, '/usr/sbin/sshd', ['sshd: user [priv]'], 0);
    fakeProcess(60, 50, '/usr/bin/bash', ['-bash'], 1000, `0::/system.slice/docker-${'ab'.repeat(32)}.scope\n`);
  });

  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('seeds the table so lineage reaches processes started before the agent', () => {
    const passwd = join(root, 'passwd');
    writeFileSync(passwd, 'root:x:0:0::/root:/bin/bash\nuser:x:1000:1000::/home/user:/bin/bash\n');
    const { events } = parseAuditText(execLines(70, 60, '/usr/bin/id', ['id']).join('\n'), { instanceId: INSTANCE, procRoot: root, passwdPath: passwd, hashExecutables: false });
    const [ev] = execs(events);
    expect(ev!.lineage.map((l) => [l.pid, l.exe])).toEqual([
      [60, '/usr/bin/bash'],
      [50, '/usr/sbin/sshd'],
      [1, '/sbin/init'],
    ]);
    // start time = boot + 12345 ticks at 100 Hz
    expect(ev!.lineage[0]!.startTime).toBe(new Date(boot * 1000 + 123450).toISOString());
    expect(ev!.lineage[0]!.argv).toEqual(['-bash']);
    expect(ev!.process.user).toBe('user');
  });

  it('reads container ids from cgroup', () => {
    expect(containerFromCgroup(`0::/system.slice/docker-${'ab'.repeat(32)}.scope\n`)).toEqual({ id: 'ab'.repeat(32), runtime: 'docker' });
    expect(containerFromCgroup('0::/user.slice/user-1000.slice\n')).toBeUndefined();
  });

  it('decodes /proc/net/tcp addresses', () => {
    expect(parseProcNetAddress('0100007F:115C')).toEqual({ ip: '127.0.0.1', port: 4444 });
    expect(parseProcNetAddress('00000000000000000000000001000000:01BB')).toEqual({ ip: '::1', port: 443 });
  });
});
