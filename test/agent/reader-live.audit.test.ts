/**
 * The readers against a real auditd (private config, log and af_unix socket; see agent-auditd.ts): both the
 * af_unix plugin socket and the tailed audit.log must carry the records of a command we run, including across
 * a log rotation done by auditd itself.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AfUnixReader } from '../../agent-bootstrap/agent/readers/af-unix-reader';
import { FileTailer } from '../../agent-bootstrap/agent/readers/file-tailer';
import type { AuditLine, LineSource } from '../../agent-bootstrap/agent/readers/types';
import { acquireAuditLock, type AuditLock, canRunAuditd, type PrivateAuditd, startPrivateAuditd } from './agent-auditd';
import { waitFor } from './delivery-helpers';

const support = canRunAuditd();
const describeLive = support.ok ? describe : describe.skip;
if (!support.ok) console.warn(`reader-live.audit.test.ts skipped: ${support.why}`);

function collect(source: LineSource): AuditLine[] {
  const lines: AuditLine[] = [];
  void (async () => {
    for await (const line of source) lines.push(line);
  })();
  return lines;
}

/** The EXECVE record of our marker command, as RAW or ENRICHED text. */
const execveOf = (lines: AuditLine[], marker: string) => lines.find((l) => l.line.startsWith('type=EXECVE') && l.line.includes(marker));

describeLive('readers on a real auditd', () => {
  let lock: AuditLock;
  let auditd: PrivateAuditd;
  let dir: string;

  beforeAll(async () => {
    lock = await acquireAuditLock();
    dir = mkdtempSync(join(tmpdir(), 'picket-live-reader-'));
    auditd = await startPrivateAuditd(dir);
    auditd.addRules([['-a', 'always,exit', '-F', 'arch=b64', '-S', 'execve', '-F', 'key=picket_reader_test']]);
  }, 130_000);

  afterAll(async () => {
    try {
      await auditd?.stop();
    } finally {
      await lock?.release();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('delivers the records of a command through the af_unix socket and the tailed log, and across a rotation', async () => {
    const socketReader = new AfUnixReader({ socketPath: auditd.socketPath });
    const tailer = new FileTailer({ path: auditd.logPath, startAt: 'end', pollIntervalMs: 20 });
    const fromSocket = collect(socketReader);
    const fromFile = collect(tailer);
    await waitFor(() => socketReader.stats().connected, 5000, 'the socket reader to connect');
    await new Promise((r) => setTimeout(r, 100)); // the tailer has found the end of the log

    const marker1 = `picket-marker-${process.pid}-one`;
    execFileSync('/bin/echo', [marker1]);
    await waitFor(() => execveOf(fromSocket, marker1) !== undefined && execveOf(fromFile, marker1) !== undefined, 10_000, 'marker 1 on both readers');

    auditd.rotate();
    await waitFor(() => tailer.stats().rotations === 1, 10_000, 'the tailer to follow the rotation');
    const marker2 = `picket-marker-${process.pid}-two`;
    execFileSync('/bin/echo', [marker2]);
    await waitFor(() => execveOf(fromSocket, marker2) !== undefined && execveOf(fromFile, marker2) !== undefined, 10_000, 'marker 2 on both readers');

    const serial = /msg=audit\([\d.]+:(\d+)\)/.exec(execveOf(fromFile, marker1)!.line)![1];
    const recordsOf = (lines: AuditLine[]) => lines.filter((l) => l.line.includes(`:${serial}):`)).map((l) => l.line.split(' ')[0]);
    // auditd 3.x sends EOE to plugins but does not write it to audit.log: wait for the socket's EOE and the log's PROCTITLE.
    await waitFor(() => recordsOf(fromSocket).includes('type=EOE') && recordsOf(fromFile).includes('type=PROCTITLE'), 10_000, 'the end of marker 1');
    await socketReader.stop();
    await tailer.stop();
    // Same record text on both paths (ENRICHED: names after the 0x1d separator).
    expect(execveOf(fromSocket, marker1)!.line).toBe(execveOf(fromFile, marker1)!.line);
    const syscall = fromFile.find((l) => l.line.startsWith('type=SYSCALL') && l.line.includes('key="picket_reader_test"'));
    expect(syscall?.line).toContain('\u001d');
    // Every record of marker 1's event arrived on both paths (the log has all but EOE).
    expect(recordsOf(fromSocket).filter((t) => t !== 'type=EOE')).toEqual(recordsOf(fromFile));
    expect(recordsOf(fromSocket)).toEqual(expect.arrayContaining(['type=SYSCALL', 'type=EXECVE', 'type=PROCTITLE', 'type=EOE']));
  }, 60_000);
});
