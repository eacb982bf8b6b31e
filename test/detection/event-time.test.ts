import { parseEventTime } from '../../lambda/domain/detection/event-time';

describe('parseEventTime', () => {
  it('equals Date.parse for every day 0-32 of every month 0-13 from 1960 to 2110, at the end of the day', () => {
    const mismatches: string[] = [];
    for (let y = 1960; y <= 2110; y++) {
      for (let m = 0; m <= 13; m++) {
        for (let d = 0; d <= 32; d++) {
          const ts = `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}T23:59:59.999Z`;
          if (!Object.is(parseEventTime(ts), Date.parse(ts))) mismatches.push(ts);
        }
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('falls back to Date.parse for other shapes and out-of-range fields', () => {
    for (const ts of ['2026-11-29T09:00:00Z', '2026-11-29T09:00:00.123456Z', '2026-11-29T09:00:00.123+01:00', '2026-01-01T24:00:00.000Z',
      '2026-01-01T23:60:00.000Z', '2026-01-01T23:59:60.000Z', '2026-1a-01T00:00:00.000Z', 'garbage', '', '+02026-11-29T09:00:00.000Z']) {
      expect(Object.is(parseEventTime(ts), Date.parse(ts))).toBe(true);
    }
  });
});
