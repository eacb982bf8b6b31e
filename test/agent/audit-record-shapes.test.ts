/**
 * The allocation-saving shapes of the audit parser against plain reference answers: records that keep their line
 * plus offsets (body, timestamp, ENRICHED part), constant record-type strings, timestamp identity without cutting
 * the text (canonical "SECONDS.mmm" compared as a number), the reassembler's newest-event slot and its memory of
 * released serials, and hex decoding into a reused buffer (hexText ≡ bytesToText(hexBytes)).
 */
import fc from 'fast-check';
import { parseAuditRecord } from '../../agent-bootstrap/agent/audit';
import { type AssembledEvent, Reassembler } from '../../agent-bootstrap/agent/audit/reassembler';
import type { AuditRecord } from '../../agent-bootstrap/agent/audit/record';
import { bytesToText, decodeProctitle, decodeString, hexBytes, hexText } from '../../agent-bootstrap/agent/audit/values';

function record(line: string): AuditRecord {
  const r = parseAuditRecord(line);
  if (!r.ok) throw new Error(r.message);
  return r.record;
}

describe('AuditRecord over its line', () => {
  it('reads fields only between the header and the 0x1d separator, and translations only after it', () => {
    const r = record('type=SYSCALL msg=audit(1700000000.123:42): pid=7 exe="/bin/sh" key=x\x1dUID="root" pid=9');
    expect(r.get('pid')).toBe('7');
    expect(r.getDecimal('pid')).toBe(7);
    expect(r.get('exe')).toBe('"/bin/sh"');
    expect(r.get('key')).toBe('x');
    expect(r.get('UID')).toBeUndefined();
    expect(r.getEnriched('UID')).toBe('root');
    expect(r.getEnriched('pid')).toBe('9');
    expect(r.fields).toEqual({ pid: '7', exe: '"/bin/sh"', key: 'x' });
    expect(r.enriched).toEqual({ UID: 'root', pid: '9' });
  });

  it('treats a body glued to the header as starting a field, and a name whose "=" is past the separator as absent', () => {
    const r = record('type=SYSCALL msg=audit(1700000000.123:42):pid=7 comm\x1d=x');
    expect(r.get('pid')).toBe('7');
    expect(r.get('comm')).toBeUndefined();
    const quoted = record('type=SYSCALL msg=audit(1700000000.123:42): name="open\x1dNAME="x"');
    expect(quoted.get('name')).toBe('"open');
  });

  it('gives the common record types as the same constant strings and keeps others as written', () => {
    for (const type of ['SYSCALL', 'PROCTITLE', 'PATH', 'CWD', 'EXECVE', 'BPRM_FCAPS', 'SOCKADDR', 'EOE', 'OBJ_PID']) {
      expect(record(`type=${type} msg=audit(1.000:1): x=1`).type).toBe(type);
    }
    for (const type of ['SYSCALLX', 'SYSCALM', 'PATHS', 'CWE', 'UNKNOWN[1300]', '1300', 'USER_LOGIN', 'P']) {
      expect(record(`type=${type} msg=audit(1.000:1): x=1`).type).toBe(type);
    }
  });

  it('timeText is the timestamp as written; sameTimeAs equals comparing those texts', () => {
    const stamps = ['1700000000.123', '1700000000.1230', '1700000000.12', '01700000000.123', '1700000000', '0.001', '1.2345.678', '1.234'];
    const records = stamps.map((t) => record(`type=PATH msg=audit(${t}:5): item=0`));
    expect(records.map((r) => r.timeText)).toEqual(stamps);
    for (const a of records) for (const b of records) expect(a.sameTimeAs(b)).toBe(a.timeText === b.timeText);
  });

  it('marks as canonical exactly the timestamps written String(seconds) + "." + three digits', () => {
    const canonical = (t: string) => record(`type=PATH msg=audit(${t}:5): item=0`).canonicalTime;
    expect(canonical('1700000000.123')).toBe(true);
    expect(canonical('0.001')).toBe(true);
    expect(canonical('1700000000.12')).toBe(false);
    expect(canonical('1700000000.1234')).toBe(false);
    expect(canonical('01700000000.123')).toBe(false);
    expect(canonical('1700000000')).toBe(false);
    expect(canonical('1.2345.678')).toBe(false);
    expect(canonical('1234567890123.456')).toBe(false); // 13 digits of seconds: timeMs would not be exact
  });
});

describe('Reassembler slots and memory', () => {
  const line = (type: string, time: string, serial: number) => record(`type=${type} msg=audit(${time}:${serial}): x=1`);
  const keys = (out: AssembledEvent[]) => out.map((e) => `${e.key}:${e.records.length}`);

  it('keeps interleaved events apart and releases them in the order they were opened', () => {
    const r = new Reassembler(2000);
    const out: AssembledEvent[] = [];
    r.push(line('SYSCALL', '10.000', 1), out);
    r.push(line('SYSCALL', '10.000', 2), out);
    r.push(line('PATH', '10.000', 1), out);
    r.push(line('PATH', '10.000', 3), out);
    expect(r.pendingCount).toBe(3);
    r.push(line('PROCTITLE', '10.000', 2), out);
    expect(keys(out)).toEqual(['2:2']);
    r.flush(out);
    expect(keys(out)).toEqual(['2:2', '1:2', '3:1']);
    expect(r.pendingCount).toBe(0);
  });

  it('expires the newest event too once the window has passed, oldest first', () => {
    const r = new Reassembler(1000);
    const out: AssembledEvent[] = [];
    r.push(line('SYSCALL', '10.000', 1), out);
    r.push(line('SYSCALL', '10.500', 2), out);
    r.expire(11_600, out);
    expect(keys(out)).toEqual(['1:1', '2:1']);
  });

  it('evicts the oldest pending event beyond maxPending', () => {
    const r = new Reassembler(60_000, 2);
    const out: AssembledEvent[] = [];
    for (const serial of [1, 2, 3]) r.push(line('SYSCALL', '10.000', serial), out);
    expect(keys(out)).toEqual(['1:1']);
    expect(r.pendingCount).toBe(2);
  });

  it('counts records of a released event as late only under the same timestamp text', () => {
    const r = new Reassembler(2000);
    const out: AssembledEvent[] = [];
    for (const time of ['10.000', '11.5', '012.000']) {
      const serial = Math.round(Number(time) * 10);
      r.push(line('SYSCALL', time, serial), out);
      r.push(line('PROCTITLE', time, serial), out);
      r.push(line('PATH', time, serial), out); // late: same serial and text
      expect(r.lateRecords).toBe(out.length);
    }
    // same serial and timeMs, other text: another event, not a late record
    r.push(line('PATH', '11.500', 115), out);
    r.push(line('PATH', '12.000', 120), out);
    expect(r.lateRecords).toBe(3);
    expect(r.pendingCount).toBe(2);
  });

  it('forgets released serials beyond its memory, also when serials go backwards (a reboot)', () => {
    const r = new Reassembler(60_000, 4096, 2);
    const out: AssembledEvent[] = [];
    for (const serial of [5, 6, 7]) {
      r.push(line('SYSCALL', '10.000', serial), out);
      r.push(line('PROCTITLE', '10.000', serial), out);
    }
    r.push(line('PATH', '10.000', 5), out); // forgotten: opens a new event
    r.push(line('PATH', '10.000', 6), out); // remembered: late
    expect(r.lateRecords).toBe(1);
    expect(r.pendingCount).toBe(1);
  });
});

describe('hex decoding into the reused buffer', () => {
  const reference = (hex: string) => {
    const bytes = hexBytes(hex);
    return bytes ? bytesToText(bytes) : undefined;
  };
  const hexOf = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

  it('hexText equals bytesToText(hexBytes()) for any bytes, short or long, either case, and rejects non-hex', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.boolean(), (bytes, upper) => {
        const hex = upper ? hexOf(bytes).toUpperCase() : hexOf(bytes);
        expect(hexText(hex)).toBe(reference(hex));
      }),
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 260 }), (text) => {
        expect(hexText(text)).toBe(reference(text));
      }),
    );
    for (const text of ['', 'A', 'ABC', '4G', 'G4', '4142x3', `${'41'.repeat(100)}4`, `${'41'.repeat(100)}zz`, '41'.repeat(20_000), 'C3'.repeat(20_000)]) {
      expect(hexText(text)).toBe(reference(text));
    }
  });

  it('keeps invalid UTF-8 replaced as TextDecoder does, after an ASCII value has used the buffer', () => {
    expect(hexText('414243')).toBe('ABC');
    expect(hexText('C328FF41')).toBe(reference('C328FF41'));
    expect(hexText('414243')).toBe('ABC');
  });

  it('decodeString and decodeProctitle read the same as before', () => {
    expect(decodeString('2F746D702F78')).toBe('/tmp/x');
    expect(decodeString('2F746D70G0')).toBe('2F746D70G0');
    expect(decodeProctitle('6C73002D6C6100')).toEqual(['ls', '-la']);
    expect(decodeProctitle(`${'61'.repeat(100)}00${'E282AC'.repeat(10)}`)).toEqual(['a'.repeat(100), '€'.repeat(10)]);
    expect(decodeProctitle('(null)')).toBeUndefined();
    expect(decodeProctitle('zz')).toEqual(['zz']);
  });
});
