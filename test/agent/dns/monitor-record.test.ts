import fc from 'fast-check';
import { MAX_MONITOR_LINE_CHARS, parseMonitorLine } from '../../../agent-bootstrap/agent/dns/monitor-record';
import { monitorLines, networkDownLines } from './resolved-fixtures';

describe('parseMonitorLine on real resolvectl monitor output (systemd 252)', () => {
  it('parses every captured line, with questions and decoded answers', () => {
    const lines = [...monitorLines(), ...networkDownLines()];
    expect(lines.length).toBeGreaterThanOrEqual(30);
    for (const [i, line] of lines.entries()) {
      const parsed = parseMonitorLine(line, i + 1);
      expect(parsed).toMatchObject({ ok: true });
    }
  });

  it('keeps state, rcode, questions and the A record of the rebinding answer', () => {
    const line = monitorLines().find((l) => l.includes('rebind.picket.test') && l.includes('"type":28'))!;
    const parsed = parseMonitorLine(line, 3);
    expect(parsed.ok && parsed.record).toEqual({
      state: 'success',
      question: [
        { class: 1, type: 1, name: 'rebind.picket.test' },
        { class: 1, type: 28, name: 'rebind.picket.test' },
      ],
      answer: [{ rr: { key: { class: 1, type: 1, name: 'rebind.picket.test' }, address: [169, 254, 169, 254] }, raw: expect.any(String) }],
    });
    const nx = parseMonitorLine(monitorLines().find((l) => l.includes('nosuch'))!, 5);
    expect(nx.ok && nx.record).toMatchObject({ state: 'rcode-failure', rcode: 3, answer: [] });
  });
});

describe('parseMonitorLine on bad input', () => {
  const real = () => monitorLines()[0]!;

  it.each([
    ['a truncated line', () => real().slice(0, 80), /not JSON/],
    ['a JSON array', () => '[1,2]', /expected a JSON object, got an array/],
    ['null', () => 'null', /got null/],
    ['no state', () => '{"question":[{"type":1,"name":"a.test"}]}', /"state"/],
    ['no question', () => '{"state":"success"}', /"question"/],
    ['a question without a name', () => '{"state":"success","question":[{"type":1}]}', /question\[0\]: "name"/],
    ['a type out of range', () => '{"state":"success","question":[{"type":70000,"name":"a.test"}]}', /question\[0\]: "type"/],
    ['answer not an array', () => '{"state":"success","question":[{"type":1,"name":"a.test"}],"answer":{}}', /"answer" is not an array/],
  ])('reports %s with its line number', (_what, make, message) => {
    const parsed = parseMonitorLine(make(), 42);
    expect(parsed).toMatchObject({ ok: false, skip: false, issue: { line: 42, message: expect.stringMatching(message) } });
  });

  it('reports an oversized line without parsing it', () => {
    const padded = `{"state":"success","pad":"${'x'.repeat(MAX_MONITOR_LINE_CHARS)}","question":[{"type":1,"name":"a.test"}]}`;
    expect(parseMonitorLine(padded, 7)).toMatchObject({ ok: false, skip: false, issue: { line: 7, message: expect.stringMatching(/longer than/) } });
  });

  it('skips blank lines silently', () => {
    expect(parseMonitorLine('   ', 1)).toEqual({ ok: false, skip: true });
  });

  it('drops an unusable answer record but keeps the rest of the line', () => {
    const line = '{"state":"success","question":[{"class":1,"type":1,"name":"a.test"}],"answer":[7,{"rr":{"key":{"type":1,"name":"a.test"},"address":[1,2,3]}},{"rr":{"key":{"type":1,"name":"a.test"},"address":[192,0,2,1]}}]}';
    const parsed = parseMonitorLine(line, 1);
    expect(parsed.ok && parsed.record.answer).toEqual([{ rr: { key: { class: 1, type: 1, name: 'a.test' } } }, { rr: { key: { class: 1, type: 1, name: 'a.test' }, address: [192, 0, 2, 1] } }]);
  });
});

describe('parseMonitorLine fuzzed', () => {
  it('never throws on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (text) => {
        const parsed = parseMonitorLine(text, 1);
        expect(typeof parsed.ok).toBe('boolean');
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws on arbitrary JSON values, and anything it accepts has a state and questions', () => {
    fc.assert(
      fc.property(fc.json(), (text) => {
        const parsed = parseMonitorLine(text, 1);
        if (parsed.ok) {
          expect(parsed.record.state.length).toBeGreaterThan(0);
          expect(parsed.record.question.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws on real lines with bytes cut, replaced or inserted', () => {
    const lines = monitorLines();
    fc.assert(
      fc.property(fc.nat(lines.length - 1), fc.nat(), fc.nat({ max: 40 }), fc.string({ maxLength: 8 }), (which, at, cut, insert) => {
        const line = lines[which]!;
        const pos = at % (line.length + 1);
        const mutated = line.slice(0, pos) + insert + line.slice(Math.min(line.length, pos + cut));
        const parsed = parseMonitorLine(mutated, which + 1);
        if (!parsed.ok && !parsed.skip) expect(parsed.issue.line).toBe(which + 1);
      }),
      { numRuns: 3000 },
    );
  });

  it('never throws on structurally plausible records with hostile field values', () => {
    const anything = fc.oneof(fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(fc.integer(), { maxLength: 20 }), fc.object());
    const key = fc.record({ class: anything, type: fc.oneof(fc.integer({ min: -5, max: 70000 }), anything), name: fc.oneof(fc.string(), anything) });
    const rr = fc.record({ key: fc.oneof(key, anything), address: anything, name: anything, items: fc.oneof(fc.array(fc.string()), anything), exchange: anything });
    const record = fc.record({ state: anything, rcode: anything, question: fc.oneof(fc.array(key, { maxLength: 4 }), anything), answer: fc.oneof(fc.array(fc.record({ rr: fc.oneof(rr, anything), raw: anything }), { maxLength: 6 }), anything) }, { requiredKeys: [] });
    fc.assert(
      fc.property(record, (value) => {
        const parsed = parseMonitorLine(JSON.stringify(value), 9);
        expect(typeof parsed.ok).toBe('boolean');
      }),
      { numRuns: 2000 },
    );
  });
});
