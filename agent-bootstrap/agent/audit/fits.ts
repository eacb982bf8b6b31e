/**
 * A cheap, conservative test that an event is within LIMITS, so the common small event skips truncateEvent
 * (which serialises the whole event to measure it). Sums string lengths with the worst JSON/UTF-8 expansion
 * (6 bytes per UTF-16 unit, as in \u0000) plus a per-property allowance; any doubt → false → truncateEvent decides.
 *
 * Lineage entries are the process table's cached views, shared by every event of their descendants and never
 * changed once built (a change builds a new view), so each one's estimate is computed once and remembered.
 * The answer is the same as walking them every time: the estimate only adds up, so a total over the limit at
 * any point is a total over the limit at the end.
 */
import { LIMITS } from '../../../lambda/domain/events/runtime-event';

const BYTES_PER_PROPERTY = 48;
/** Estimated bytes of a lineage entry, or TOO_BIG when a string or list in it breaks a limit by itself. */
const lineageEstimates = new WeakMap<object, number>();
const TOO_BIG = -1;

export function surelyWithinLimits(event: unknown): boolean {
  const budget = { bytes: 0 };
  return walk(event, budget, 0) && budget.bytes <= LIMITS.maxEventBytes;
}

function walk(value: unknown, budget: { bytes: number }, depth: number): boolean {
  if (depth > 8) return false;
  if (typeof value === 'string') {
    if (value.length > LIMITS.maxArgChars) return false;
    budget.bytes += value.length * 6 + 2;
    return true;
  }
  if (typeof value !== 'object' || value === null) {
    budget.bytes += 24;
    return true;
  }
  if (Array.isArray(value)) {
    if (value.length > LIMITS.maxArgs) return false;
    for (const item of value) if (!walk(item, budget, depth + 1)) return false;
    budget.bytes += 2 + value.length;
    return true;
  }
  for (const key in value) {
    budget.bytes += BYTES_PER_PROPERTY;
    const item = (value as Record<string, unknown>)[key];
    if (key === 'lineage' && depth === 0 && Array.isArray(item)) {
      if (!walkLineage(item, budget)) return false;
    } else if (!walk(item, budget, depth + 1)) return false;
  }
  return budget.bytes <= LIMITS.maxEventBytes;
}

/** walk() of the event's lineage array (depth 1), each entry's estimate taken from the cache when known. */
function walkLineage(lineage: readonly unknown[], budget: { bytes: number }): boolean {
  if (lineage.length > LIMITS.maxArgs) return false;
  for (const entry of lineage) {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      if (!walk(entry, budget, 2)) return false;
      continue;
    }
    let estimate = lineageEstimates.get(entry);
    if (estimate === undefined) {
      const own = { bytes: 0 };
      // Entries are plain objects of strings, numbers and one argv list: no nesting deep enough for the
      // depth limit, and an entry over the byte limit on its own is marked too big like a broken limit.
      estimate = walk(entry, own, 2) ? own.bytes : TOO_BIG;
      lineageEstimates.set(entry, estimate);
    }
    if (estimate === TOO_BIG) return false;
    budget.bytes += estimate;
  }
  budget.bytes += 2 + lineage.length;
  return budget.bytes <= LIMITS.maxEventBytes;
}
