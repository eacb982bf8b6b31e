import fc from 'fast-check';
import { parseFlowLogLine, DEFAULT_FLOW_LOG_FIELDS } from '../../lambda/domain/agentless/flow-log';
import { parseResolverLine } from '../../lambda/domain/agentless/resolver-log';
import { LIMITS } from '../../lambda/domain/events/runtime-event';
import { isRfc3339DateTime, jsonPointerToPath, parseRuntimeEvent, validateEventBatchDetail, validateRuntimeEvent } from '../../lambda/domain/events/validate';
import { execEvent, runtimeEventArb } from './arbitraries';
import { deleteAt, type Edit, setAt } from './edit';

/** A deep copy of a valid event with `edit` applied, for one violation at a time. */
function broken(edit: Edit, base: unknown = execEvent(1)): unknown {
  const copy = structuredClone(base) as Record<string, unknown>;
  edit(copy);
  return copy;
}

const heartbeat = {
  v: 1,
  kind: 'heartbeat',
  ts: '2026-03-14T09:25:00.000Z',
  instanceId: 'i-0a1b2c3d4e5f60718',
  seq: 9,
  heartbeat: {
    agentVersion: '0.1.0',
    eventsRead: 10,
    eventsSent: 10,
    eventsDropped: 0,
    spoolBytes: 0,
    auditLost: 0,
    auditBacklog: 0,
    rulesLoaded: 41,
    kernel: '6.1.128',
    os: 'Amazon Linux 2023',
    cpuPercent: 0.4,
    rssBytes: 60000000,
    uptimeSeconds: 60,
  },
};

describe('validateRuntimeEvent', () => {
  it('accepts a realistic event and returns the same object, typed', () => {
    const event = execEvent(1);
    const result = validateRuntimeEvent(event);
    expect(result).toEqual({ ok: true, event });
    expect(result.ok && result.event).toBe(event);
  });

  it('accepts a heartbeat without process or lineage', () => {
    expect(validateRuntimeEvent(heartbeat)).toMatchObject({ ok: true });
  });

  it('accepts the events the VPC-log parsers produce (placeholder process, empty lineage)', () => {
    const dns = parseResolverLine(
      JSON.stringify({
        query_timestamp: '2021-02-04T17:51:55Z',
        query_name: 'xmr.pool.example.com.',
        query_type: 'A',
        rcode: 'NOERROR',
        answers: [{ Rdata: '203.0.113.50', Type: 'A', Class: 'IN' }],
        srcids: { instance: 'i-0d15cd0d3e0a1b2c3' },
      }),
      1,
      1,
    );
    const flow = parseFlowLogLine(
      '2 123456789010 eni-1235b8ca123456789 172.31.16.139 198.51.100.7 20641 3333 6 20 4249 1418530010 1418530070 ACCEPT OK',
      1,
      2,
      { fields: DEFAULT_FLOW_LOG_FIELDS, interfaceToInstance: new Map([['eni-1235b8ca123456789', 'i-0123456789abcdef0']]) },
    );
    expect(dns?.event).toBeDefined();
    expect(flow && 'event' in flow ? flow.event : undefined).toBeDefined();
    expect(validateRuntimeEvent(dns!.event)).toMatchObject({ ok: true });
    expect(validateRuntimeEvent((flow as { event: unknown }).event)).toMatchObject({ ok: true });
  });

  it('keeps unknown properties (forward compatibility: newer v1 producers may add optional fields)', () => {
    const event = broken((e) => {
      setAt('futureField', { anything: [1, 'two'] })(e);
      setAt('process.newProcessDetail', 'x')(e);
    });
    const result = validateRuntimeEvent(event);
    expect(result.ok).toBe(true);
    expect(result.ok && (result.event as unknown as Record<string, unknown>)['futureField']).toEqual({ anything: [1, 'two'] });
  });

  it.each<[string, Edit, RegExp]>([
    ['missing v', deleteAt('v'), /^\$\.v: required field is missing$/],
    ['v from the future', setAt('v', 2), /^\$\.v: expected 1 \(this consumer understands runtime-event contract v1\), got 2$/],
    ['unknown kind', setAt('kind', 'process_fork'), /^\$\.kind: expected one of process_exec, .*heartbeat, got "process_fork"$/],
    ['ts without a zone', setAt('ts', '2026-03-14T09:15:00.000'), /^\$\.ts: expected to match/],
    ['ts on a day that does not exist', setAt('ts', '2026-02-29T09:15:00.000Z'), /^\$\.ts: expected a valid date-time.*got "2026-02-29T09:15:00.000Z"$/],
    ['upper-case instance id', setAt('instanceId', 'i-0A1B2C3D4E5F60718'), /^\$\.instanceId: expected to match \^i-\[0-9a-f\]\{8,17\}\$/],
    ['negative seq', setAt('seq', -1), /^\$\.seq: expected >= 0, got -1$/],
    ['fractional seq', setAt('seq', 1.5), /^\$\.seq: expected integer, got 1\.5$/],
    ['process missing', deleteAt('process'), /^\$\.process: required field is missing$/],
    ['process.exe missing', deleteAt('process.exe'), /^\$\.process\.exe: required field is missing$/],
    ['upper-case sha256', setAt('process.sha256', 'AB'.repeat(32)), /^\$\.process\.sha256: expected to match/],
    ['argv entry not a string', setAt('process.argv.2', 7), /^\$\.process\.argv\[2\]: expected string, got 7$/],
    ['too many argv entries', setAt('process.argv', Array.from({ length: LIMITS.maxArgs + 1 }, () => 'a')), /^\$\.process\.argv: expected at most 128 entries, got an array of 129$/],
    ['argv entry too long', setAt('process.argv.0', 'a'.repeat(LIMITS.maxArgChars + 1)), /^\$\.process\.argv\[0\]: expected at most 4096 characters, got "a+"… \(4097 characters\)$/],
    ['uid beyond 32 bits', setAt('process.uid', 2 ** 32), /^\$\.process\.uid: expected <= 4294967295/],
    ['lineage too deep', setAt('lineage', Array.from({ length: LIMITS.maxLineage + 1 }, () => ({ pid: 1, exe: '/sbin/init' }))), /^\$\.lineage: expected at most 8 entries/],
    ['lineage entry without pid', deleteAt('lineage.0.pid'), /^\$\.lineage\[0\]\.pid: required field is missing$/],
    ['net event without net', setAt('kind', 'net_connect'), /^\$\.net: required field is missing$/],
    ['process is an array', setAt('process', []), /^\$\.process: expected object, got an array of 0$/],
    ['stdio type unknown', setAt('process.stdio', { stdin: { type: 'keyboard' } }), /^\$\.process\.stdio\.stdin\.type: expected one of socket, tty, pipe, file, null, other, got "keyboard"$/],
  ])('rejects %s, naming the path', (_name, edit, reason) => {
    const result = validateRuntimeEvent(broken(edit));
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(reason);
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['port out of range', { kind: 'net_connect', net: { family: 'inet', remotePort: 70000 } }, /^\$\.net\.remotePort: expected <= 65535, got 70000$/],
    ['chmod mode not octal', { kind: 'file_chmod', file: { path: '/tmp/x', mode: 'rwxr-xr-x' } }, /^\$\.file\.mode: expected to match/],
    ['module syscall unknown', { kind: 'module_load', module: { syscall: 'modprobe' } }, /^\$\.module\.syscall: expected one of init_module, finit_module/],
    ['ptrace without target', { kind: 'ptrace', ptrace: { request: 16, requestName: 'PTRACE_ATTACH' } }, /^\$\.target: required field is missing$/],
  ])('rejects kind fields: %s', (_name, fields, reason) => {
    const result = validateRuntimeEvent({ ...execEvent(1), ...fields });
    expect(!result.ok && result.reason).toMatch(reason);
  });

  it('rejects a heartbeat without heartbeat.kernel, naming it', () => {
    const result = validateRuntimeEvent(broken(deleteAt('heartbeat.kernel'), heartbeat));
    expect(!result.ok && result.reason).toBe('$.heartbeat.kernel: required field is missing');
  });

  it('rejects an event over maxEventBytes whose every field is within its own limit', () => {
    const event = broken(setAt('process.argv', Array.from({ length: 10 }, () => 'x'.repeat(4000))));
    const result = validateRuntimeEvent(event);
    expect(!result.ok && result.reason).toMatch(/^\$: event is \d+ bytes serialised, expected at most 32768/);
  });

  it('counts UTF-8 bytes, not characters, for the size limit', () => {
    // 9 × 1400 three-byte characters: ~12.6k characters but ~38k bytes.
    const event = broken(setAt('process.argv', Array.from({ length: 9 }, () => '€'.repeat(1400))));
    expect(JSON.stringify(event).length).toBeLessThan(LIMITS.maxEventBytes);
    expect(validateRuntimeEvent(event).ok).toBe(false);
    expect(parseRuntimeEvent(JSON.stringify(event)).ok).toBe(false);
  });

  it('never throws on values JSON cannot hold (cycles, BigInt in unknown fields)', () => {
    const cyclic = structuredClone(execEvent(1)) as Record<string, unknown>;
    cyclic['self'] = cyclic;
    expect(validateRuntimeEvent(cyclic)).toMatchObject({ ok: false, reason: expect.stringMatching(/not serialisable as JSON/) });
    expect(validateRuntimeEvent({ ...execEvent(1), big: 10n })).toMatchObject({ ok: false });
  });

  it('accepts every generated valid event of every kind (property)', () => {
    fc.assert(
      fc.property(runtimeEventArb(), (event) => {
        const result = validateRuntimeEvent(event);
        if (!result.ok) throw new Error(result.reason);
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on random junk and rejects it (property)', () => {
    fc.assert(
      fc.property(fc.anything({ withBigInt: true, withDate: true, withMap: true, withSet: true, withTypedArray: true, withNullPrototype: true }), (junk) => {
        const result = validateRuntimeEvent(junk);
        expect(result.ok).toBe(false);
        expect(!result.ok && result.reason).toMatch(/^\$/);
      }),
      { numRuns: 1000 },
    );
  });

  it('never throws when one field of a valid event is replaced by junk (property)', () => {
    const paths = ['v', 'kind', 'ts', 'seq', 'instanceId', 'process', 'lineage', 'success', 'sensor'];
    fc.assert(
      fc.property(runtimeEventArb(), fc.constantFrom(...paths), fc.jsonValue(), (event, key, junk) => {
        const mutated = { ...event, [key]: junk };
        const result = validateRuntimeEvent(mutated);
        if (!result.ok) expect(result.reason).toMatch(/^\$/);
      }),
      { numRuns: 500 },
    );
  });
});

describe('parseRuntimeEvent', () => {
  it('parses and validates one JSON line', () => {
    const event = execEvent(3);
    expect(parseRuntimeEvent(JSON.stringify(event))).toEqual({ ok: true, event });
  });

  it('says when a line is not JSON', () => {
    expect(parseRuntimeEvent('{"v":1,')).toMatchObject({ ok: false, reason: expect.stringMatching(/^\$: not JSON/) });
  });

  it('rejects an oversized line before parsing it (the reason is the size, not the broken JSON)', () => {
    const line = `{"v":1,"pad":"${'x'.repeat(LIMITS.maxEventBytes)}`;
    expect(parseRuntimeEvent(line)).toMatchObject({ ok: false, reason: expect.stringMatching(/^\$: event is 32\d{3} bytes/) });
  });

  it('never throws on random text and rejects it (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (line) => {
        expect(parseRuntimeEvent(line).ok).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('validateEventBatchDetail', () => {
  const detail = { v: 1, instanceId: 'i-0a1b2c3d4e5f60718', encoding: 'json', count: 1, firstSeq: 5, lastSeq: 5, data: '{}' };

  it('accepts a well-formed envelope', () => {
    expect(validateEventBatchDetail(detail)).toEqual({ ok: true, detail });
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['unknown encoding', { encoding: 'brotli' }, /^\$\.encoding: expected one of gzip\+base64, json, got "brotli"$/],
    ['zero count', { count: 0 }, /^\$\.count: expected >= 1, got 0$/],
    ['lastSeq before firstSeq', { firstSeq: 9, lastSeq: 5 }, /^\$\.lastSeq: expected >= firstSeq \(9\), got 5$/],
    ['bad instance id', { instanceId: 'i-nothex' }, /^\$\.instanceId: expected to match/],
  ])('rejects %s', (_name, change, reason) => {
    const result = validateEventBatchDetail({ ...detail, ...change });
    expect(!result.ok && result.reason).toMatch(reason);
  });
});

describe('helpers', () => {
  it.each([
    ['2024-02-29T00:00:00Z', true],
    ['2023-02-29T00:00:00Z', false],
    ['2026-04-31T00:00:00Z', false],
    ['2026-12-31T23:59:60.5+05:30', true],
    ['2026-12-31T24:00:00Z', false],
    ['2026-12-31T23:00:00+24:00', false],
    ['2026-1-31T23:00:00Z', false],
  ])('isRfc3339DateTime(%s) is %s', (text, expected) => {
    expect(isRfc3339DateTime(text)).toBe(expected);
  });

  it('writes JSON pointers as readable paths', () => {
    expect(jsonPointerToPath('')).toBe('$');
    expect(jsonPointerToPath('/process/argv/3')).toBe('$.process.argv[3]');
    expect(jsonPointerToPath('/a~1b/c d/x~0')).toBe('$["a/b"]["c d"]["x~"]');
  });
});
