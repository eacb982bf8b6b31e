/**
 * Keeps a finding document under a byte budget (a DynamoDB item holds 400 KB, a PutEvents entry
 * 256 KB). Host text (argv, paths) is attacker-controlled and can be large: the longest strings are
 * cut, halving the allowance until the document fits, and `additionalInfo.truncatedForSize` says so.
 */
import type { Finding } from '../domain/findings/finding';

/** Budget for the finding JSON: leaves room for the PutEvents envelope (source, detail-type, resources). */
export const MAX_FINDING_BYTES = 200 * 1024;

function cutStrings(value: unknown, maxChars: number): unknown {
  if (typeof value === 'string') return value.length > maxChars ? `${value.slice(0, maxChars)}…` : value;
  if (Array.isArray(value)) return value.map((v) => cutStrings(v, maxChars));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = cutStrings(v, maxChars);
    return out;
  }
  return value;
}

/** The finding and its JSON, cut to fit `maxBytes` (UTF-8). Identity fields (ids, type) are never long enough to be cut. */
export function fitFinding(finding: Finding, maxBytes = MAX_FINDING_BYTES): { finding: Finding; json: string } {
  let json = JSON.stringify(finding);
  if (Buffer.byteLength(json, 'utf8') <= maxBytes) return { finding, json };
  let maxChars = 4096;
  let cut = finding;
  while (maxChars >= 16) {
    cut = cutStrings(finding, maxChars) as Finding;
    cut = { ...cut, service: { ...cut.service, additionalInfo: { ...cut.service.additionalInfo, truncatedForSize: true } } };
    json = JSON.stringify(cut);
    if (Buffer.byteLength(json, 'utf8') <= maxBytes) return { finding: cut, json };
    maxChars = Math.floor(maxChars / 2);
  }
  return { finding: cut, json };
}
