/**
 * The live /proc reads and their caches (proc-reader.ts), on the real /proc of processes this test spawns:
 * a child whose stdio is a TCP socket, two children sharing one socket (the peer lookup is cached by inode),
 * a child in our own cgroup, and a pid that has exited (remembered as gone; no further reads for it).
 * Also the normaliser's use of "gone": an exited process leaves the process table after the grace period.
 */
import { type ChildProcess, type StdioOptions, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { createServer, type Server, Socket } from 'node:net';
import { AuditPipeline } from '../../agent-bootstrap/agent/audit';
import { containerFromCgroup, type ProcFileSystem, ProcReader } from '../../agent-bootstrap/agent/audit/proc-reader';
import { ProcessTable } from '../../agent-bootstrap/agent/audit/process-table';
import { PID_MAX_LIMIT } from '../../lambda/domain/events/runtime-event';

const onLinux = process.platform === 'linux' && fs.existsSync('/proc/self/stat');
const describeLinux = onLinux ? describe : describe.skip;

/** A loopback listener and one connected client socket (its fd becomes the children's stdio). */
async function connectedPair(): Promise<{ server: Server; client: Socket; accepted: Socket; port: number }> {
  const server = createServer();
  const acceptedP = new Promise<Socket>((resolve) => server.once('connection', resolve));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const client = await new Promise<Socket>((resolve, reject) => {
    const socket = new Socket();
    socket.once('error', reject);
    socket.connect(port, '127.0.0.1', () => resolve(socket));
  });
  return { server, client, accepted: await acceptedP, port };
}

function sleeper(stdio: StdioOptions): ChildProcess {
  return spawn('sleep', ['30'], { stdio });
}

/** The real file system, with every path ProcReader asks for recorded. */
function countingFs(): ProcFileSystem & { paths: string[] } {
  const paths: string[] = [];
  const noted = (path: string) => {
    paths.push(path);
    return path;
  };
  return {
    paths,
    existsSync: (path) => fs.existsSync(noted(path)),
    readFileSync: (path, encoding) => fs.readFileSync(noted(path), encoding),
    readlinkSync: (path) => fs.readlinkSync(noted(path)),
    readdirSync: (path) => fs.readdirSync(noted(path)),
  };
}

async function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise((resolve) => child.once('exit', resolve));
}

describeLinux('ProcReader on the real /proc', () => {
  const children: ChildProcess[] = [];
  afterEach(async () => {
    for (const child of children.splice(0)) {
      child.kill('SIGKILL');
      await exited(child);
    }
  });

  it('reads start time and parent of a live child', () => {
    const child = sleeper('ignore');
    children.push(child);
    const stat = new ProcReader('/proc').stat(child.pid!);
    expect(stat?.ppid).toBe(process.pid);
    const started = Date.parse(stat!.startTime!);
    // Boot time has second resolution and start time clock ticks: allow a little either way.
    expect(Math.abs(started - Date.now())).toBeLessThan(5000);
  });

  it('resolves a stdio socket to its TCP peer, and a second child on the same socket from the cache', async () => {
    const { server, client, accepted, port } = await connectedPair();
    try {
      const first = sleeper([client, client, 'ignore']);
      const second = sleeper([client, client, 'ignore']);
      children.push(first, second);
      const io = countingFs();
      const reader = new ProcReader('/proc', io);
      const stdio = reader.stdio(first.pid!);
      // Our client socket's peer is the listener's side: 127.0.0.1:<listening port>.
      expect(stdio?.stdin).toEqual({ type: 'socket', remoteIp: '127.0.0.1', remotePort: port });
      expect(stdio?.stdout).toEqual({ type: 'socket', remoteIp: '127.0.0.1', remotePort: port });
      expect(stdio?.stderr).toEqual({ type: 'null' });
      const netReads = () => io.paths.filter((path) => path.includes('/net/tcp')).length;
      const afterFirst = netReads();
      expect(afterFirst).toBeGreaterThan(0);
      expect(reader.stdio(second.pid!)?.stdout).toEqual({ type: 'socket', remoteIp: '127.0.0.1', remotePort: port });
      expect(netReads()).toBe(afterFirst); // same socket inode: no second scan of the tables
    } finally {
      client.destroy();
      accepted.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('reads the same container (or none) for a child in our own cgroup', () => {
    const child = sleeper('ignore');
    children.push(child);
    const ours = containerFromCgroup(fs.readFileSync('/proc/self/cgroup', 'utf8'));
    expect(new ProcReader('/proc').container(child.pid!)).toEqual(ours);
  });

  it('remembers an exited pid as gone and reads nothing more for it', async () => {
    const child = spawn('true', [], { stdio: 'ignore' });
    const pid = child.pid!;
    await exited(child); // reaped by node: /proc/<pid> is gone
    const io = countingFs();
    const reader = new ProcReader('/proc', io);
    expect(reader.isVanished(pid)).toBe(false);
    expect(reader.stat(pid)).toBeUndefined();
    expect(reader.isVanished(pid)).toBe(true);
    // One existence check found it gone; nothing else of that pid is tried while it is remembered as gone.
    expect(io.paths).toEqual([`/proc/${pid}/stat`]);
    expect(reader.container(pid)).toBeUndefined();
    expect(reader.stdio(pid)).toBeUndefined();
    expect(reader.snapshot(pid)).toBeUndefined();
    expect(io.paths).toEqual([`/proc/${pid}/stat`]);
  });
});

describe('processes that are gone leave the table after the grace period', () => {
  it('ProcessTable.expire drops entries gone (or exited) longer ago than the grace', () => {
    const table = new ProcessTable('i-0123456789abcdef0');
    table.create(10, 1, '/bin/a', '2026-01-01T00:00:00.000Z').goneAtMs = 1_000;
    table.create(11, 1, '/bin/b', '2026-01-01T00:00:00.000Z').exitedAtMs = 1_000;
    table.create(12, 1, '/bin/c', '2026-01-01T00:00:00.000Z').goneAtMs = 20_000;
    table.create(13, 1, '/bin/d', '2026-01-01T00:00:00.000Z');
    table.expire(35_000, 30_000);
    expect([10, 11, 12, 13].filter((pid) => table.peek(pid))).toEqual([12, 13]);
  });

  (onLinux ? it : it.skip)('live: an exec whose process had already exited is dropped 30 s (audit time) later', () => {
    // pids above this machine's pid_max (yet valid for the contract, <= PID_MAX_LIMIT): /proc has none of them,
    // like an exited process.
    const base = Math.min(Number(fs.readFileSync('/proc/sys/kernel/pid_max', 'utf8')) + 1, PID_MAX_LIMIT - 1100);
    const exec = (pid: number, sec: number, serial: number) =>
      `type=SYSCALL msg=audit(${sec}.000:${serial}): arch=c000003e syscall=59 success=yes exit=0 a0=1 a1=2 a2=3 a3=4 items=1 ppid=1 pid=${pid} auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=1 comm="true" exe="/usr/bin/true" key="picket_exec"\ntype=PROCTITLE msg=audit(${sec}.000:${serial}): proctitle=74727565`;
    const pipeline = new AuditPipeline({ instanceId: 'i-0123456789abcdef0', procRoot: '/proc', hashExecutables: false, passwdPath: null });
    const feed = (text: string) => {
      for (const line of text.split('\n')) pipeline.pushLine(line);
    };
    const seeded = pipeline.processCount;
    feed(exec(base, 1_800_000_000, 1));
    expect(pipeline.processCount).toBe(seeded + 1);
    // The table is swept every 1,024 events; these come 40 s later, past the 30 s grace of the first.
    for (let i = 1; i <= 1024; i++) feed(exec(base + i, 1_800_000_040, 1 + i));
    expect(pipeline.processCount).toBe(seeded + 1024);
  });
});
