import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import {
  BatchDecodeError,
  BatchEncodeError,
  decodeBatch,
  encodeBatch,
  EVENTBRIDGE_BILLING_CHUNK_BYTES,
  packBatches,
  packSerialised,
  putEventsEntrySize,
} from '../../lambda/domain/events/batch';
import { DETAIL_TYPE_EVENTS, LIMITS, type RuntimeEvent } from '../../lambda/domain/events/runtime-event';
import { truncateEvent } from '../../lambda/domain/events/truncate';
import { validateRuntimeEvent } from '../../lambda/domain/events/validate';
import { execEvent, INSTANCE, instanceIdArb, OTHER_INSTANCE, runtimeEventArb, SOURCE } from './arbitraries';

function decodeEvents(detail: unknown): unknown[] {
  return decodeBatch(detail).lines.map((l) => JSON.parse(l));
}

/** The error decodeBatch throws for `detail` (fails the test when it does not throw one). */
function decodeError(detail: unknown, label?: string): BatchDecodeError {
  try {
    decodeBatch(detail, label === undefined ? undefined : { label });
  } catch (error) {
    if (error instanceof BatchDecodeError) return error;
    throw error;
  }
  throw new Error('decodeBatch did not throw');
}

describe('encodeBatch / decodeBatch', () => {
  const events = [execEvent(10), execEvent(11), execEvent(12)];

  it('round-trips events through gzip+base64, with the envelope fields filled in', () => {
    const detail = encodeBatch(events);
    expect(detail).toMatchObject({ v: 1, instanceId: INSTANCE, encoding: 'gzip+base64', count: 3, firstSeq: 10, lastSeq: 12 });
    expect(detail.data).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(decodeEvents(detail)).toEqual(events);
    expect(decodeBatch(detail).warnings).toEqual([]);
  });

  it('round-trips the plain json encoding too', () => {
    const detail = encodeBatch(events, { encoding: 'json' });
    expect(detail.data.split('\n')).toHaveLength(3);
    expect(decodeEvents(detail)).toEqual(events);
  });

  it('takes firstSeq/lastSeq as the smallest and largest seq, whatever the order', () => {
    expect(encodeBatch([execEvent(7), execEvent(3), execEvent(5)])).toMatchObject({ firstSeq: 3, lastSeq: 7 });
  });

  it('refuses an empty batch and a batch mixing instances', () => {
    expect(() => encodeBatch([])).toThrow(BatchEncodeError);
    expect(() => encodeBatch([execEvent(1), execEvent(2, { instanceId: OTHER_INSTANCE })])).toThrow(/events\[1\] is about i-0fedcba9876543210/);
  });

  it('round-trips any list of valid events of one instance (property)', () => {
    fc.assert(
      fc.property(
        instanceIdArb.chain((id) => fc.array(runtimeEventArb({ instanceId: id }), { minLength: 1, maxLength: 30 })),
        fc.constantFrom('gzip+base64' as const, 'json' as const),
        (list, encoding) => {
          const detail = encodeBatch(list, { encoding });
          const decoded = decodeBatch(JSON.parse(JSON.stringify(detail)));
          expect(decoded.lines.map((l) => JSON.parse(l))).toEqual(list);
          expect(decoded.warnings).toEqual([]);
          for (const line of decoded.lines) expect(validateRuntimeEvent(JSON.parse(line)).ok).toBe(true);
        },
      ),
      { numRuns: 100 },
    );
  });

  describe('corrupt data: which batch, what failed', () => {
    const good = encodeBatch(events);
    const cutGzip = gzipSync(Buffer.from(events.map((e) => JSON.stringify(e)).join('\n')));

    it.each<[string, Record<string, unknown>, string, RegExp]>([
      ['a non-base64 character', { data: `${good.data.slice(0, 8)}!${good.data.slice(9)}` }, 'base64', /not canonical base64/],
      ['base64 of something that is not gzip', { data: Buffer.from('hello, not gzip').toString('base64') }, 'gzip', /incorrect header check/],
      ['a cut gzip stream', { data: cutGzip.subarray(0, cutGzip.length - 5).toString('base64') }, 'gzip', /unexpected end of file/],
      ['a gzip bomb (more than count × maxEventBytes once inflated)', { count: 1, data: gzipSync(Buffer.alloc(5 * 1024 * 1024)).toString('base64') }, 'gzip', /decompresses to more than 32769 bytes/],
      ['bytes that are not UTF-8', { data: gzipSync(Buffer.from([0x7b, 0xff, 0xfe, 0x7d])).toString('base64') }, 'utf8', /not valid UTF-8/],
      ['an envelope with a wrong field', { encoding: 'zip' }, 'detail', /\$\.encoding: expected one of gzip\+base64, json/],
    ])('%s', (_name, change, stage, message) => {
      const error = decodeError({ ...good, ...change }, 'sqs message 42');
      expect(error.stage).toBe(stage);
      expect(error.message).toMatch(message);
      expect(error.batch).toMatch(/^sqs message 42 "i-0a1b2c3d4e5f60718" seq 10\.\.12$/);
      expect(error.message.startsWith(`batch ${error.batch}: ${stage} failed: `)).toBe(true);
    });

    it('keeps the zlib error as the cause', () => {
      const error = decodeError({ ...good, data: Buffer.from('nope').toString('base64') });
      // zlib's error, from Node's realm (so not instanceof this realm's Error): check its shape.
      expect(error.cause).toMatchObject({ code: 'Z_DATA_ERROR', message: 'incorrect header check' });
    });

    it('warns, but loses nothing, when count disagrees with the lines', () => {
      const decoded = decodeBatch({ ...good, count: 5 });
      expect(decoded.lines).toHaveLength(3);
      expect(decoded.warnings).toEqual([expect.stringMatching(/count says 5 events, data holds 3 lines/)]);
    });

    it('only ever throws BatchDecodeError on random data (property)', () => {
      fc.assert(
        fc.property(fc.oneof(fc.base64String(), fc.string(), fc.uint8Array().map((b) => Buffer.from(b).toString('base64'))), fc.integer({ min: 1, max: 5 }), (data, count) => {
          try {
            decodeBatch({ ...good, data, count });
          } catch (error) {
            expect(error).toBeInstanceOf(BatchDecodeError);
          }
        }),
        { numRuns: 500 },
      );
    });
  });
});

describe('putEventsEntrySize', () => {
  it('adds Source, DetailType, Detail, resources and 14 bytes for Time, as AWS documents', () => {
    expect(putEventsEntrySize({ source: 'abc', detailType: 'de', detail: '{"a":"€"}' })).toBe(14 + 3 + 2 + 11);
    expect(putEventsEntrySize({ source: 'abc', detailType: 'de', detail: '{}', hasTime: false, resources: ['arn:x'] })).toBe(3 + 2 + 2 + 5);
  });
});

/** A realistic, varied stream: execs, connects and DNS answers with changing values. */
function mixedStream(n: number): RuntimeEvent[] {
  return Array.from({ length: n }, (_, i) => {
    const base = execEvent(i + 1) as unknown as Record<string, unknown>;
    switch (i % 3) {
      case 0:
        return base as unknown as RuntimeEvent;
      case 1:
        return { ...base, kind: 'net_connect', net: { family: 'inet', protocol: 'tcp', localIp: '10.0.1.25', localPort: 30000 + (i % 20000), remoteIp: `198.51.100.${i % 250}`, remotePort: 443 } } as unknown as RuntimeEvent;
      default:
        return { ...base, kind: 'dns_query', dns: { query: `svc${i}.example.com`, qtype: 'A', rcode: 'NOERROR', answers: [`203.0.113.${i % 250}`] } } as unknown as RuntimeEvent;
    }
  });
}

describe('packBatches', () => {
  const options = { source: SOURCE, detailType: DETAIL_TYPE_EVENTS };

  it('puts a small stream in one entry', () => {
    const packed = packBatches(mixedStream(20), options);
    expect(packed).toHaveLength(1);
    expect(packed[0]!.detail.count).toBe(20);
  });

  it('splits a large stream into entries under 64 KB, in order, losing nothing, reasonably full', () => {
    const events = mixedStream(6000);
    const packed = packBatches(events, options);
    expect(packed.length).toBeGreaterThan(1);
    for (const p of packed) {
      expect(p.entryBytes).toBeLessThanOrEqual(EVENTBRIDGE_BILLING_CHUNK_BYTES);
      expect(p.entryBytes).toBe(putEventsEntrySize({ source: SOURCE, detailType: DETAIL_TYPE_EVENTS, detail: p.detailJson }));
      expect(JSON.parse(p.detailJson)).toEqual(p.detail);
    }
    expect(packed.flatMap((p) => decodeEvents(p.detail))).toEqual(events);
    // Billing is per started 64 KB: every entry but the last should be nearly full.
    for (const p of packed.slice(0, -1)) expect(p.entryBytes).toBeGreaterThan(0.8 * EVENTBRIDGE_BILLING_CHUNK_BYTES);
  });

  it('packs any stream of valid events under any target, in order, losing nothing (property)', () => {
    fc.assert(
      fc.property(
        instanceIdArb.chain((id) => fc.array(runtimeEventArb({ instanceId: id }), { minLength: 1, maxLength: 60 })),
        fc.integer({ min: 2048, max: 16 * 1024 }),
        (events, targetEntryBytes) => {
          const packed = packBatches(events, { ...options, targetEntryBytes });
          for (const p of packed) if (p.detail.count > 1) expect(p.entryBytes).toBeLessThanOrEqual(targetEntryBytes);
          expect(packed.flatMap((p) => decodeEvents(JSON.parse(p.detailJson)))).toEqual(events);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('packs events kept as text (packSerialised) exactly as it packs the events', () => {
    const events = mixedStream(3000);
    const serialised = { instanceId: events[0]!.instanceId, seqs: events.map((e) => e.seq), lines: events.map((e) => JSON.stringify(e)) };
    const fromText = packSerialised(serialised, options);
    expect(fromText.map((p) => p.detailJson)).toEqual(packBatches(events, options).map((p) => p.detailJson));
    expect(() => packSerialised({ ...serialised, seqs: serialised.seqs.slice(1) }, options)).toThrow(/2999 seqs for 3000 lines/);
    expect(() => packSerialised({ instanceId: INSTANCE, seqs: [], lines: [] }, options)).toThrow(BatchEncodeError);
  });

  it('honours a smaller target', () => {
    const packed = packBatches(mixedStream(2000), { ...options, targetEntryBytes: 8 * 1024 });
    for (const p of packed) expect(p.entryBytes).toBeLessThanOrEqual(8 * 1024);
  });

  it('fits a maximal incompressible event in one 64 KB entry on its own', () => {
    // Random base64 (6 bits of entropy a byte), each event different so gzip cannot share them.
    const noisyEvent = (seq: number): RuntimeEvent => {
      const noise = randomBytes(24_000).toString('base64');
      const argv = Array.from({ length: 10 }, (_, i) => noise.slice(i * 3200, (i + 1) * 3200));
      return truncateEvent(execEvent(seq, { process: { ...(execEvent(seq) as { process: object }).process, argv } }));
    };
    const events = [noisyEvent(1), noisyEvent(2), noisyEvent(3)];
    for (const event of events) {
      expect(Buffer.byteLength(JSON.stringify(event))).toBeGreaterThan(LIMITS.maxEventBytes - 1024);
      expect(validateRuntimeEvent(event).ok).toBe(true);
    }
    const packed = packBatches(events, options);
    expect(packed).toHaveLength(3);
    for (const p of packed) expect(p.entryBytes).toBeLessThanOrEqual(EVENTBRIDGE_BILLING_CHUNK_BYTES);
  });

  it('rejects a target over EventBridge limits, naming it', () => {
    expect(() => packBatches(mixedStream(1), { ...options, targetEntryBytes: 300 * 1024 })).toThrow(/targetEntryBytes is 307200: expected 1\.\.262144/);
  });
});
