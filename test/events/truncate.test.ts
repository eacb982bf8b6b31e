import fc from 'fast-check';
import { LIMITS, type ProcessExecEvent, type RuntimeEvent } from '../../lambda/domain/events/runtime-event';
import { cutHead, cutMiddle, truncateArgv, truncateEvent } from '../../lambda/domain/events/truncate';
import { validateRuntimeEvent } from '../../lambda/domain/events/validate';
import { execEvent, runtimeEventArb } from './arbitraries';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function exec(overrides: Record<string, unknown>): ProcessExecEvent {
  return execEvent(1, overrides) as ProcessExecEvent;
}

function withProcess(changes: Record<string, unknown>): ProcessExecEvent {
  const base = exec({});
  return { ...base, process: { ...base.process, ...changes } };
}

function expectValid(event: RuntimeEvent): void {
  const result = validateRuntimeEvent(event);
  if (!result.ok) throw new Error(result.reason);
}

describe('truncateEvent', () => {
  it('returns the very same object when nothing is over a limit', () => {
    const event = execEvent(1);
    expect(truncateEvent(event)).toBe(event);
  });

  it('keeps the first maxArgs arguments and flags argv', () => {
    const argv = Array.from({ length: 500 }, (_, i) => `arg${i}`);
    const out = truncateEvent(withProcess({ argv }));
    expect(out.process.argv).toEqual(argv.slice(0, LIMITS.maxArgs));
    expect(out.process.argvTruncated).toBe(true);
    expect(out.truncatedFields).toEqual(['process.argv']);
    expectValid(out);
  });

  it('cuts a long argument to its start', () => {
    const payload = `echo ${'A'.repeat(10_000)}`;
    const out = truncateEvent(withProcess({ argv: ['bash', '-c', payload] }));
    expect(out.process.argv[2]).toBe(payload.slice(0, LIMITS.maxArgChars));
    expect(out.process.argvTruncated).toBe(true);
    expectValid(out);
  });

  it('cuts a long path in the middle, keeping the file name and the " (deleted)" marker', () => {
    const exe = `/tmp/${'d/'.repeat(2100)}payload (deleted)`;
    const out = truncateEvent(withProcess({ exe }));
    expect(out.process.exe.length).toBeLessThanOrEqual(LIMITS.maxArgChars);
    expect(out.process.exe.startsWith('/tmp/d/d/')).toBe(true);
    expect(out.process.exe.endsWith('/payload (deleted)')).toBe(true);
    expect(out.process.exe).toContain('…');
    expect(out.truncatedFields).toEqual(['process.exe']);
    expect(out.process.argvTruncated).toBeUndefined();
    expectValid(out);
  });

  it('keeps the nearest maxLineage ancestors and names lineage as cut', () => {
    const lineage = Array.from({ length: 12 }, (_, i) => ({ pid: 100 + i, exe: `/bin/p${i}` }));
    const out = truncateEvent(exec({ lineage }));
    expect(out.lineage.map((e) => e.pid)).toEqual(lineage.slice(0, LIMITS.maxLineage).map((e) => e.pid));
    expect(out.truncatedFields).toContain('lineage');
    expectValid(out);
  });

  it('flags an ancestor whose argv was cut', () => {
    const out = truncateEvent(exec({ lineage: [{ pid: 9, exe: '/usr/bin/python3', argv: ['python3', '-c', 'x'.repeat(5000)] }] }));
    expect(out.lineage[0]!.argvTruncated).toBe(true);
    expect(out.truncatedFields).toEqual(['lineage[0].argv']);
    expectValid(out);
  });

  it('shrinks an event whose fields are each in bounds but whose whole is over maxEventBytes', () => {
    const argv = ['tar', ...Array.from({ length: 40 }, (_, i) => `/srv/data/${i}/${'x'.repeat(3000)}`)];
    const event = withProcess({ argv });
    expect(validateRuntimeEvent(event).ok).toBe(false);
    const out = truncateEvent(event);
    expect(Buffer.byteLength(JSON.stringify(out))).toBeLessThanOrEqual(LIMITS.maxEventBytes);
    expect(out.process.argv[0]).toBe('tar');
    expect(out.process.argv[1]!.startsWith('/srv/data/0/')).toBe(true);
    expect(out.process.argvTruncated).toBe(true);
    expectValid(out);
  });

  it('survives JSON escaping blow-up: control characters cost 6 bytes each', () => {
    const argv = Array.from({ length: LIMITS.maxArgs }, () => '\u0001'.repeat(LIMITS.maxArgChars));
    const lineage = Array.from({ length: 8 }, (_, i) => ({ pid: i + 2, exe: '\u0002'.repeat(4000), argv }));
    const out = truncateEvent(exec({ lineage, process: { ...exec({}).process, argv, exe: '\u0003'.repeat(4000), cwd: '\u0004'.repeat(4000) } }));
    expect(Buffer.byteLength(JSON.stringify(out))).toBeLessThanOrEqual(LIMITS.maxEventBytes);
    expectValid(out);
  });

  it('never splits a surrogate pair', () => {
    const out = truncateEvent(withProcess({ argv: ['😀'.repeat(3000)], exe: `/x/${'😀'.repeat(3000)}` }));
    expect(LONE_SURROGATE.test(out.process.argv[0]!)).toBe(false);
    expect(LONE_SURROGATE.test(out.process.exe)).toBe(false);
    expectValid(out);
  });

  it('keeps truncatedFields a producer already set, and does not mutate its input', () => {
    const event = exec({ truncatedFields: ['dns.answers'], process: { ...exec({}).process, cwd: 'c'.repeat(5000) } });
    const before = JSON.stringify(event);
    const out = truncateEvent(event);
    expect(out.truncatedFields).toEqual(['dns.answers', 'process.cwd']);
    expect(JSON.stringify(event)).toBe(before);
  });

  it('turns any oversized event of any kind into a valid one (property)', () => {
    // Valid events, then blown up: long strings, long lists, deep lineage.
    const huge = fc.string({ unit: 'binary', minLength: 4000, maxLength: 9000 });
    fc.assert(
      fc.property(runtimeEventArb(), huge, fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 20 }), (event, big, argCount, depth) => {
        const blown = structuredClone(event) as unknown as {
          process?: { argv: string[]; exe: string };
          lineage?: unknown[];
          file?: { path: string };
          dns?: { answers: string[] };
        };
        if (blown.process) {
          blown.process.argv = Array.from({ length: argCount }, (_, i) => (i % 7 === 0 ? big : `a${i}`));
          blown.process.exe = big;
        }
        if (blown.lineage) blown.lineage = Array.from({ length: depth }, (_, i) => ({ pid: i, exe: big, argv: [big, big] }));
        if (blown.file) blown.file.path = big;
        if (blown.dns) blown.dns.answers = Array.from({ length: argCount }, () => big.slice(0, 300));
        const out = truncateEvent(blown as RuntimeEvent);
        const result = validateRuntimeEvent(out);
        if (!result.ok) throw new Error(result.reason);
      }),
      { numRuns: 60 },
    );
  });

  it('leaves every valid event untouched (property)', () => {
    fc.assert(
      fc.property(runtimeEventArb(), (event) => {
        expect(truncateEvent(event)).toBe(event);
      }),
      { numRuns: 300 },
    );
  });
});

describe('string and argv helpers', () => {
  it('cutHead keeps the start and never ends inside a surrogate pair', () => {
    expect(cutHead('abcdef', 3)).toBe('abc');
    expect(cutHead('ab😀', 3)).toBe('ab');
    expect(cutHead('abc', 5)).toBe('abc');
  });

  it('cutMiddle keeps head and tail within the budget', () => {
    const cut = cutMiddle('/very/long/path/to/file.txt', 12);
    expect(cut.length).toBeLessThanOrEqual(12);
    expect(cut).toBe('/very/…e.txt');
  });

  it('truncateArgv reports whether it cut, and returns the input when it did not', () => {
    const argv = ['ls', '-la'];
    expect(truncateArgv(argv)).toEqual({ argv, truncated: false });
    expect(truncateArgv(argv).argv).toBe(argv);
    expect(truncateArgv(['a', 'bbbb', 'c'], { maxArgs: 2, maxArgChars: 2 })).toEqual({ argv: ['a', 'bb'], truncated: true });
  });
});
