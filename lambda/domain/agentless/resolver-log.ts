/**
 * Route 53 Resolver query logs (JSON, one record per line or per CloudWatch Logs message) to
 * `dns_query` runtime events attributed to the instance in `srcids.instance`.
 * Format: https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resolver-query-logs-format.html
 * (versions 1.x; minor versions only add fields, so unknown fields are ignored).
 */
import type { DnsQueryEvent } from '../events/runtime-event';
import { type LogParseIssue, UNKNOWN_PROCESS } from './log-process';

export interface ResolverRecord {
  readonly version?: string;
  readonly account_id?: string;
  readonly region?: string;
  readonly vpc_id?: string;
  readonly query_timestamp: string;
  readonly query_name: string;
  readonly query_type: string;
  readonly query_class?: string;
  readonly rcode?: string;
  readonly answers?: readonly { readonly Rdata?: string; readonly Type?: string; readonly Class?: string }[];
  readonly srcaddr?: string;
  readonly srcport?: string;
  readonly transport?: string;
  readonly srcids?: { readonly instance?: string; readonly resolver_endpoint?: string };
}

export type ResolverParseResult =
  | { readonly ok: true; readonly event: DnsQueryEvent; readonly record: ResolverRecord }
  /** `skip` marks records that are valid but not about an instance (e.g. queries via a resolver endpoint). */
  | { readonly ok: false; readonly skip: boolean; readonly message: string };

const INSTANCE_ID = /^i-[0-9a-f]{8,17}$/;

function isString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

/** Validate one parsed JSON value as a resolver record and turn it into an event. */
export function resolverRecordToEvent(value: unknown, seq: number): ResolverParseResult {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, skip: false, message: 'not a JSON object' };
  }
  const record = value as Record<string, unknown>;
  for (const field of ['query_timestamp', 'query_name', 'query_type'] as const) {
    if (!isString(record[field])) return { ok: false, skip: false, message: `missing or empty "${field}"` };
  }
  const ts = Date.parse(record.query_timestamp as string);
  if (Number.isNaN(ts)) {
    return { ok: false, skip: false, message: `"query_timestamp" is not an ISO 8601 time: ${JSON.stringify(record.query_timestamp).slice(0, 60)}` };
  }
  const srcids = record.srcids as ResolverRecord['srcids'] | undefined;
  const instanceId = srcids?.instance;
  if (!isString(instanceId)) return { ok: false, skip: true, message: 'no srcids.instance (query not from an EC2 instance)' };
  if (!INSTANCE_ID.test(instanceId)) return { ok: false, skip: false, message: `srcids.instance is not an instance id: ${instanceId.slice(0, 40)}` };

  const typed = record as unknown as ResolverRecord;
  const answers = Array.isArray(typed.answers)
    ? typed.answers.map((a) => (typeof a?.Rdata === 'string' ? a.Rdata.replace(/\.$/, '') : '')).filter((a) => a.length > 0)
    : [];
  const event: DnsQueryEvent = {
    v: 1,
    kind: 'dns_query',
    ts: new Date(ts).toISOString(),
    instanceId,
    seq,
    process: UNKNOWN_PROCESS,
    lineage: [],
    sensor: 'route53-resolver',
    dns: {
      query: typed.query_name.replace(/\.$/, '').toLowerCase(),
      qtype: typed.query_type,
      ...(isString(typed.rcode) ? { rcode: typed.rcode } : {}),
      answers,
    },
  };
  return { ok: true, event, record: typed };
}

/** Parse one text line of a resolver log; blank lines are skipped (null). */
export function parseResolverLine(line: string, lineNo: number, seq: number): { event?: DnsQueryEvent; issue?: LogParseIssue; skipped?: boolean } | null {
  const text = line.trim();
  if (text.length === 0) return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { issue: { line: lineNo, message: `not JSON: ${(error as Error).message}` } };
  }
  const result = resolverRecordToEvent(value, seq);
  if (result.ok) return { event: result.event };
  if (result.skip) return { skipped: true };
  return { issue: { line: lineNo, message: result.message } };
}
