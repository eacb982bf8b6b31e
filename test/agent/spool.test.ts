import { appendFileSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OutgoingEntry } from '../../agent-bootstrap/agent/delivery/entry';
import { Spool } from '../../agent-bootstrap/agent/delivery/spool';
import { tempStateDir } from './delivery-helpers';

function entry(n: number, size = 100): OutgoingEntry {
  return { detailType: 'Picket Runtime Events', detail: JSON.stringify({ n, pad: 'p'.repeat(size) }), count: 10, firstSeq: n * 10, lastSeq: n * 10 + 9 };
}
const ns = (records: { entry: OutgoingEntry }[]) => records.map((r) => (JSON.parse(r.entry.detail) as { n: number }).n);

/** Reads everything out of a spool in order, acknowledging as it goes. */
function drain(spool: Spool): number[] {
  const out: number[] = [];
  for (let records = spool.peek(3, 1e9); records.length > 0; records = spool.peek(3, 1e9)) {
    out.push(...ns(records));
    spool.ack(records[records.length - 1]!.end);
  }
  return out;
}

describe('spool', () => {
  let dir: string;
  beforeEach(() => {
    dir = join(tempStateDir(), 'spool');
  });
  afterEach(() => rmSync(join(dir, '..'), { recursive: true, force: true }));

  it('keeps entries in order across segments and deletes segments once delivered', () => {
    const spool = new Spool({ dir, segmentBytes: 1024, maxBytes: 1024 * 1024 });
    for (let n = 1; n <= 40; n++) spool.append(entry(n));
    expect(readdirSync(dir).filter((f) => f.endsWith('.seg')).length).toBeGreaterThan(3);
    expect(drain(spool)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(spool.hasPending).toBe(false);
    expect(readdirSync(dir).filter((f) => f.endsWith('.seg'))).toEqual([]);
    // Appending after a full drain starts a fresh segment and still works.
    spool.append(entry(41));
    expect(drain(spool)).toEqual([41]);
    spool.close();
  });

  it('survives a restart: resumes at the acknowledged cursor, never appends to an old segment', () => {
    const first = new Spool({ dir, segmentBytes: 2048 });
    for (let n = 1; n <= 10; n++) first.append(entry(n));
    const records = first.peek(4, 1e9);
    first.ack(records[3]!.end);
    first.close();
    const second = new Spool({ dir, segmentBytes: 2048 });
    second.append(entry(11));
    expect(drain(second)).toEqual([5, 6, 7, 8, 9, 10, 11]);
    second.close();
  });

  it('skips and counts a torn or corrupted record after a crash, keeping the records around it', () => {
    const first = new Spool({ dir, segmentBytes: 1024 * 1024 });
    for (let n = 1; n <= 3; n++) first.append(entry(n));
    first.close();
    const [segment] = readdirSync(dir).filter((f) => f.endsWith('.seg'));
    const path = join(dir, segment!);
    // Flip a byte inside record 2 and leave a torn (newline-less) record at the end.
    const lines = readFileSync(path, 'utf8').split('\n');
    const tampered = lines[1]!.replace('\\"n\\":2', '\\"n\\":7');
    expect(tampered).not.toBe(lines[1]);
    lines[1] = tampered;
    writeFileSync(path, lines.join('\n'));
    appendFileSync(path, '0badc0de {"detailType":"Picket Runtime Events","det');
    const second = new Spool({ dir });
    second.append(entry(4));
    expect(drain(second)).toEqual([1, 3, 4]);
    expect(second.stats().corruptRecords).toBe(2);
    second.close();
  });

  it('holds its bound by dropping the oldest segment and counting its events', () => {
    const spool = new Spool({ dir, maxBytes: 8 * 1024, segmentBytes: 2 * 1024, fsync: 'never' });
    for (let n = 1; n <= 100; n++) spool.append(entry(n));
    const stats = spool.stats();
    expect(stats.pendingBytes).toBeLessThanOrEqual(8 * 1024);
    const kept = drain(spool);
    // Newest kept, contiguous; everything else dropped and counted (10 events per entry).
    expect(kept[kept.length - 1]).toBe(100);
    expect(kept).toEqual(Array.from({ length: kept.length }, (_, i) => 101 - kept.length + i));
    expect(stats.droppedEntries).toBe(100 - kept.length);
    expect(stats.droppedEvents).toBe(10 * (100 - kept.length));
    spool.close();
  });

  it('counts only unacknowledged records of a partly delivered segment when it is dropped', () => {
    const spool = new Spool({ dir, maxBytes: 4 * 1024, segmentBytes: 2 * 1024, fsync: 'never' });
    for (let n = 1; n <= 8; n++) spool.append(entry(n));
    const records = spool.peek(2, 1e9);
    spool.ack(records[1]!.end);
    for (let n = 9; n <= 60; n++) spool.append(entry(n));
    const kept = drain(spool);
    const dropped = 60 - 2 - kept.length;
    expect(spool.stats().droppedEntries).toBe(dropped);
    spool.close();
  });

  it('rejects a bound smaller than two segments with a message naming both', () => {
    expect(() => new Spool({ dir, maxBytes: 4096, segmentBytes: 4096 })).toThrow(/segmentBytes must be within 1..maxBytes\/2/);
  });
});
