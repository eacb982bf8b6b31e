/**
 * A cheap, conservative test that an event is within LIMITS, so the common small event skips truncateEvent
 * (which serialises the whole event to measure it). Sums string lengths with the worst JSON/UTF-8 expansion
 * (6 bytes per UTF-16 unit, as in \u0000) plus a per-property allowance; any doubt → false → truncateEvent decides.
 */
import { LIMITS } from '../../../lambda/domain/events/runtime-event';

const BYTES_PER_PROPERTY = 48;

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
    if (!walk((value as Record<string, unknown>)[key], budget, depth + 1)) return false;
  }
  return budget.bytes <= LIMITS.maxEventBytes;
}
