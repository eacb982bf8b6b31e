/**
 * What the normalised events of test/fixtures/audit/capture/scenario.sh must look like, whether they come from the
 * committed captures (normaliser-fixtures.test.ts) or from a live auditd run (capture.audit.test.ts).
 * Expectations come from what scenario.sh does — its ports, paths, arguments and process structure.
 */
import type {
  ActivityEvent,
  BpfEvent,
  FileEvent,
  MemfdCreateEvent,
  ModuleLoadEvent,
  MountEvent,
  NetEvent,
  ProcessExecEvent,
  ProcessVmWriteEvent,
  PtraceEvent,
  RuntimeEvent,
  SetuidEvent,
  UserfaultfdEvent,
} from '../../lambda/domain/events/runtime-event';
import { validateRuntimeEvent } from '../../lambda/domain/events/validate';
import type { ParseIssue } from '../../agent-bootstrap/agent/audit';

export interface ScenarioRun {
  /** Pid of the process that ran scenario.sh (or of its `timeout` wrapper). */
  readonly root: number;
  /** Events of the scenario's process subtree. */
  readonly events: ActivityEvent[];
  readonly issues: readonly ParseIssue[];
}

export interface ScenarioOptions {
  /** ENRICHED log or live run with /etc/passwd: user names are known. */
  readonly userNames: boolean;
  /** Live run: stdio of every exec is read from /proc, so only sockets are compared. */
  readonly live: boolean;
}

const execs = (events: RuntimeEvent[]) => events.filter((e): e is ProcessExecEvent => e.kind === 'process_exec');
const ofKind = <T extends ActivityEvent>(events: ActivityEvent[], kind: T['kind']) => events.filter((e) => e.kind === kind) as T[];

/** Defines the scenario's `it` blocks; `run()` is called inside each, after any beforeAll. */
export function scenarioExpectations(run: () => ScenarioRun, opts: ScenarioOptions): void {
  const execOf = (argv0: string) => execs(run().events).find((e) => e.success && e.process.argv[0] === argv0);
  it('parses every line and produces valid contract events only', () => {
    const { events, issues } = run();
    expect(issues).toEqual([]);
    expect(events.length).toBeGreaterThan(40);
    for (const e of events) {
      const v = validateRuntimeEvent(e);
      if (!v.ok) throw new Error(`${e.kind} seq ${e.seq}: ${v.reason}`);
    }
    // one sequence number per emitted event, strictly increasing (contiguous unless other events were filtered out)
    for (let i = 1; i < events.length; i++) expect(events[i]!.seq).toBeGreaterThan(events[i - 1]!.seq);
    if (!opts.live) expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
  });

  it('attaches lineage that leads back to the capture root', () => {
    const { root, events } = run();
    for (const e of events) {
      if (e.process.pid === root) continue;
      expect(e.lineage[0]?.pid).toBe(e.process.ppid);
      expect(e.lineage.map((l) => l.pid)).toContain(root);
      // each ancestor is the parent of the one before it
      for (let i = 1; i < e.lineage.length; i++) expect(e.lineage[i]!.pid).toBeGreaterThan(0);
    }
    const echo = execOf('/bin/echo')!;
    const scenarioShell = echo.lineage[0]!;
    expect(scenarioShell.argv?.[0]).toBe('bash');
    expect(scenarioShell.argv?.[1]).toMatch(/scenario\.sh$/);
  });

  it('decodes long (split, hex) and non-ASCII arguments and cuts them to LIMITS', () => {
    const echo = execOf('/bin/echo')!;
    expect(echo.process.argv).toEqual(['/bin/echo', 'a'.repeat(4096), 'héllo wörld ✓ 日本', 'two words', 'quote"d']);
    expect(echo.process.argvTruncated).toBe(true);
    expect(echo.truncatedFields).toEqual(['process.argv']);
    expect(echo.process.exe).toMatch(/\/echo$/);
    expect(echo.process.cwd).toBe('/tmp/picket-capture');
    expect(echo.process.uid).toBe(0);
    expect(echo.auditKey).toBe('exec');
  });

  it('reports loopback listeners, connects and accepts for IPv4 and IPv6', () => {
    const { events } = run();
    const listens = ofKind<NetEvent>(events, 'net_listen').map((e) => e.net);
    expect(listens).toEqual(
      expect.arrayContaining([
        { family: 'inet', localIp: '127.0.0.1', localPort: 47101 },
        { family: 'inet6', localIp: '::1', localPort: 47104 },
      ]),
    );
    const connects = ofKind<NetEvent>(events, 'net_connect');
    expect(connects.map((e) => [e.net, e.success])).toEqual(
      expect.arrayContaining([
        [{ family: 'inet', remoteIp: '127.0.0.1', remotePort: 47101 }, true],
        [{ family: 'inet6', remoteIp: '::1', remotePort: 47104 }, true],
      ]),
    );
    const accepts = ofKind<NetEvent>(events, 'net_accept').filter((e) => e.net.localPort === 47101 || e.net.localPort === 47104);
    expect(accepts).toHaveLength(2);
    for (const a of accepts) {
      expect(a.net.remoteIp).toBe(a.net.localIp);
      expect(a.net.remotePort).toBeGreaterThan(1023);
    }
  });

  it('reports the ptrace attach on its own child with the target resolved', () => {
    const { events } = run();
    const [attach, detach] = ofKind<PtraceEvent>(events, 'ptrace');
    const sleeper = execs(events).find((e) => e.process.argv.join(' ') === '/bin/sleep 5' && e.process.ppid === attach!.process.pid)!;
    expect(attach!.ptrace).toEqual({ request: 16, requestName: 'PTRACE_ATTACH' });
    if (opts.live && attach!.target.exe === undefined) {
      // Live, the child's exec can be logged after the ptrace and the child is killed before /proc is read:
      // the target is then known by pid and uid only, with no descendant verdict rather than a wrong one.
      expect(attach!.target).toEqual({ pid: sleeper.process.pid, uid: 0 });
    } else {
      expect(attach!.target).toEqual({ pid: sleeper.process.pid, exe: sleeper.process.exe, uid: 0, isDescendant: true });
    }
    expect(detach!.ptrace.requestName).toBe('PTRACE_DETACH');
  });

  it('reports memfd_create and the fileless execveat from it', () => {
    const { events } = run();
    const [memfd] = ofKind<MemfdCreateEvent>(events, 'memfd_create');
    expect(memfd!.memfd.flags).toBe(0);
    const fileless = execs(events).find((e) => e.syscall === 'execveat')!;
    expect(fileless.process.exe).toBe('/memfd:picket-memfd (deleted)');
    expect(fileless.process.argv).toEqual(['picket-memfd-true', '--from-memfd']);
    expect(fileless.process.ppid).toBe(memfd!.process.pid);
    expect(fileless.lineage[0]!.exe).toMatch(/python3/);
  });

  it('reports file activity in the watched directory with absolute paths, in order', () => {
    const { events } = run();
    const W = '/tmp/picket-capture/watched';
    const files = events
      .filter((e) => e.kind.startsWith('file_'))
      .map((e) => {
        const { inode: _inode, ...file } = (e as FileEvent).file;
        return [e.kind, file];
      });
    expect(files).toEqual([
      ['file_write', { path: `${W}/notes.txt` }],
      ['file_write', { path: `${W}/dropper` }],
      ['file_chmod', { path: `${W}/dropper`, mode: '0755' }],
      ['file_rename', { path: `${W}/notes.txt`, newPath: `${W}/renamed.txt` }],
      ['file_link', { path: `${W}/renamed.txt`, newPath: `${W}/hardlink` }],
      ['file_link', { path: `${W}/renamed.txt`, newPath: `${W}/symlink` }],
      ['file_chmod', { path: `${W}/renamed.txt`, mode: '0600' }],
      ['file_unlink', { path: `${W}/hardlink` }],
      ['file_unlink', { path: `${W}/symlink` }],
      ['file_unlink', { path: `${W}/renamed.txt` }],
      ['file_unlink', { path: `${W}/dropper` }],
    ]);
    const write = ofKind<FileEvent>(events, 'file_write')[1]!;
    expect(write.process.argv[0]).toBe('cp');
  });

  it('gives the reverse-shell simulations socket stdio (python dup2 + exec, bash /dev/tcp child)', () => {
    const { events } = run();
    const socketTo = (port: number) => ({ type: 'socket', remoteIp: '127.0.0.1', remotePort: port });
    const python = execs(events).find((e) => e.process.argv.join(' ') === 'sh -c echo picket-reverse-shell-simulation')!;
    expect(python.process.stdio).toEqual({ stdin: socketTo(47102), stdout: socketTo(47102), stderr: socketTo(47102) });
    const bash = execs(events).find((e) => e.process.argv.join(' ') === '/bin/sh -c echo picket-bash-tcp')!;
    expect(bash.process.stdio).toEqual({ stdin: socketTo(47103), stdout: socketTo(47103), stderr: socketTo(47103) });
    expect(bash.lineage[0]!.argv?.[0]).toBe('/bin/bash');
    // nothing else in the scenario runs with a socket on its standard io
    const others = execs(events).filter((e) => e !== python && e !== bash && Object.values(e.process.stdio ?? {}).some((fd) => fd?.type === 'socket'));
    expect(others.map((e) => e.process.argv.join(' '))).toEqual([]);
    if (!opts.live) expect(execs(events).filter((e) => e.process.stdio).length).toBe(2);
  });

  it('reports setuid, mount, bpf, userfaultfd, module load and process_vm_writev', () => {
    const { events } = run();
    expect(ofKind<SetuidEvent>(events, 'setuid').map((e) => e.setuid)).toEqual([
      { syscall: 'setgid', newGid: 65534 },
      { syscall: 'setuid', newUid: 65534, newEuid: 65534 },
    ]);
    expect(ofKind<MountEvent>(events, 'mount').map((e) => [e.mount.target, e.mount.fsType, e.success])).toEqual([['/tmp/picket-capture/mnt', 'tmpfs', true]]);
    expect(ofKind<BpfEvent>(events, 'bpf').map((e) => e.bpf)).toEqual([{ command: 0, commandName: 'BPF_MAP_CREATE' }]);
    expect(ofKind<UserfaultfdEvent>(events, 'userfaultfd').map((e) => e.userfaultfd.flags)).toEqual([0o2000000]);
    expect(ofKind<ModuleLoadEvent>(events, 'module_load').map((e) => [e.module.syscall, e.success])).toEqual([['finit_module', false]]);
    const [pvm] = ofKind<ProcessVmWriteEvent>(events, 'process_vm_write');
    const child = execs(events).find((e) => e.process.argv.join(' ') === '/bin/sleep 5' && e.process.ppid === pvm!.process.pid)!;
    expect(pvm!.target.pid).toBe(child.process.pid);
  });

  if (opts.userNames) {
    it('names the user (ENRICHED translation or /etc/passwd)', () => {
      expect(execOf('/bin/echo')!.process.user).toBe('root');
    });
  }
}
