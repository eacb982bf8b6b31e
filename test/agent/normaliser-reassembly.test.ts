/**
 * Reassembly of records into events, on real records from the fixture capture: EOE or not, records out of
 * order, late and lost records, issues and counters.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AuditPipeline, parseAuditText } from '../../agent-bootstrap/agent/audit';
import type { ProcessExecEvent, RuntimeEvent } from '../../lambda/domain/events/runtime-event';

const INSTANCE = 'i-0123456789abcdef0';
const LINES = readFileSync(join(__dirname, '../fixtures/audit/scenario-raw.log'), 'utf8')
  .split('\n')
  .filter((l) => l.startsWith('type='));

/** All records of the first successful exec of argv0 in the fixture, in log order. */
function eventLines(argv0: string): string[] {
  const exec = LINES.find((l) => l.startsWith('type=EXECVE') && l.includes(`a0="${argv0}"`))!;
  const serial = /audit\(([^)]+)\)/.exec(exec)![1]!;
  return LINES.filter((l) => l.includes(`audit(${serial})`));
}

function feed(pipeline: AuditPipeline, lines: string[]): RuntimeEvent[] {
  return lines.flatMap((l, i) => pipeline.pushLine(l, i + 1));
}

describe('reassembly', () => {
  const mkdir = eventLines('mkdir');

  it('emits an event at its PROCTITLE (auditd 3 logs no EOE) or EOE, with nothing pending afterwards', () => {
    expect(mkdir[mkdir.length - 1]).toMatch(/^type=PROCTITLE/);
    const p = new AuditPipeline({ instanceId: INSTANCE });
    const out = feed(p, mkdir);
    expect(out.map((e) => e.kind)).toEqual(['process_exec']);
    expect((out[0] as ProcessExecEvent).process.argv).toEqual(['mkdir', '-p', '/tmp/picket-capture/mnt']);
    expect(p.flush()).toEqual([]);
    // with an EOE instead (older auditd, kernel-order streams)
    const header = /msg=audit\([^)]+\):/.exec(mkdir[0]!)![0];
    const withEoe = [...mkdir.filter((l) => !l.startsWith('type=PROCTITLE')), `type=EOE ${header}`];
    const q = new AuditPipeline({ instanceId: INSTANCE });
    expect(feed(q, withEoe).map((e) => e.kind)).toEqual(['process_exec']);
  });

  it('gives the same event whatever order the records arrive in', () => {
    const inOrder = parseAuditText(mkdir.join('\n'), { instanceId: INSTANCE }).events;
    // PROCTITLE stays last: it is the completion marker when there is no EOE
    const body = mkdir.slice(0, -1);
    const reversed = parseAuditText([...body].reverse().concat(mkdir.slice(-1)).join('\n'), { instanceId: INSTANCE }).events;
    expect(reversed).toEqual(inOrder);
  });

  it('emits an event without EOE when audit time moves past the window, or at flush', () => {
    const noEoe = mkdir.filter((l) => !l.startsWith('type=PROCTITLE'));
    const p = new AuditPipeline({ instanceId: INSTANCE, reassemblyWindowMs: 1000 });
    expect(feed(p, noEoe)).toEqual([]);
    const eventSec = Number(/audit\((\d+)\./.exec(noEoe[0]!)![1]);
    expect(p.flushExpired(eventSec * 1000 + 500)).toEqual([]);
    const late = p.flushExpired(eventSec * 1000 + 5000);
    expect(late.map((e) => e.kind)).toEqual(['process_exec']);

    const q = new AuditPipeline({ instanceId: INSTANCE });
    feed(q, noEoe);
    expect(q.flush().map((e) => e.kind)).toEqual(['process_exec']);
  });

  it('counts records that arrive after their event was emitted as lost, and emits no half-event', () => {
    const p = new AuditPipeline({ instanceId: INSTANCE });
    const path = mkdir.find((l) => l.startsWith('type=PATH'))!;
    expect(feed(p, mkdir)).toHaveLength(1);
    expect(feed(p, [path])).toEqual([]);
    expect(p.flush()).toEqual([]);
    expect(p.stats().lostRecords).toBe(1);
  });

  it('counts records whose SYSCALL never arrived as lost', () => {
    const p = new AuditPipeline({ instanceId: INSTANCE });
    feed(p, mkdir.filter((l) => !l.startsWith('type=SYSCALL')));
    expect(p.flush()).toEqual([]);
    expect(p.stats().lostRecords).toBe(mkdir.filter((l) => /^type=(EXECVE|CWD|PATH)/.test(l)).length);
  });

  it('still emits an exec whose EXECVE record was lost, with argv from PROCTITLE', () => {
    const { events } = parseAuditText(mkdir.filter((l) => !l.startsWith('type=EXECVE')).join('\n'), { instanceId: INSTANCE });
    expect(events).toHaveLength(1);
    // PROCTITLE is read after the exec, so it is the new program's argv
    expect((events[0] as ProcessExecEvent).process.argv).toEqual(['mkdir', '-p', '/tmp/picket-capture/mnt']);
  });

  it('interleaves events by serial', () => {
    const other = eventLines('umount');
    const mixed: string[] = [];
    for (let i = 0; i < Math.max(mkdir.length, other.length); i++) {
      if (mkdir[i]) mixed.push(mkdir[i]!);
      if (other[i]) mixed.push(other[i]!);
    }
    const { events } = parseAuditText(mixed.join('\n'), { instanceId: INSTANCE });
    expect(events.map((e) => (e as ProcessExecEvent).process.argv[0]).sort()).toEqual(['mkdir', 'umount']);
  });
});

describe('issues and counters', () => {
  it('skips comments and blank lines, reports malformed lines with their line numbers and carries on', () => {
    const text = ['# a comment', '', 'garbage line', ...eventLines('mkdir'), 'type=SYSCALL msg=audit(oops): pid=1'].join('\n');
    const p = new AuditPipeline({ instanceId: INSTANCE });
    let n = 0;
    const events = text.split('\n').flatMap((l) => p.pushLine(l, ++n));
    expect(events).toHaveLength(1);
    expect(p.issues.map((i) => i.line)).toEqual([3, n]);
    expect(p.issues[0]).toEqual({ line: 3, message: 'no "type=" field: not an audit record', text: 'garbage line' });
    expect(p.stats()).toMatchObject({ lines: n, malformed: 2, events: 1 });
  });

  it('keeps a bounded number of issues but counts them all, with text cut to 200 characters', () => {
    const p = new AuditPipeline({ instanceId: INSTANCE, maxIssues: 5 });
    for (let i = 0; i < 50; i++) p.pushLine(`bad ${'x'.repeat(500)}`);
    expect(p.issues).toHaveLength(5);
    expect(p.issues[0]!.text).toHaveLength(200);
    expect(p.stats().malformed).toBe(50);
  });

  it('remembers the kernel lost counter reported by DAEMON and CONFIG_CHANGE records', () => {
    const p = new AuditPipeline({ instanceId: INSTANCE });
    p.pushLine('type=CONFIG_CHANGE msg=audit(1700000000.000:5): op=set audit_lost=17 old=3 auid=0 ses=1 res=1');
    p.pushLine('type=DAEMON_ROTATE msg=audit(1700000001.000:6): op=rotate-logs auid=0 pid=1 lost=42 backlog=7 res=success');
    expect(p.stats()).toMatchObject({ auditLost: 42, auditBacklog: 7 });
  });

  it('uses the caller\'s sequence source, once per emitted event', () => {
    let seq = 1000;
    const { events } = parseAuditText(eventLines('mkdir').join('\n'), { instanceId: INSTANCE, nextSeq: () => ++seq });
    expect(events.map((e) => e.seq)).toEqual([1001]);
  });
});
