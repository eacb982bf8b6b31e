/**
 * Event timestamps to epoch ms. Every event's `ts` is parsed once by the engine and rules parse the
 * timestamps they remembered, so this is on the hot path: Date.parse goes through the runtime's
 * general date parser, about as costly as a rule. Timestamps in the shape producers write
 * (`toISOString()`: `YYYY-MM-DDTHH:MM:SS.sssZ`) are computed here with integer arithmetic; anything
 * else, and any field out of the ranges checked below, falls back to Date.parse, so the result is
 * always exactly Date.parse's.
 */
export function parseEventTime(ts: string): number {
  if (ts.length !== 24 || ts.charCodeAt(23) !== 90 /* Z */) return Date.parse(ts);
  if (ts.charCodeAt(4) !== 45 || ts.charCodeAt(7) !== 45 || ts.charCodeAt(10) !== 84 || ts.charCodeAt(13) !== 58 || ts.charCodeAt(16) !== 58 || ts.charCodeAt(19) !== 46) {
    return Date.parse(ts);
  }
  const year = digits(ts, 0, 4);
  const month = digits(ts, 5, 2);
  const day = digits(ts, 8, 2);
  const hour = digits(ts, 11, 2);
  const minute = digits(ts, 14, 2);
  const second = digits(ts, 17, 2);
  const milli = digits(ts, 20, 3);
  // Date.parse takes days 1-31 in every month and rolls a day past the month's end over into the
  // next month, exactly as the day count below does (2023-02-29 is March 1st for both).
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59 || milli < 0) {
    return Date.parse(ts);
  }
  return daysFromCivil(year, month, day) * 86_400_000 + hour * 3_600_000 + minute * 60_000 + second * 1000 + milli;
}

/** The decimal number in ts[start, start+len), or -1 when a character is not a digit (len 2 to 4). */
function digits(ts: string, start: number, len: number): number {
  const a = ts.charCodeAt(start) - 48;
  const b = ts.charCodeAt(start + 1) - 48;
  let n = a * 10 + b;
  let bad = (a >>> 0) > 9 || (b >>> 0) > 9;
  if (len > 2) {
    const c = ts.charCodeAt(start + 2) - 48;
    bad ||= (c >>> 0) > 9;
    n = n * 10 + c;
    if (len > 3) {
      const d = ts.charCodeAt(start + 3) - 48;
      bad ||= (d >>> 0) > 9;
      n = n * 10 + d;
    }
  }
  return bad ? -1 : n;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (year >= 0), by whole 400-year eras. */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}
