import { rmSync } from 'node:fs';
import { DETAIL_TYPE_EVENTS, DETAIL_TYPE_HEARTBEAT, type HeartbeatEvent } from '../../lambda/domain/events/runtime-event';
import { SequenceAllocator } from '../../agent-bootstrap/agent/state/sequence';
import { type PutEventsServer, startPutEventsServer } from '../support/putevents-server';
import { BUS_ARN, execEvent, firstArrivals, makeRig, receivedEvents, SOURCE, seqsOfDetail, tempStateDir, waitFor } from './delivery-helpers';

const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);

describe('delivery to PutEvents (real SDK client, local wire-protocol server)', () => {
  let server: PutEventsServer;
  let stateDir: string;

  beforeEach(async () => {
    server = await startPutEventsServer();
    stateDir = tempStateDir();
  });
  afterEach(async () => {
    await server.down();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('sends every event once, in seq order, with the exact Source, DetailType and bus, accepted by the ingest gate', async () => {
    const rig = makeRig(server, stateDir);
    for (const seq of range(1, 400)) rig.batcher.add(execEvent(seq));
    rig.batcher.flush();
    await rig.queue.whenIdle();
    const events = receivedEvents(server);
    expect(events.map((e) => e.seq)).toEqual(range(1, 400));
    expect(new Set(server.accepted.map((e) => e.Source))).toEqual(new Set([SOURCE]));
    expect(SOURCE).toBe('picket.agent/arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0');
    expect(new Set(server.accepted.map((e) => e.DetailType))).toEqual(new Set([DETAIL_TYPE_EVENTS]));
    expect(new Set(server.accepted.map((e) => e.EventBusName))).toEqual(new Set([BUS_ARN]));
    expect(server.calls.every((c) => c.target === 'AWSEvents.PutEvents' && c.hadSignature)).toBe(true);
    // Batched: far fewer entries than events, each under the 8 KB target this rig sets.
    expect(server.accepted.length).toBeLessThan(100);
    expect(server.accepted.length).toBeGreaterThan(1);
    expect(rig.queue.stats().eventsSent).toBe(400);
    await rig.queue.stop();
  });

  it('endpoint down then back: spools while down, then delivers every event at least once, first arrivals in seq order', async () => {
    const rig = makeRig(server, stateDir);
    await server.down();
    for (const seq of range(1, 150)) {
      rig.batcher.add(execEvent(seq));
      if (seq % 25 === 0) await new Promise((r) => setTimeout(r, 15));
    }
    rig.batcher.flush();
    await waitFor(() => rig.spool.pendingBytes > 0, 5000, 'entries to reach the spool');
    // More events while the spool holds older ones: they must queue behind them.
    for (const seq of range(151, 50)) rig.batcher.add(execEvent(seq));
    rig.batcher.flush();
    expect(server.accepted).toHaveLength(0);
    await server.up();
    await rig.queue.whenIdle();
    const seqs = receivedEvents(server).map((e) => e.seq);
    const order = firstArrivals(seqs);
    expect(order).toEqual(range(1, 200));
    expect(rig.spool.pendingBytes).toBe(0);
    expect(rig.queue.stats().spilledEntries).toBeGreaterThan(0);
    await rig.queue.stop();
  });

  it('retries throttling (400 ThrottlingException) and 5xx with backoff, losing nothing', async () => {
    const rig = makeRig(server, stateDir, { directAttempts: 10 });
    server.fault = { kind: 'throttle', times: 3 };
    for (const seq of range(1, 50)) rig.batcher.add(execEvent(seq));
    rig.batcher.flush();
    await rig.queue.whenIdle();
    server.fault = { kind: 'http503', times: 2 };
    for (const seq of range(51, 50)) rig.batcher.add(execEvent(seq));
    rig.batcher.flush();
    await rig.queue.whenIdle();
    server.fault = { kind: 'reset', times: 2 };
    for (const seq of range(101, 50)) rig.batcher.add(execEvent(seq));
    rig.batcher.flush();
    await rig.queue.whenIdle();
    expect(firstArrivals(receivedEvents(server).map((e) => e.seq))).toEqual(range(1, 150));
    const outcomes = server.calls.map((c) => c.outcome);
    expect(outcomes.filter((o) => o === 'throttle')).toHaveLength(3);
    expect(outcomes.filter((o) => o === 'http503')).toHaveLength(2);
    expect(outcomes.filter((o) => o === 'reset')).toHaveLength(2);
    expect(rig.queue.stats().throttled).toBe(3);
    expect(rig.queue.stats().retries).toBeGreaterThanOrEqual(7);
    await rig.queue.stop();
  });

  it('partial failures: retries only the failed entries, never resends accepted ones', async () => {
    const rig = makeRig(server, stateDir, { maxEntriesPerCall: 4 });
    const failedOnce = new Set<string>();
    // Fail the 2nd and 4th entry of every call the first time they are seen.
    server.failEntry = (entry, index) => {
      if (index % 2 === 1 && !failedOnce.has(entry.Detail)) {
        failedOnce.add(entry.Detail);
        return { ErrorCode: index === 1 ? 'ThrottlingException' : 'InternalFailure', ErrorMessage: 'injected' };
      }
      return undefined;
    };
    // Queue many entries before the loop runs so calls carry several entries.
    for (const seq of range(1, 600)) rig.batcher.add(execEvent(seq, 200));
    rig.batcher.flush();
    await rig.queue.whenIdle();
    const seqs = receivedEvents(server).map((e) => e.seq);
    expect(failedOnce.size).toBeGreaterThan(0);
    expect(server.calls.some((c) => c.outcome === 'partial')).toBe(true);
    // Every event exactly once: accepted entries were not sent again.
    expect([...seqs].sort((a, b) => a - b)).toEqual(range(1, 600));
    // Order kept up to one call: an entry overtakes at most the other entries of its own call (maxEntriesPerCall 4).
    const entryFirstSeqs = server.accepted.map((e) => seqsOfDetail(e.Detail)[0]!);
    entryFirstSeqs.forEach((first, i) => {
      const overtaken = entryFirstSeqs.slice(0, i).filter((earlier) => earlier > first).length;
      expect(overtaken).toBeLessThanOrEqual(3);
    });
    expect(entryFirstSeqs.some((first, i) => entryFirstSeqs.slice(0, i).some((e) => e > first))).toBe(true);
    await rig.queue.stop();
  });

  it('drops entries EventBridge rejects as malformed, counts them, and does not block the queue', async () => {
    const rig = makeRig(server, stateDir);
    let rejected = 0;
    server.failEntry = (_entry, _i, callNo) => (callNo === 1 && rejected++ === 0 ? { ErrorCode: 'MalformedDetail', ErrorMessage: 'injected' } : undefined);
    for (const seq of range(1, 10)) rig.batcher.add(execEvent(seq));
    rig.batcher.flush();
    for (const seq of range(11, 10)) rig.batcher.add(execEvent(seq));
    rig.batcher.flush();
    await rig.queue.whenIdle();
    expect(rig.queue.stats().eventsRejected).toBe(10);
    expect(receivedEvents(server).map((e) => e.seq)).toEqual(range(11, 10));
    await rig.queue.stop();
  });

  it('agent restart with a non-empty spool: replays the spool first, in order, and new seqs continue above the old ones', async () => {
    await server.down();
    const seq1 = new SequenceAllocator({ stateDir, blockSize: 50 });
    const first = makeRig(server, stateDir);
    const sent: number[] = [];
    for (let i = 0; i < 120; i++) {
      const s = seq1.next();
      sent.push(s);
      first.batcher.add(execEvent(s));
    }
    // Graceful stop (SIGTERM path): flush the batcher, move what is in memory to the spool.
    first.batcher.flush();
    await first.queue.stop();
    expect(first.spool.pendingBytes).toBeGreaterThan(0);
    expect(server.accepted).toHaveLength(0);

    await server.up();
    const seq2 = new SequenceAllocator({ stateDir, blockSize: 50 });
    const second = makeRig(server, stateDir);
    expect(second.spool.pendingBytes).toBeGreaterThan(0);
    const after: number[] = [];
    for (let i = 0; i < 30; i++) {
      const s = seq2.next();
      after.push(s);
      second.batcher.add(execEvent(s));
    }
    second.batcher.flush();
    await second.queue.whenIdle();
    expect(Math.min(...after)).toBeGreaterThan(Math.max(...sent));
    const order = firstArrivals(receivedEvents(server).map((e) => e.seq));
    expect(order).toEqual([...sent, ...after]);
    await second.queue.stop();
  });

  it('bounds the spool: drops the oldest entries first and counts the events dropped', async () => {
    await server.down();
    const rig = makeRig(server, stateDir, { maxMemoryEntries: 2 }, { maxBytes: 64 * 1024, segmentBytes: 8 * 1024, fsync: 'never' });
    const total = 1500;
    for (const seq of range(1, total)) rig.batcher.add(execEvent(seq, 300));
    rig.batcher.flush();
    await waitFor(() => rig.queue.stats().memoryEntries === 0, 5000, 'memory to spill');
    const spoolStats = rig.spool.stats();
    expect(spoolStats.droppedEvents).toBeGreaterThan(0);
    expect(spoolStats.pendingBytes).toBeLessThanOrEqual(64 * 1024);
    await server.up();
    await rig.queue.whenIdle();
    const order = firstArrivals(receivedEvents(server).map((e) => e.seq));
    // What arrived is the newest events, contiguous to the end, and arrived + dropped accounts for all
    // (a call in flight when memory spilled may have been delivered and kept in the spool: at-least-once).
    expect(order[order.length - 1]).toBe(total);
    const firstKept = order.find((s, i) => order.slice(i).every((x, j) => x === s + j))!;
    expect(order.slice(order.indexOf(firstKept))).toEqual(range(firstKept, total - firstKept + 1));
    expect(firstKept - 1).toBeLessThanOrEqual(rig.spool.stats().droppedEvents + 40);
    expect(rig.spool.stats().droppedEvents).toBeLessThanOrEqual(total - order.length + 40);
    await rig.queue.stop();
  });

  it('sends heartbeats as their own entry with DetailType "Picket Agent Heartbeat", after the events before them', async () => {
    const rig = makeRig(server, stateDir);
    rig.batcher.add(execEvent(1));
    rig.batcher.add(execEvent(2));
    const heartbeat: HeartbeatEvent = {
      v: 1,
      kind: 'heartbeat',
      ts: new Date().toISOString(),
      instanceId: 'i-0123456789abcdef0',
      seq: 3,
      heartbeat: {
        agentVersion: '0.1.0', eventsRead: 2, eventsSent: 0, eventsDropped: 0, spoolBytes: 0, auditLost: 0, auditBacklog: 0,
        rulesLoaded: 0, kernel: '6.1.0', os: 'Amazon Linux 2023', cpuPercent: 0.1, rssBytes: 50_000_000, uptimeSeconds: 5,
      },
    };
    rig.batcher.addHeartbeat(heartbeat);
    await rig.queue.whenIdle();
    expect(server.accepted.map((e) => e.DetailType)).toEqual([DETAIL_TYPE_EVENTS, DETAIL_TYPE_HEARTBEAT]);
    expect(receivedEvents(server)).toEqual([
      { seq: 1, kind: 'process_exec' },
      { seq: 2, kind: 'process_exec' },
      { seq: 3, kind: 'heartbeat' },
    ]);
    expect(rig.queue.stats().eventsSent).toBe(2);
    await rig.queue.stop();
  });
});
