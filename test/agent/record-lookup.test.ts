/**
 * AuditRecord's field lookups against plain reference answers on generated record bodies (fast-check):
 * get() must find the first " name=" exactly as a plain indexOf of " name=" would (the search now starts from the
 * name's first letter), getEnriched() the first "name=" at the start or after a space, and getDecimal() must
 * always equal decimal(get()).
 */
import fc from 'fast-check';
import { parseAuditRecord } from '../../agent-bootstrap/agent/audit';
import type { AuditRecord } from '../../agent-bootstrap/agent/audit/record';
import { decimal } from '../../agent-bootstrap/agent/audit/values';

const NAMES = ['pid', 'ppid', 'uid', 'auid', 'euid', 'exit', 'a0', 'key', 'SYSCALL', 'UID', ''];

function record(body: string, enriched?: string): AuditRecord {
  const r = parseAuditRecord(`type=SYSCALL msg=audit(1700000000.123:42): ${body}${enriched !== undefined ? `\x1d${enriched}` : ''}`);
  if (!r.ok) throw new Error(r.message);
  return r.record;
}

/** The lookup as it was written before: indexOf(" name="), then a quoted value or a bare one up to a space or tab. */
function referenceGet(body: string, name: string): string | undefined {
  const text = ` ${body}`;
  const at = text.indexOf(` ${name}=`);
  if (at < 0) return undefined;
  const j = at + name.length + 2;
  if (text.charCodeAt(j) === 0x22) {
    const end = text.indexOf('"', j + 1);
    return end < 0 ? text.slice(j) : text.slice(j, end + 1);
  }
  let k = j;
  while (k < text.length && text[k] !== ' ' && text[k] !== '\t') k++;
  return text.slice(j, k);
}

function referenceEnriched(text: string, name: string): string | undefined {
  let at = text.startsWith(`${name}=`) ? 0 : text.indexOf(` ${name}=`);
  if (at < 0) return undefined;
  if (at > 0) at++;
  const j = at + name.length + 1;
  if (text.charCodeAt(j) === 0x22) {
    const end = text.indexOf('"', j + 1);
    return end < 0 ? text.slice(j + 1) : text.slice(j + 1, end);
  }
  let k = j;
  while (k < text.length && text[k] !== ' ' && text[k] !== '\t') k++;
  return text.slice(j, k);
}

/** Bodies built from the pieces that matter to the search: names inside other names, digits, signs, separators. */
const piece = fc.constantFrom(...NAMES.filter((n) => n !== ''), 'a', 'p', 'id', '=', ' ', ' ', '\t', '"', '-', '0', '7', '42', '1234567890123456', 'x', '(null)');
const body = fc.array(piece, { maxLength: 40 }).map((parts) => parts.join(''));
/** Bodies without ' and { (where get() would turn to the parsed field map instead). */
const plainBody = body.filter((b) => !b.includes("'") && !b.includes('{'));

describe('AuditRecord field lookups (fast-check)', () => {
  it('get() finds the first " name=" as a plain search does', () => {
    fc.assert(
      fc.property(plainBody, fc.constantFrom(...NAMES), (b, name) => {
        expect(record(b).get(name)).toBe(referenceGet(b, name));
      }),
      { numRuns: 3000 },
    );
  });

  it('getDecimal() is decimal(get()) on any body, quotes and braces included', () => {
    const anyBody = fc.array(fc.oneof(piece, fc.constantFrom("'", '{', "msg='pid=5 uid=6'")), { maxLength: 40 }).map((p) => p.join(''));
    fc.assert(
      fc.property(anyBody, fc.constantFrom(...NAMES), (b, name) => {
        expect(record(b).getDecimal(name)).toBe(decimal(record(b).get(name)));
      }),
      { numRuns: 3000 },
    );
  });

  it('getEnriched() finds the first "name=" at the start or after a space', () => {
    fc.assert(
      fc.property(plainBody, fc.constantFrom(...NAMES), (e, name) => {
        expect(record('pid=1', e).getEnriched(name)).toBe(referenceEnriched(e, name));
      }),
      { numRuns: 3000 },
    );
  });

  it('reads the usual SYSCALL numbers without cutting them, and falls back for the rest', () => {
    const r = record('arch=c000003e syscall=59 success=yes exit=-2 ppid=1 pid=724395 auid=4294967295 uid=0 euid=1000 gid=7\tsgid=1 key="x"');
    expect(r.getDecimal('pid')).toBe(724395);
    expect(r.getDecimal('uid')).toBe(0); // after "auid=" which contains "uid="
    expect(r.getDecimal('euid')).toBe(1000);
    expect(r.getDecimal('exit')).toBe(-2);
    expect(r.getDecimal('gid')).toBe(7); // ends at a tab
    expect(r.getDecimal('key')).toBeUndefined();
    expect(r.getDecimal('missing')).toBeUndefined();
  });
});
