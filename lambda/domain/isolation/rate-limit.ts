/**
 * Rolling-window rate limit on isolations per account: at most `max` starts in any `windowMs`.
 * Pure: the caller keeps the history (DynamoDB, with a version check) and the clock.
 */
export type RateDecision =
  | { readonly admitted: true; readonly history: readonly string[] }
  | { readonly admitted: false; readonly retryAt: string; readonly inWindow: number };

export const HOUR_MS = 60 * 60 * 1000;

export function admitUnderRateLimit(history: readonly string[], now: Date, max: number, windowMs = HOUR_MS): RateDecision {
  const since = now.getTime() - windowMs;
  const recent = history
    .map((t) => Date.parse(t))
    .filter((t) => Number.isFinite(t) && t > since && t <= now.getTime())
    .sort((a, b) => a - b);
  if (recent.length < max) {
    return { admitted: true, history: [...recent.map((t) => new Date(t).toISOString()), now.toISOString()] };
  }
  // The slot that frees first is the (n - max + 1)-th oldest; +1 s so the retry lands after it.
  const frees = recent[recent.length - max]! + windowMs + 1000;
  return { admitted: false, retryAt: new Date(frees).toISOString(), inWindow: recent.length };
}
