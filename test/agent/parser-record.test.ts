import { parseAuditRecord } from '../../agent-bootstrap/agent/audit';
import { decodeEnrichedSaddr, decodeSockaddr, formatIpv6 } from '../../agent-bootstrap/agent/audit/sockaddr';
import { decodeProctitle, decodeString, hexInt32, hexNumber } from '../../agent-bootstrap/agent/audit/values';
import { execveArgv } from '../../agent-bootstrap/agent/audit/event-records';

function record(line: string) {
  const r = parseAuditRecord(line);
  if (!r.ok) throw new Error(`expected a record: ${r.message}`);
  return r.record;
}

describe('parseAuditRecord', () => {
  it('reads type, timestamp, serial and raw fields of a RAW line', () => {
    const r = record(
      'type=SYSCALL msg=audit(1626611363.720:348501): arch=c000003e syscall=59 success=yes exit=0 a0=55c0 ppid=722076 pid=724395 comm="perl" exe="/usr/bin/perl" key=(null)',
    );
    expect(r.type).toBe('SYSCALL');
    expect(r.timeMs).toBe(1626611363720);
    expect(r.timeText).toBe('1626611363.720');
    expect(r.serial).toBe(348501);
    expect(r.fields['pid']).toBe('724395');
    expect(r.fields['comm']).toBe('"perl"');
    expect(r.fields['key']).toBe('(null)');
    expect(Object.keys(r.enriched)).toHaveLength(0);
  });

  it('keeps ENRICHED translations after the 0x1d separator apart from the raw fields', () => {
    const r = record(
      'type=SYSCALL msg=audit(1.5:7): arch=c000003e syscall=42 uid=0 auid=1000\x1dARCH=x86_64 SYSCALL=connect AUID="user" UID="root"',
    );
    expect(r.fields['uid']).toBe('0');
    expect(r.fields['UID']).toBeUndefined();
    expect(r.enriched).toEqual({ ARCH: 'x86_64', SYSCALL: 'connect', AUID: 'user', UID: 'root' });
    expect(r.timeMs).toBe(1500);
  });

  it('reads braced ENRICHED values such as SADDR={ … }', () => {
    const r = record('type=SOCKADDR msg=audit(1.000:2): saddr=0200115C7F0000010000000000000000\x1dSADDR={ saddr_fam=inet laddr=127.0.0.1 lport=4444 }');
    expect(r.enriched['SADDR']).toBe('{ saddr_fam=inet laddr=127.0.0.1 lport=4444 }');
  });

  it('flattens the msg=\'…\' list of user-space records without overriding outer fields', () => {
    const r = record(
      "type=USER_LOGIN msg=audit(1493046015.752:42120): pid=18981 uid=0 auid=4294967295 msg='op=login acct=\"root\" exe=\"/usr/sbin/sshd\" hostname=? addr=192.0.2.1 terminal=ssh res=failed'",
    );
    expect(r.fields['pid']).toBe('18981');
    expect(r.fields['acct']).toBe('"root"');
    expect(r.fields['addr']).toBe('192.0.2.1');
    expect(r.fields['res']).toBe('failed');
  });

  it('accepts node= prefixes and numeric / UNKNOWN[n] types', () => {
    expect(record('node=web-1 type=EOE msg=audit(10.001:3): ').type).toBe('EOE');
    expect(record('type=1320 audit(10.001:3): ').type).toBe('1320');
    expect(record('type=UNKNOWN[1327] msg=audit(10.001:3): proctitle=6C73').fields['proctitle']).toBe('6C73');
  });

  it.each([
    ['', 'no "type="'],
    ['hello world', 'no "type="'],
    ['type=SYSCALL', 'msg=audit'],
    ['type=SYSCALL msg=audit(abc:12): pid=1', 'timestamp'],
    ['type=SYSCALL msg=audit(12.3): pid=1', 'header'],
  ])('reports %j as not a record (%s)', (line, message) => {
    const r = parseAuditRecord(line);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toContain(message);
  });
});

describe('value decoding', () => {
  it('decodes quoted, hex and null strings', () => {
    expect(decodeString('"/usr/bin/perl"')).toBe('/usr/bin/perl');
    expect(decodeString('2F746D702F6120622063')).toBe('/tmp/a b c');
    expect(decodeString('68C3A96C6C6F')).toBe('héllo');
    expect(decodeString('(null)')).toBeUndefined();
    expect(decodeString('(none)')).toBeUndefined();
    expect(decodeString('not-hex')).toBe('not-hex');
  });

  it('reads registers as unsigned and as signed 32-bit', () => {
    expect(hexNumber('4206')).toBe(0x4206);
    expect(hexInt32('ffffff9c')).toBe(-100);
    expect(hexInt32('ffffffffffffffff')).toBe(-1);
    expect(hexNumber('zz')).toBeUndefined();
  });

  it('splits a hex proctitle on NULs', () => {
    expect(decodeProctitle('6E63002D6C002D70003535353535')).toEqual(['nc', '-l', '-p', '55555']);
    expect(decodeProctitle('"bash"')).toEqual(['bash']);
  });

  it('reassembles split and hex EXECVE arguments and notices missing ones', () => {
    const hex = Buffer.from('héllo wörld ✓', 'utf8').toString('hex').toUpperCase();
    // Cut the hex in the middle of a multi-byte character: decoding must happen after concatenation.
    const cut = hex.indexOf('C3') + 2;
    expect(
      execveArgv({ argc: '3', a0: '"echo"', a1_len: String(hex.length), 'a1[0]': hex.slice(0, cut), 'a1[1]': hex.slice(cut), a2: '"x"' }),
    ).toEqual({ argv: ['echo', 'héllo wörld ✓', 'x'], incomplete: false });
    expect(execveArgv({ argc: '3', a0: '"echo"' })).toEqual({ argv: ['echo'], incomplete: true });
    // a chunk lost on the way: the argument is kept as far as it arrived, and flagged
    expect(execveArgv({ argc: '2', a0: '"echo"', a1_len: '8', 'a1[0]': '6161' })).toEqual({ argv: ['echo', 'aa'], incomplete: true });
  });
});

describe('sockaddr decoding', () => {
  it('decodes inet with a big-endian port', () => {
    expect(decodeSockaddr('0200115C7F0000010000000000000000')).toEqual({ family: 'inet', ip: '127.0.0.1', port: 4444 });
  });

  it('decodes inet6', () => {
    expect(decodeSockaddr('0A002BCB000000000000000000000000000000000000000100000000')).toEqual({ family: 'inet6', ip: '::1', port: 11211 });
  });

  it('decodes unix paths and abstract names', () => {
    expect(decodeSockaddr(`0100${Buffer.from('/var/run/nscd/socket\0').toString('hex')}`)).toEqual({ family: 'unix', path: '/var/run/nscd/socket' });
    expect(decodeSockaddr(`0100${Buffer.from('\0picket').toString('hex')}`)).toEqual({ family: 'unix', path: '@picket' });
  });

  it('decodes netlink as a family it does not turn into events', () => {
    expect(decodeSockaddr('100000000000000000000000')).toEqual({ family: 'netlink', familyNumber: 16 });
  });

  it('reads the family big-endian on big-endian arches (ppc64)', () => {
    expect(decodeSockaddr('0002D903000000000000000000000000', true)).toEqual({ family: 'inet', ip: '0.0.0.0', port: 55555 });
  });

  it('falls back to the ENRICHED SADDR translation', () => {
    expect(decodeEnrichedSaddr('{ saddr_fam=inet6 laddr=2001:db8::1 lport=443 }')).toEqual({ family: 'inet6', ip: '2001:db8::1', port: 443 });
    expect(decodeEnrichedSaddr('{ saddr_fam=local path=/run/x.sock }')).toEqual({ family: 'unix', path: '/run/x.sock' });
  });

  it('formats IPv6 per RFC 5952', () => {
    const b = new Uint8Array(16);
    b[0] = 0x20;
    b[1] = 0x01;
    b[2] = 0x0d;
    b[3] = 0xb8;
    b[15] = 1;
    expect(formatIpv6(b)).toBe('2001:db8::1');
    const mapped = new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 7]);
    expect(formatIpv6(mapped)).toBe('::ffff:192.0.2.7');
  });
});
