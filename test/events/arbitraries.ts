/**
 * fast-check generators of valid runtime events (every kind, every optional field sometimes present), and
 * a small builder for hand-written cases, shared by the event tests.
 */
import fc from 'fast-check';
import { EVENT_KINDS, type EventKind, type RuntimeEvent } from '../../lambda/domain/events/runtime-event';

/** Any Unicode text, including astral characters (surrogate pairs in JS) and control characters. */
export const text = (maxLength = 48) => fc.string({ unit: 'binary', maxLength });
const name = (maxLength = 32) => fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength });
const pid = fc.integer({ min: 0, max: 4194304 });
const id32 = fc.integer({ min: 0, max: 4294967295 });
const counter = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });
const u32 = fc.integer({ min: 0, max: 4294967295 });
const port = fc.integer({ min: 0, max: 65535 });
/** Non-negative doubles without -0 (JSON turns -0 into 0, which would break round-trip equality). */
const nonNegative = fc.double({ min: 0, max: 1e6, noNaN: true, noDefaultInfinity: true }).map((x) => x + 0);
export const timestamp = fc
  .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T23:59:59Z'), noInvalidDate: true })
  .map((d) => d.toISOString());
export const instanceIdArb = fc.stringMatching(/^i-[0-9a-f]{8,17}$/);
const sha256 = fc.stringMatching(/^[0-9a-f]{64}$/);

const fd = fc.record(
  { type: fc.constantFrom('socket', 'tty', 'pipe', 'file', 'null', 'other' as const), remoteIp: text(), remotePort: port, path: text() },
  { requiredKeys: ['type'] },
);

export const processArb = fc.record(
  {
    pid,
    ppid: pid,
    exe: text(),
    sha256,
    argv: fc.array(text(), { maxLength: 6 }),
    argvTruncated: fc.boolean(),
    cwd: text(),
    uid: id32,
    euid: id32,
    gid: id32,
    auid: id32,
    user: text(),
    tty: text(),
    startTime: timestamp,
    uuid: name(64),
    stdio: fc.record({ stdin: fd, stdout: fd, stderr: fd }, { requiredKeys: [] }),
    container: fc.record({ id: text(), runtime: text() }, { requiredKeys: ['id'] }),
  },
  { requiredKeys: ['pid', 'ppid', 'exe', 'argv', 'cwd', 'uid', 'euid', 'gid', 'uuid'] },
);

const lineageEntry = fc.record(
  { pid, exe: text(), argv: fc.array(text(), { maxLength: 4 }), argvTruncated: fc.boolean(), uid: id32, euid: id32, startTime: timestamp, uuid: name(64) },
  { requiredKeys: ['pid', 'exe'] },
);
const lineage = fc.array(lineageEntry, { maxLength: 8 });
const target = fc.record({ pid, exe: text(), uid: id32, isDescendant: fc.boolean() }, { requiredKeys: ['pid'] });

/** The fields each kind adds, as an arbitrary of an object to spread into the event. */
const kindFields: Record<EventKind, fc.Arbitrary<Record<string, unknown>>> = {
  process_exec: fc.record({ syscall: fc.constantFrom('execve', 'execveat') }, { requiredKeys: [] }),
  net_connect: netFields(),
  net_listen: netFields(),
  net_accept: netFields(),
  dns_query: fc.record({
    dns: fc.record(
      { query: text(), qtype: name(16), rcode: fc.string({ maxLength: 16 }), answers: fc.array(text(), { maxLength: 5 }), resolverIp: text() },
      { requiredKeys: ['query', 'qtype'] },
    ),
  }),
  file_write: fileFields(),
  file_rename: fileFields(),
  file_unlink: fileFields(),
  file_link: fileFields(),
  file_chmod: fileFields(),
  ptrace: fc.record({ ptrace: fc.record({ request: u32, requestName: fc.string({ maxLength: 24 }) }), target }),
  process_vm_write: fc.record({ target }),
  module_load: fc.record({
    module: fc.record({ syscall: fc.constantFrom('init_module', 'finit_module'), name: text(), path: text() }, { requiredKeys: ['syscall'] }),
  }),
  memfd_create: fc.record({ memfd: fc.record({ name: text(), flags: u32 }) }),
  setuid: fc.record({ setuid: fc.record({ syscall: name(16), newUid: id32, newEuid: id32, newGid: id32 }, { requiredKeys: ['syscall'] }) }),
  mount: fc.record({ mount: fc.record({ source: text(), target: text(), fsType: text(), flags: counter }, { requiredKeys: ['target'] }) }),
  bpf: fc.record({ bpf: fc.record({ command: u32, commandName: fc.string({ maxLength: 24 }) }, { requiredKeys: ['command'] }) }),
  userfaultfd: fc.record({ userfaultfd: fc.record({ flags: u32 }) }),
  heartbeat: fc.record({
    heartbeat: fc.record(
      {
        agentVersion: name(16),
        eventsRead: counter,
        eventsSent: counter,
        eventsDropped: counter,
        spoolBytes: counter,
        auditLost: counter,
        auditBacklog: counter,
        rulesLoaded: counter,
        kernel: text(),
        os: text(),
        cpuPercent: nonNegative,
        rssBytes: counter,
        memoryLimitBytes: counter,
        uptimeSeconds: nonNegative,
        vcpus: fc.integer({ min: 1, max: 4096 }),
      },
      { requiredKeys: ['agentVersion', 'eventsRead', 'eventsSent', 'eventsDropped', 'spoolBytes', 'auditLost', 'auditBacklog', 'rulesLoaded', 'kernel', 'os', 'cpuPercent', 'rssBytes', 'uptimeSeconds'] },
    ),
  }),
};

function netFields() {
  return fc.record({
    net: fc.record(
      {
        family: fc.constantFrom('inet', 'inet6', 'unix'),
        protocol: fc.constantFrom('tcp', 'udp', 'other'),
        localIp: text(),
        localPort: port,
        remoteIp: text(),
        remotePort: port,
        path: text(),
        bytes: counter,
        packets: counter,
        direction: fc.constantFrom('ingress', 'egress'),
      },
      { requiredKeys: ['family'] },
    ),
  });
}

function fileFields() {
  return fc.record({
    file: fc.record({ path: text(), newPath: text(), mode: fc.stringMatching(/^[0-7]{3,5}$/), inode: counter }, { requiredKeys: ['path'] }),
  });
}

const common = fc.record(
  {
    success: fc.boolean(),
    auditKey: text(),
    sensor: fc.constantFrom('auditd', 'resolved', 'route53-resolver', 'vpc-flow-logs', 'proc'),
  },
  { requiredKeys: [] },
);

/** A valid runtime event of any kind (or of `kind`), about `instanceId` when given. */
export function runtimeEventArb(options: { instanceId?: string; kind?: EventKind } = {}): fc.Arbitrary<RuntimeEvent> {
  const kinds = options.kind ? fc.constant(options.kind) : fc.constantFrom(...EVENT_KINDS);
  return kinds.chain((kind) =>
    fc
      .record({
        ts: timestamp,
        instanceId: options.instanceId ? fc.constant(options.instanceId) : instanceIdArb,
        seq: counter,
        common,
        fields: kindFields[kind],
        process: kind === 'heartbeat' ? fc.option(processArb, { nil: undefined }) : processArb,
        lineage: kind === 'heartbeat' ? fc.option(lineage, { nil: undefined }) : lineage,
      })
      .map(({ ts, instanceId, seq, common: c, fields, process, lineage: l }) => {
        const event: Record<string, unknown> = { v: 1, kind, ts, instanceId, seq, ...c, ...fields };
        if (process !== undefined) event['process'] = process;
        if (l !== undefined) event['lineage'] = l;
        return event as unknown as RuntimeEvent;
      }),
  );
}

export const INSTANCE = 'i-0a1b2c3d4e5f60718';
export const OTHER_INSTANCE = 'i-0fedcba9876543210';
export const ACCOUNT = '111122223333';
export const REGION = 'us-east-1';
export const SOURCE = `picket.agent/arn:aws:ec2:${REGION}:${ACCOUNT}:instance/${INSTANCE}`;

/** A realistic process_exec event, with overrides merged at the top level. */
export function execEvent(seq: number, overrides: Record<string, unknown> = {}): RuntimeEvent {
  return {
    v: 1,
    kind: 'process_exec',
    ts: new Date(Date.UTC(2026, 2, 14, 9, 15, 0) + seq * 37).toISOString(),
    instanceId: INSTANCE,
    seq,
    syscall: 'execve',
    success: true,
    sensor: 'auditd',
    process: {
      pid: 2400 + (seq % 1000),
      ppid: 2203,
      exe: '/usr/bin/curl',
      argv: ['curl', '-fsSL', `https://updates.example.com/v${seq}/manifest.json`],
      cwd: '/home/ec2-user',
      uid: 1000,
      euid: 1000,
      gid: 1000,
      user: 'ec2-user',
      uuid: `proc-${seq}`,
    },
    lineage: [{ pid: 2203, exe: '/usr/bin/bash', argv: ['-bash'], uid: 1000, euid: 1000 }],
    ...overrides,
  } as RuntimeEvent;
}
