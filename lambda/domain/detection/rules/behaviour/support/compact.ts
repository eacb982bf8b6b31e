/**
 * Drops undefined values (one level of nesting deep) from a finding's context: findings are stored
 * as JSON and in DynamoDB, where an undefined attribute is an error rather than an absence.
 */
export function compact(record: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    if (value === undefined) continue;
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      out[key] = Object.fromEntries(Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined));
    } else out[key] = value;
  }
  return out;
}
