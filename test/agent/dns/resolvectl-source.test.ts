/**
 * The live source against a fake `resolvectl` (a bash script that prints the real captured monitor lines), and
 * the collector wiring: DNS events reach the same callback as audit events.
 */
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { auditPipelineFactory } from '../../../agent-bootstrap/agent/audit-pipeline-factory';
import { startCollector } from '../../../agent-bootstrap/agent/collector';
import { dnsCaptureAvailability, startDnsCapture } from '../../../agent-bootstrap/agent/dns/dns-capture';
import type { ResolvedDnsEvent } from '../../../agent-bootstrap/agent/dns/dns-pipeline';
import { type MonitorLine, ResolvectlSource } from '../../../agent-bootstrap/agent/dns/resolvectl-source';
import type { RuntimeEvent } from '../../../lambda/domain/events/runtime-event';
import { counter, FIXTURE_DIR, INSTANCE_ID, monitorLines } from './resolved-fixtures';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'picket-dns-src-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A fake resolvectl: checks it was called as `monitor --json=short`, appends a line to `runs`, prints OUTPUT, then
 * either exits with 1 (`exit`), or turns into a long sleep (`stay`) that only a signal ends.
 */
function fakeResolvectl(output: string, then: 'exit' | 'stay'): string {
  writeFileSync(join(dir, 'output'), output);
  const path = join(dir, 'resolvectl');
  writeFileSync(
    path,
    `#!/usr/bin/env bash
[[ "$1 $2" == "monitor --json=short" ]] || { echo "bad args: $*" >&2; exit 64; }
echo run >>"${dir}/runs"
cat "${dir}/output"
${then === 'exit' ? 'exit 1' : 'exec sleep 300'}
`,
  );
  chmodSync(path, 0o755);
  return path;
}

const runs = () => readFileSync(join(dir, 'runs'), 'utf8').trim().split('\n').length;

async function waitFor(predicate: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('ResolvectlSource', () => {
  it('delivers each line with its number and read time, and stop() ends resolvectl', async () => {
    const lines: MonitorLine[] = [];
    const source = new ResolvectlSource((l) => lines.push(l), { command: fakeResolvectl(`${monitorLines().join('\n')}\n`, 'stay') });
    const before = Date.now();
    source.start();
    await waitFor(() => lines.length === 17, '17 lines');
    expect(lines.map((l) => l.lineNo)).toEqual(Array.from({ length: 17 }, (_, i) => i + 1));
    expect(lines.every((l) => l.run === 1 && l.readAtMs >= before && l.readAtMs <= Date.now())).toBe(true);
    expect(lines[2]!.line).toBe(monitorLines()[2]);
    const pid = source.stats().pid!;
    expect(alive(pid)).toBe(true);
    await source.stop();
    expect(alive(pid)).toBe(false);
    expect(source.stats()).toMatchObject({ running: false, starts: 1, restarts: 0, linesRead: 17 });
  });

  it('restarts resolvectl with backoff when it dies, counting lines per run', async () => {
    const lines: MonitorLine[] = [];
    const source = new ResolvectlSource((l) => lines.push(l), {
      command: fakeResolvectl(`${monitorLines().slice(0, 2).join('\n')}\n`, 'exit'),
      backoff: { baseDelayMs: 40, maxDelayMs: 80 },
    });
    source.start();
    const startedAt = Date.now();
    await waitFor(() => lines.some((l) => l.run === 3), 'a third run');
    const elapsed = Date.now() - startedAt;
    expect(source.stats().lastExit).toMatch(/exited with code 1/);
    await source.stop();
    expect(lines.filter((l) => l.run === 2).map((l) => l.lineNo)).toEqual([1, 2]);
    expect(source.stats().restarts).toBeGreaterThanOrEqual(2);
    expect(runs()).toBe(source.stats().starts);
    // The backoff never lets it spin: at least baseDelayMs / 2 before each restart.
    expect(elapsed).toBeGreaterThanOrEqual(2 * 20);
  });

  it('keeps trying, without throwing, when resolvectl is missing', async () => {
    const source = new ResolvectlSource(() => undefined, { command: join(dir, 'no-such-resolvectl'), backoff: { baseDelayMs: 20, maxDelayMs: 40 } });
    source.start();
    await waitFor(() => source.stats().starts >= 3, 'three attempts');
    await source.stop();
    expect(source.stats().lastExit).toMatch(/ENOENT/);
  });

  it('counts an unterminated last line instead of parsing half a record', async () => {
    const lines: MonitorLine[] = [];
    const source = new ResolvectlSource((l) => lines.push(l), { command: fakeResolvectl(`${monitorLines()[0]}\n${monitorLines()[1]!.slice(0, 50)}`, 'exit'), backoff: { baseDelayMs: 10_000, maxDelayMs: 10_000 } });
    source.start();
    await waitFor(() => source.stats().partialLinesDropped === 1, 'the partial line');
    await source.stop();
    expect(lines).toHaveLength(1);
  });
});

describe('startDnsCapture', () => {
  it('turns the fake monitor output into dns_query events, unparsable lines skipped and logged with line numbers', async () => {
    const warnings: Record<string, unknown>[] = [];
    const logger = { debug: () => undefined, info: () => undefined, error: () => undefined, warn: (_m: string, f?: Record<string, unknown>) => void warnings.push(f ?? {}) };
    const output = `${monitorLines()[2]}\nnot json at all\n${'{"state":"x"'.padEnd(200, ' ')}\n${monitorLines()[16]}\n`;
    const events: ResolvedDnsEvent[] = [];
    const capture = startDnsCapture({ instanceId: INSTANCE_ID, nextSeq: counter(), mode: 'on', resolvectlPath: fakeResolvectl(output, 'stay'), holdMs: 50, logger }, (e) => events.push(e));
    expect(capture).toBeDefined();
    await waitFor(() => events.length === 3, 'three events');
    await capture!.stop();
    expect(events.map((e) => [e.dns.query, e.dns.qtype, e.dns.answers])).toEqual([
      ['rebind.picket.test', 'A', ['169.254.169.254']],
      ['rebind.picket.test', 'AAAA', []],
      ['rebind.picket.test', 'A', ['169.254.169.254']],
    ]);
    expect(warnings.filter((w) => 'line' in w).map((w) => w.line)).toEqual([2, 3]);
    expect(capture!.stats().pipeline).toMatchObject({ linesRead: 4, linesUnparsed: 2, eventsEmitted: 3 });
  });

  it('emits results still held when stopped', async () => {
    const events: ResolvedDnsEvent[] = [];
    const capture = startDnsCapture({ instanceId: INSTANCE_ID, nextSeq: counter(), mode: 'on', resolvectlPath: fakeResolvectl(`${monitorLines()[0]}\n`, 'stay'), holdMs: 60_000 }, (e) => events.push(e));
    await waitFor(() => capture!.stats().source.linesRead === 1, 'the line');
    expect(events).toEqual([]);
    await capture!.stop();
    expect(events).toHaveLength(2);
  });

  it('stays off when asked, and in auto mode when resolvectl or resolved is missing', () => {
    const onEvent = jest.fn();
    expect(startDnsCapture({ instanceId: INSTANCE_ID, nextSeq: counter(), mode: 'off' }, onEvent)).toBeUndefined();
    expect(startDnsCapture({ instanceId: INSTANCE_ID, nextSeq: counter(), mode: 'auto', searchPath: dir }, onEvent)).toBeUndefined();
    expect(dnsCaptureAvailability({ searchPath: dir })).toEqual({ available: false, reason: expect.stringMatching(/resolvectl not found/) });
    fakeResolvectl('', 'exit');
    expect(dnsCaptureAvailability({ searchPath: `/nonexistent:${dir}`, monitorSocket: join(dir, 'no-socket') })).toEqual({ available: false, reason: expect.stringMatching(/not running/) });
  });

  it('auto mode finds resolvectl on PATH when resolved’s monitor socket exists', async () => {
    fakeResolvectl('', 'exit');
    const socket = join(dir, 'io.systemd.Resolve.Monitor');
    const server: Server = createServer();
    await new Promise<void>((r) => server.listen(socket, r));
    try {
      expect(dnsCaptureAvailability({ searchPath: `/nonexistent:${dir}`, monitorSocket: socket })).toEqual({ available: true, resolvectl: join(dir, 'resolvectl') });
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});

describe('collector with DNS capture', () => {
  it('hands audit events and DNS events to the same callback, and reports DNS stats', async () => {
    const auditLog = join(dir, 'audit.log');
    copyFileSync(join(FIXTURE_DIR, 'audit.log'), auditLog);
    const events: RuntimeEvent[] = [];
    const collector = startCollector(
      {
        instanceId: INSTANCE_ID,
        nextSeq: counter(),
        pipelineFactory: auditPipelineFactory,
        reader: 'file',
        auditLogPath: auditLog,
        startAt: 'beginning',
        procRoot: join(dir, 'no-proc'),
        hashExecutables: false,
        dns: { mode: 'on', resolvectlPath: fakeResolvectl(`${monitorLines().join('\n')}\n`, 'stay') },
      },
      (e) => events.push(e),
    );
    await waitFor(() => events.filter((e) => e.kind === 'dns_query').length === 26 && events.some((e) => e.kind === 'net_connect'), 'audit and DNS events', 15_000);
    await collector.stop();
    const seqs = events.map((e) => e.seq);
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(events.filter((e) => e.kind === 'dns_query').every((e) => e.sensor === 'resolved')).toBe(true);
    const stats = collector.stats();
    expect(stats.eventsEmitted).toBe(events.length);
    expect(stats.dns?.pipeline).toMatchObject({ linesRead: 17, eventsEmitted: 26 });
    expect(stats.dns?.pipeline.attribution.connectsSeen).toBeGreaterThan(0);
  });
});
