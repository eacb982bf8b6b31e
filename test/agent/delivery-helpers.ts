/** Shared set-up of the delivery tests: the real SDK client against the local PutEvents server. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeBatch } from '../../lambda/domain/events/batch';
import { gateIngestEvent } from '../../lambda/domain/events/ingest-gate';
import type { ProcessExecEvent } from '../../lambda/domain/events/runtime-event';
import { Batcher } from '../../agent-bootstrap/agent/delivery/batcher';
import { DeliveryQueue, type DeliveryQueueOptions } from '../../agent-bootstrap/agent/delivery/delivery-queue';
import { EventBridgeTransport, createEventBridgeClient } from '../../agent-bootstrap/agent/delivery/put-events-transport';
import { Spool, type SpoolOptions } from '../../agent-bootstrap/agent/delivery/spool';
import type { PutEventsServer } from '../support/putevents-server';

export const INSTANCE_ID = 'i-0123456789abcdef0';
export const INSTANCE_ARN = `arn:aws:ec2:us-east-1:123456789012:instance/${INSTANCE_ID}`;
export const SOURCE = `picket.agent/${INSTANCE_ARN}`;
export const BUS_ARN = 'arn:aws:events:us-east-1:123456789012:event-bus/picket-runtime';

export function tempStateDir(): string {
  return mkdtempSync(join(tmpdir(), 'picket-agent-test-'));
}

/** A valid process_exec event; `argBytes` pads argv so entries fill up faster. */
export function execEvent(seq: number, argBytes = 40): ProcessExecEvent {
  return {
    v: 1,
    kind: 'process_exec',
    ts: new Date(1_780_000_000_000 + (seq % 1_000_000_000)).toISOString(),
    instanceId: INSTANCE_ID,
    seq,
    process: {
      pid: 1000 + (seq % 30000),
      ppid: 999,
      exe: '/usr/bin/true',
      argv: ['/usr/bin/true', `run-${seq}`, 'x'.repeat(argBytes) + seq.toString(36)],
      cwd: '/tmp',
      uid: 0,
      euid: 0,
      gid: 0,
      uuid: `u-${seq}`,
    },
    lineage: [{ pid: 999, exe: '/usr/bin/bash' }],
    syscall: 'execve',
    sensor: 'auditd',
  };
}

export interface Rig {
  readonly spool: Spool;
  readonly queue: DeliveryQueue;
  readonly batcher: Batcher;
}

/** Batcher -> DeliveryQueue -> EventBridgeTransport(real SDK client) -> server. */
export function makeRig(server: PutEventsServer, stateDir: string, overrides: Partial<DeliveryQueueOptions> = {}, spoolOptions: Partial<SpoolOptions> = {}): Rig {
  const client = createEventBridgeClient({
    region: 'us-east-1',
    endpoint: server.endpoint,
    credentials: { accessKeyId: 'AKIDFAKEFORTESTS0000', secretAccessKey: 'fake-secret-for-tests' },
    requestTimeoutMs: 2000,
  });
  const spool = new Spool({ dir: join(stateDir, 'spool'), ...spoolOptions });
  const queue = new DeliveryQueue({
    transport: new EventBridgeTransport({ client, source: SOURCE, eventBusName: BUS_ARN }),
    spool,
    source: SOURCE,
    backoff: { baseDelayMs: 5, maxDelayMs: 40 },
    directAttempts: 2,
    ...overrides,
  });
  queue.start();
  const batcher = new Batcher({ source: SOURCE, sink: (e) => queue.enqueue(e), flushIntervalMs: 20, targetEntryBytes: 8 * 1024 });
  return { spool, queue, batcher };
}

/** Every runtime event the server accepted, in order of acceptance, checked by the consumer-side ingest gate. */
export function receivedEvents(server: PutEventsServer): { seq: number; kind: string }[] {
  const out: { seq: number; kind: string }[] = [];
  for (const entry of server.accepted) {
    const gate = gateIngestEvent({
      id: entry.eventId,
      source: entry.Source,
      'detail-type': entry.DetailType,
      account: '123456789012',
      region: 'us-east-1',
      detail: JSON.parse(entry.Detail) as unknown,
    });
    if (!gate.ok) throw new Error(`ingest gate refused entry ${entry.eventId}: ${gate.reason}`);
    if (gate.rejected.length > 0) throw new Error(`ingest gate rejected events: ${JSON.stringify(gate.rejected)}`);
    for (const event of gate.accepted) out.push({ seq: event.seq, kind: event.kind });
  }
  return out;
}

/** Decoded seqs of one entry's detail. */
export function seqsOfDetail(detail: string): number[] {
  return decodeBatch(JSON.parse(detail) as unknown).lines.map((l) => (JSON.parse(l) as { seq: number }).seq);
}

export async function waitFor(predicate: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** First-arrival order of seqs, and whether every expected seq arrived at least once. */
export function firstArrivals(seqs: readonly number[]): number[] {
  const seen = new Set<number>();
  const order: number[] = [];
  for (const s of seqs) {
    if (!seen.has(s)) {
      seen.add(s);
      order.push(s);
    }
  }
  return order;
}
