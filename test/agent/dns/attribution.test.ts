import { DnsAttributor } from '../../../agent-bootstrap/agent/dns/attribution';
import { DnsPipeline } from '../../../agent-bootstrap/agent/dns/dns-pipeline';
import type { NetEvent, NetInfo } from '../../../lambda/domain/events/runtime-event';
import { counter } from './resolved-fixtures';

const T0 = Date.parse('2026-03-14T09:00:00.000Z');

function connect(pid: number, atMs: number, net: Partial<NetInfo> = {}, success = true): NetEvent {
  return {
    v: 1,
    kind: 'net_connect',
    ts: new Date(atMs).toISOString(),
    instanceId: 'i-0123456789abcdef0',
    seq: pid,
    success,
    process: { pid, ppid: 1, exe: `/usr/bin/client-${pid}`, argv: [`client-${pid}`], cwd: '/', uid: 1000, euid: 1000, gid: 1000, uuid: `u-${pid}` },
    lineage: [{ pid: 1, exe: '/usr/lib/systemd/systemd' }],
    net: { family: 'inet', protocol: 'udp', remoteIp: '127.0.0.53', remotePort: 53, ...net },
  };
}
const varlink = (pid: number, atMs: number) => connect(pid, atMs, { family: 'unix', protocol: undefined, remoteIp: undefined, remotePort: undefined, path: '/run/systemd/resolve/io.systemd.Resolve' });

describe('DnsAttributor', () => {
  it('attributes a result to the one client that connected to the stub just before', () => {
    const a = new DnsAttributor();
    a.observe(connect(100, T0));
    expect(a.attribute('a.picket.test', T0 + 12)).toMatchObject({ status: 'attributed', via: 'stub', lagMs: 12, resolverIp: '127.0.0.53', process: { pid: 100 }, lineage: [{ pid: 1 }] });
  });

  it('attributes varlink (nss-resolve) connects, without a resolver address', () => {
    const a = new DnsAttributor();
    a.observe(varlink(200, T0));
    const r = a.attribute('a.picket.test', T0 + 3);
    expect(r).toMatchObject({ status: 'attributed', via: 'varlink', process: { pid: 200 } });
    expect(r).not.toHaveProperty('resolverIp');
  });

  it.each([
    ['a failed connect', connect(100, T0, {}, false)],
    ['a connect to another DNS server (direct to the VPC resolver)', connect(100, T0, { remoteIp: '10.0.0.2' })],
    ['a connect to the stub address on another port', connect(100, T0, { remotePort: 853 })],
    ['a connect to the D-Bus system bus', connect(100, T0, { family: 'unix', remoteIp: undefined, remotePort: undefined, path: '/run/dbus/system_bus_socket' })],
  ])('ignores %s', (_what, event) => {
    const a = new DnsAttributor();
    a.observe(event);
    expect(a.attribute('a.picket.test', T0 + 5)).toEqual({ status: 'unattributed', reason: 'no-front-door-connect' });
    expect(a.stats().connectsSeen).toBe(0);
  });

  it('only looks back windowMs and never forward beyond skewMs', () => {
    const a = new DnsAttributor({ windowMs: 1000, skewMs: 2 });
    a.observe(connect(100, T0));
    a.observe(connect(101, T0 + 5000));
    expect(a.attribute('late.picket.test', T0 + 1500)).toEqual({ status: 'unattributed', reason: 'no-front-door-connect' });
    expect(a.attribute('early.picket.test', T0 + 4990)).toEqual({ status: 'unattributed', reason: 'no-front-door-connect' });
    expect(a.attribute('onTime.picket.test', T0 + 4999)).toMatchObject({ status: 'attributed', process: { pid: 101 }, lagMs: 0 });
  });

  it('gives the A and AAAA results of one lookup to the same connect, and the next lookup to the next client', () => {
    const a = new DnsAttributor();
    a.observe(connect(100, T0));
    a.observe(connect(101, T0 + 4));
    expect(a.attribute('one.picket.test', T0 + 6)).toMatchObject({ status: 'ambiguous', process: { pid: 100 }, otherPids: [101] });
    expect(a.attribute('one.picket.test', T0 + 7)).toMatchObject({ status: 'attributed', process: { pid: 100 } });
    expect(a.attribute('two.picket.test', T0 + 9)).toMatchObject({ status: 'attributed', process: { pid: 101 } });
  });

  it('does not pair a much later result for the same name with an old connect when a newer client is waiting', () => {
    const a = new DnsAttributor({ pairMs: 100 });
    a.observe(varlink(100, T0));
    expect(a.attribute('rebind.picket.test', T0 + 5)).toMatchObject({ process: { pid: 100 } });
    a.observe(connect(300, T0 + 600));
    expect(a.attribute('rebind.picket.test', T0 + 610)).toMatchObject({ status: 'attributed', via: 'stub', process: { pid: 300 } });
  });

  it('says when every connect in the window already explained another name', () => {
    const a = new DnsAttributor();
    a.observe(connect(100, T0));
    a.attribute('first.picket.test', T0 + 5);
    expect(a.attribute('other.picket.test', T0 + 500)).toEqual({ status: 'unattributed', reason: 'front-door-connects-already-matched' });
  });

  it('stays bounded: forgets the oldest connects beyond maxConnects and those older than the window on prune', () => {
    const a = new DnsAttributor({ maxConnects: 3, windowMs: 1000 });
    for (let i = 0; i < 10; i++) a.observe(connect(100 + i, T0 + i));
    expect(a.stats()).toMatchObject({ connectsSeen: 10, connectsRemembered: 3 });
    a.prune(T0 + 1009); // keeps connects at or after T0 + 9
    expect(a.stats().connectsRemembered).toBe(1);
  });
});

describe('DnsPipeline hold', () => {
  const line = '{"state":"success","question":[{"class":1,"type":1,"name":"late.picket.test"}],"answer":[{"rr":{"key":{"class":1,"type":1,"name":"late.picket.test"},"address":[169,254,169,254]}}]}';

  it('waits holdMs for a client connect that reaches the agent after the answer', () => {
    const p = new DnsPipeline({ instanceId: 'i-0123456789abcdef0', nextSeq: counter(), holdMs: 1000 });
    p.pushLine(line, 1, T0 + 10);
    expect(p.drain(T0 + 500)).toEqual([]);
    p.observeAudit(connect(100, T0 + 2)); // the audit record arrives late
    const [event] = p.drain(T0 + 1010);
    expect(event).toMatchObject({ process: { pid: 100 }, dns: { answers: ['169.254.169.254'], attribution: { status: 'attributed', via: 'stub', lagMs: 8 }, resolverIp: '127.0.0.53' } });
    expect(event!.ts).toBe(new Date(T0 + 10).toISOString());
  });

  it('emits the oldest result early, counted, when too many wait', () => {
    const p = new DnsPipeline({ instanceId: 'i-0123456789abcdef0', nextSeq: counter(), holdMs: 60_000, maxPending: 2 });
    expect(p.pushLine(line, 1, T0).overflow).toEqual([]);
    expect(p.pushLine(line, 2, T0 + 1).overflow).toEqual([]);
    expect(p.pushLine(line, 3, T0 + 2).overflow).toHaveLength(1);
    expect(p.stats()).toMatchObject({ heldTooLong: 1, pending: 2, linesRead: 3 });
    expect(p.flush()).toHaveLength(2);
  });

  it('reports unusable lines with their line numbers and keeps going', () => {
    const p = new DnsPipeline({ instanceId: 'i-0123456789abcdef0', nextSeq: counter() });
    expect(p.pushLine('{"state":"succ', 7, T0).issue).toMatchObject({ line: 7, message: expect.stringMatching(/not JSON/) });
    expect(p.pushLine(line, 8, T0).issue).toBeUndefined();
    expect(p.flush()).toHaveLength(1);
    expect(p.stats()).toMatchObject({ linesRead: 2, linesUnparsed: 1, eventsEmitted: 1 });
  });
});
