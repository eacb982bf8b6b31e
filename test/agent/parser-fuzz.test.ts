/**
 * Property tests: whatever text arrives — random strings, real lines with bytes changed, records shuffled, cut
 * or duplicated — the pipeline neither throws nor emits an event the contract validator rejects.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { AuditPipeline } from '../../agent-bootstrap/agent/audit';
import { validateRuntimeEvent } from '../../lambda/domain/events/validate';

const INSTANCE = 'i-0123456789abcdef0';
const REAL = readFileSync(join(__dirname, '../fixtures/audit/scenario-enriched.log'), 'utf8')
  .split('\n')
  .filter((l) => l.startsWith('type='));

function run(lines: readonly string[]): void {
  const pipeline = new AuditPipeline({ instanceId: INSTANCE, reassemblyWindowMs: 50 });
  const events = lines.flatMap((line, i) => pipeline.pushLine(line, i + 1));
  events.push(...pipeline.flush());
  for (const e of events) {
    const v = validateRuntimeEvent(e);
    if (!v.ok) throw new Error(`invalid ${e.kind}: ${v.reason}`);
  }
  const stats = pipeline.stats();
  if (stats.internalErrors) throw new Error(`internal errors: ${JSON.stringify(pipeline.issues.filter((i) => i.line === 0))}`);
}

const realLine = fc.constantFrom(...REAL);
const mutatedLine = fc
  .tuple(realLine, fc.nat(), fc.nat({ max: 40 }), fc.string({ unit: 'binary', maxLength: 20 }))
  .map(([line, at, cut, insert]) => {
    const i = at % (line.length + 1);
    return line.slice(0, i) + insert + line.slice(Math.min(line.length, i + cut));
  });
const tokenSoup = fc
  .array(fc.constantFrom('type=SYSCALL', 'type=EXECVE', 'type=PATH', 'type=SOCKADDR', 'type=EOE', 'msg=audit(1.2:3):', 'msg=audit(', 'a0=', 'argc=99', 'a1_len=9', 'a1[0]=ZZ', 'saddr=0A', 'syscall=59', 'syscall=42', 'pid=1', 'ppid=1', 'success=yes', 'exit=-115', '"', "'", '\x1d', '{', '}', ' ', '=', 'item=0', 'nametype=CREATE', 'name=2F'), { maxLength: 30 })
  .map((parts) => parts.join(''));

describe('pipeline robustness (fast-check)', () => {
  it('survives arbitrary strings', () => {
    fc.assert(fc.property(fc.array(fc.string({ unit: 'binary', maxLength: 300 }), { maxLength: 30 }), (lines) => run(lines)), { numRuns: 300 });
  });

  it('drops an event whose pid no kernel can have (a counterexample fast-check found: pid=4294967295)', () => {
    const damaged =
      'type=SYSCALL msg=audit(1795929540.506:158257): arch=c000003e syscall=59 success=yes exit=0 a0=56082ef51d60 a1=56082ef57fb0 a2=56082ef4c860 a3=1eab8800661532d7 items=2 ppid=26517 pid=4294967295 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=4294967295 comm="bash" exe="/usr/bin/bash" key="exec"\u001dARCH=x86_64 SYSCALL=execve AUID="unset" UID="root" GID="root" EUID="root" SUID="root" FSUID="root" EGID="root" SGID="root" FSGID="root"';
    const pipeline = new AuditPipeline({ instanceId: INSTANCE, reassemblyWindowMs: 50 });
    const events = [...pipeline.pushLine(damaged, 1), ...pipeline.flush()];
    expect(events.filter((e) => (e as { process?: { pid: number } }).process?.pid === 4294967295)).toEqual([]);
    expect(() => run([damaged])).not.toThrow();
  });

  it('survives real lines with bytes cut, inserted or replaced', () => {
    fc.assert(fc.property(fc.array(fc.oneof(realLine, mutatedLine), { maxLength: 60 }), (lines) => run(lines)), { numRuns: 300 });
  });

  it('survives token soup built from audit syntax', () => {
    fc.assert(fc.property(fc.array(tokenSoup, { maxLength: 40 }), (lines) => run(lines)), { numRuns: 400 });
  });

  it('survives real records shuffled, dropped and duplicated', () => {
    fc.assert(
      fc.property(fc.shuffledSubarray(REAL.slice(0, 200), { minLength: 1 }), fc.array(fc.nat({ max: 199 }), { maxLength: 20 }), (lines, dups) => {
        run([...lines, ...dups.map((i) => REAL[i]!)]);
      }),
      { numRuns: 100 },
    );
  });
});
