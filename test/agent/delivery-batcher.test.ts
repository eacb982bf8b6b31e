import { decodeBatch, putEventsEntrySize } from '../../lambda/domain/events/batch';
import type { ProcessExecEvent } from '../../lambda/domain/events/runtime-event';
import { Batcher } from '../../agent-bootstrap/agent/delivery/batcher';
import type { OutgoingEntry } from '../../agent-bootstrap/agent/delivery/entry';
import { execEvent, SOURCE } from './delivery-helpers';

/** Less compressible argv than execEvent's padding, like real command lines. */
function variedEvent(seq: number): ProcessExecEvent {
  const base = execEvent(seq, 0);
  const noise = Array.from({ length: 12 }, (_, i) => ((seq * 2654435761 + i * 40503) >>> 0).toString(36)).join('/');
  return { ...base, process: { ...base.process, argv: ['/usr/bin/curl', '-fsS', `https://example.com/${noise}`] } };
}

const seqsOf = (entry: OutgoingEntry) => decodeBatch(JSON.parse(entry.detail) as unknown).lines.map((l) => (JSON.parse(l) as { seq: number }).seq);

describe('Batcher', () => {
  it('keeps every entry under the target size, fills entries, and keeps seq order across entries', () => {
    const entries: OutgoingEntry[] = [];
    const target = 16 * 1024;
    const batcher = new Batcher({ source: SOURCE, sink: (e) => entries.push(e), flushIntervalMs: 60_000, targetEntryBytes: target });
    for (let seq = 1; seq <= 6000; seq++) batcher.add(variedEvent(seq));
    batcher.flush();
    const sizes = entries.map((e) => putEventsEntrySize({ source: SOURCE, detailType: e.detailType, detail: e.detail }));
    expect(Math.max(...sizes)).toBeLessThanOrEqual(target);
    // Size-triggered entries are mostly well filled (the last one may be short).
    const wellFilled = sizes.slice(0, -1).filter((s) => s > target * 0.5).length;
    expect(wellFilled / (sizes.length - 1)).toBeGreaterThan(0.8);
    const seqs = entries.flatMap(seqsOf);
    expect(seqs).toEqual(Array.from({ length: 6000 }, (_, i) => i + 1));
    entries.forEach((e) => {
      const s = seqsOf(e);
      expect([e.firstSeq, e.lastSeq, e.count]).toEqual([s[0], s[s.length - 1], s.length]);
    });
  });

  it('flushes within flushIntervalMs when few events come', async () => {
    const entries: OutgoingEntry[] = [];
    const batcher = new Batcher({ source: SOURCE, sink: (e) => entries.push(e), flushIntervalMs: 30 });
    batcher.add(execEvent(1));
    batcher.add(execEvent(2));
    expect(entries).toHaveLength(0);
    await new Promise((r) => setTimeout(r, 80));
    expect(entries.map(seqsOf)).toEqual([[1, 2]]);
  });

  it('sends a reverse-shell-like exec (socket stdio) at once instead of waiting for the timer', () => {
    const entries: OutgoingEntry[] = [];
    const batcher = new Batcher({ source: SOURCE, sink: (e) => entries.push(e), flushIntervalMs: 60_000 });
    batcher.add(execEvent(1));
    const shell = execEvent(2);
    batcher.add({ ...shell, process: { ...shell.process, exe: '/usr/bin/bash', stdio: { stdin: { type: 'socket', remoteIp: '203.0.113.7', remotePort: 4444 } } } });
    expect(entries.map(seqsOf)).toEqual([[1, 2]]);
    batcher.add(execEvent(3)); // ordinary: waits
    expect(entries).toHaveLength(1);
    batcher.flush();
  });
});
