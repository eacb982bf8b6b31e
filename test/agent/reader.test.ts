import { appendFileSync, mkdtempSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AfUnixReader, RESTLESS_READ_BYTES } from '../../agent-bootstrap/agent/readers/af-unix-reader';
import { FileTailer } from '../../agent-bootstrap/agent/readers/file-tailer';
import type { AuditLine, LineSource } from '../../agent-bootstrap/agent/readers/types';
import { waitFor } from './delivery-helpers';

/** Audit-shaped lines, RAW and ENRICHED alike (the readers pass text through untouched). */
function auditLine(n: number): string {
  const serial = 1000 + n;
  return n % 2 === 0
    ? `type=SYSCALL msg=audit(1764390000.${String(n % 1000).padStart(3, '0')}:${serial}): arch=c000003e syscall=59 success=yes exit=0 pid=${n} comm="true" key="picket_exec"`
    : `type=EXECVE msg=audit(1764390000.${String(n % 1000).padStart(3, '0')}:${serial}): argc=2 a0="/bin/echo" a1="héllo-${n}"\u001dARGC=2`;
}

/** Collects what a reader yields in the background. */
function collect(source: LineSource): { lines: AuditLine[]; done: Promise<void> } {
  const lines: AuditLine[] = [];
  const done = (async () => {
    for await (const line of source) lines.push(line);
  })();
  return { lines, done };
}

describe('FileTailer (audit.log across rotation)', () => {
  let dir: string;
  let log: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'picket-tail-'));
    log = join(dir, 'audit.log');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const write = (from: number, to: number, path = log) => {
    let text = '';
    for (let n = from; n <= to; n++) text += `${auditLine(n)}\n`;
    appendFileSync(path, text);
  };
  const texts = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => auditLine(from + i));

  it('follows a rename rotation (auditd ROTATE) without losing the lines the writer appended to the old file', async () => {
    write(1, 50);
    const tailer = new FileTailer({ path: log, startAt: 'beginning', pollIntervalMs: 10 });
    const got = collect(tailer);
    await waitFor(() => got.lines.length === 50, 5000, 'first 50 lines');
    write(51, 60);
    renameSync(log, `${log}.1`);
    write(61, 70, `${log}.1`); // still written through the old descriptor after the rename
    write(71, 100); // the new audit.log
    await waitFor(() => got.lines.length === 100, 5000, '100 lines');
    await tailer.stop();
    await got.done;
    expect(got.lines.map((l) => l.line)).toEqual(texts(1, 100));
    expect(tailer.stats().rotations).toBe(1);
    // Line numbers are per file: the new file starts again at 1.
    expect(got.lines[70]!.lineNo).toBe(1);
    expect(got.lines[70]!.source).toBe(log);
  });

  it('follows truncation in place (copytruncate) and reads the file again from its start', async () => {
    write(1, 40);
    const tailer = new FileTailer({ path: log, startAt: 'beginning', pollIntervalMs: 10 });
    const got = collect(tailer);
    await waitFor(() => got.lines.length === 40, 5000, '40 lines');
    truncateSync(log, 0);
    write(41, 45);
    await waitFor(() => got.lines.length === 45, 5000, '45 lines');
    await tailer.stop();
    expect(got.lines.map((l) => l.line)).toEqual(texts(1, 45));
    expect(tailer.stats().truncations).toBe(1);
  });

  it('holds a partial last line until its newline arrives; multi-byte characters stay whole', async () => {
    writeFileSync(log, '');
    const tailer = new FileTailer({ path: log, startAt: 'beginning', pollIntervalMs: 10, chunkBytes: 7 });
    const got = collect(tailer);
    const line = auditLine(3); // contains "é"
    const bytes = Buffer.from(`${line}\n`);
    const cut = bytes.indexOf(Buffer.from('é')) + 1; // inside the two-byte character
    appendFileSync(log, bytes.subarray(0, cut));
    await new Promise((r) => setTimeout(r, 60));
    expect(got.lines).toHaveLength(0);
    appendFileSync(log, bytes.subarray(cut));
    await waitFor(() => got.lines.length === 1, 5000, 'the completed line');
    await tailer.stop();
    expect(got.lines[0]!.line).toBe(line);
  });

  it('resumes after a restart from the saved position, and first finishes a file rotated while it was down', async () => {
    const stateDir = join(dir, 'state');
    write(1, 20);
    const first = new FileTailer({ path: log, stateDir, startAt: 'beginning', pollIntervalMs: 10 });
    const got1 = collect(first);
    await waitFor(() => got1.lines.length === 20, 5000, '20 lines');
    first.checkpoint();
    await first.stop();
    // While the agent is down: more lines, then a rotation, then lines in the new file.
    write(21, 30);
    renameSync(log, `${log}.1`);
    write(31, 40);
    const second = new FileTailer({ path: log, stateDir, startAt: 'end', pollIntervalMs: 10 });
    const got2 = collect(second);
    await waitFor(() => got2.lines.length === 20, 5000, '20 more lines');
    await second.stop();
    expect(got2.lines.map((l) => l.line)).toEqual(texts(21, 40));
    expect(got2.lines[0]!.lineNo).toBe(21);
  });

  it('starts at the end on a first start without saved state (no replay of old history)', async () => {
    write(1, 10);
    const tailer = new FileTailer({ path: log, pollIntervalMs: 10 });
    const got = collect(tailer);
    await new Promise((r) => setTimeout(r, 50));
    write(11, 12);
    await waitFor(() => got.lines.length === 2, 5000, '2 new lines');
    await tailer.stop();
    expect(got.lines.map((l) => [l.line, l.lineNo])).toEqual([
      [auditLine(11), 11],
      [auditLine(12), 12],
    ]);
  });

  it('waits for a log file that does not exist yet', async () => {
    const tailer = new FileTailer({ path: log, startAt: 'beginning', pollIntervalMs: 10 });
    const got = collect(tailer);
    await new Promise((r) => setTimeout(r, 40));
    write(1, 3);
    await waitFor(() => got.lines.length === 3, 5000, '3 lines');
    await tailer.stop();
    expect(got.lines.map((l) => l.line)).toEqual(texts(1, 3));
  });
});

describe('AfUnixReader (audisp af_unix plugin socket)', () => {
  let dir: string;
  let socketPath: string;
  let server: Server | undefined;
  const clients = new Set<Socket>();
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'picket-sock-'));
    socketPath = join(dir, 'audispd_events');
  });
  afterEach(async () => {
    const closed = new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    for (const c of clients) c.destroy();
    clients.clear();
    await closed;
    server = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  const listen = () =>
    new Promise<void>((resolve) => {
      server = createServer((socket) => {
        clients.add(socket);
        socket.on('close', () => clients.delete(socket));
      });
      server.listen(socketPath, () => resolve());
    });
  const broadcast = (data: Buffer | string) => {
    for (const c of clients) c.write(data);
  };

  it('reads lines split across writes, and reconnects with backoff when auditd restarts', async () => {
    // auditd not up yet: the reader keeps trying.
    const reader = new AfUnixReader({ socketPath, reconnect: { baseDelayMs: 5, maxDelayMs: 20 } });
    const got = collect(reader);
    await new Promise((r) => setTimeout(r, 30));
    await listen();
    await waitFor(() => clients.size === 1, 5000, 'the reader to connect');
    const text = Buffer.from(`${auditLine(1)}\n${auditLine(2)}\n${auditLine(3)}\n`);
    const cut = text.indexOf(Buffer.from('é')) + 1;
    broadcast(text.subarray(0, cut));
    await new Promise((r) => setTimeout(r, 20));
    broadcast(text.subarray(cut));
    await waitFor(() => got.lines.length === 3, 5000, '3 lines');

    // auditd restarts: the socket goes away (stop accepting first, then drop the client) and comes back.
    const closed = new Promise<void>((r) => server!.close(() => r()));
    for (const c of clients) c.destroy();
    clients.clear();
    await closed;
    rmSync(socketPath, { force: true });
    await listen();
    await waitFor(() => clients.size === 1, 5000, 'the reader to reconnect');
    broadcast(`${auditLine(4)}\n${auditLine(5)}\n`);
    await waitFor(() => got.lines.length === 5, 5000, '5 lines');
    await reader.stop();
    await got.done;
    expect(got.lines.map((l) => l.line)).toEqual([1, 2, 3, 4, 5].map(auditLine));
    expect(got.lines.map((l) => l.lineNo)).toEqual([1, 2, 3, 4, 5]);
    expect(reader.stats().connects).toBe(2);
  });

  it('reads in bursts: records written one by one while the socket rests come in one read, in order', async () => {
    await listen();
    const reader = new AfUnixReader({ socketPath, burstMs: 400 });
    const got = collect(reader);
    await waitFor(() => clients.size === 1, 5000, 'connect');
    broadcast(`${auditLine(0)}\n`);
    await waitFor(() => got.lines.length === 1, 5000, 'the first line');
    const readsBefore = reader.stats().reads;
    // auditd writes every record separately; these 50 writes, a millisecond or so apart (each would be a read of
    // its own without the rest), land while the reader rests after its first read.
    for (let n = 1; n <= 50; n++) {
      broadcast(`${auditLine(n)}\n`);
      await new Promise((r) => setTimeout(r, 1));
    }
    await waitFor(() => got.lines.length === 51, 5000, '51 lines');
    await reader.stop();
    expect(got.lines.map((l) => l.line)).toEqual(Array.from({ length: 51 }, (_, n) => auditLine(n)));
    expect(reader.stats().reads - readsBefore).toBeLessThanOrEqual(2);
  });

  it('does not rest after a large read: a stream faster than the socket holds is read without pauses', async () => {
    await listen();
    const reader = new AfUnixReader({ socketPath, burstMs: 5000 });
    const got = collect(reader);
    await waitFor(() => clients.size === 1, 5000, 'connect');
    // Far more than the socket holds (~208 KB): it arrives over several reads, each larger than RESTLESS_READ_BYTES.
    // With a rest after every read this would take 5 s per read; without, it is all in at once.
    const lineBytes = auditLine(0).length + 1;
    const count = Math.ceil((24 * RESTLESS_READ_BYTES) / lineBytes);
    const started = Date.now();
    broadcast(Array.from({ length: count }, (_, n) => `${auditLine(n)}\n`).join(''));
    await waitFor(() => got.lines.length === count, 4000, `${count} lines well before one 5 s rest would end`);
    expect(Date.now() - started).toBeLessThan(4000);
    expect(reader.stats().reads).toBeGreaterThan(1);
    await reader.stop();
    await got.done;
  });

  it('counts a line cut by a disconnect instead of passing half a record on', async () => {
    await listen();
    const reader = new AfUnixReader({ socketPath, reconnect: { baseDelayMs: 5, maxDelayMs: 20 } });
    const got = collect(reader);
    await waitFor(() => clients.size === 1, 5000, 'connect');
    broadcast(`${auditLine(1)}\n${auditLine(2).slice(0, 30)}`);
    await waitFor(() => got.lines.length === 1, 5000, '1 line');
    for (const c of clients) c.destroy();
    clients.clear();
    await waitFor(() => reader.stats().partialBytesDropped === 30, 5000, 'the partial line to be counted');
    await reader.stop();
    expect(got.lines.map((l) => l.line)).toEqual([auditLine(1)]);
  });
});
