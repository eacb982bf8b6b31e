/**
 * One CloudWatch Logs delivery (a subscription payload) to runtime events. Each log event is one
 * resolver record (JSON) or one flow-log record (space-separated, Picket's custom format unless the
 * delivery starts with a header). A record that cannot be read is reported with where it was — log
 * group, log stream, log event id and its position in the delivery — and every other record still flows.
 */
import type { DnsQueryEvent, NetEvent } from '../events/runtime-event';
import { type FlowLogContext, FlowLogFormatError, PICKET_FLOW_LOG_FIELDS, parseFlowLogHeader, parseFlowLogLine } from './flow-log';
import { parseResolverLine } from './resolver-log';
import type { CloudWatchLogsData } from './subscription';

export type AgentlessSource = 'route53-resolver' | 'vpc-flow-logs';

/** Where a malformed record was: enough to find it with `aws logs filter-log-events`. */
export interface RecordIssue {
  readonly logGroup: string;
  readonly logStream: string;
  readonly eventId: string;
  /** 1-based position of the log event in the delivery. */
  readonly line: number;
  readonly message: string;
}

export interface LogBatchResult {
  readonly source: AgentlessSource;
  readonly events: (DnsQueryEvent | NetEvent)[];
  readonly issues: RecordIssue[];
  /** Valid records that are not about an instance, NODATA/SKIPDATA, other protocols, header lines. */
  readonly skipped: number;
}

export interface LogBatchOptions {
  /** Which parser; @default sniffed from the first non-blank message (`{` = resolver JSON). */
  readonly source?: AgentlessSource;
  /** Flow-log field order when the delivery has no header. @default PICKET_FLOW_LOG_FIELDS */
  readonly flowLogFields?: readonly string[];
  /** ENI to instance, for flow-log formats without `instance-id`. */
  readonly interfaceToInstance?: ReadonlyMap<string, string>;
  /** First `seq` given to events (agentless seqs only order events within a delivery). @default 1 */
  readonly firstSeq?: number;
}

/** Resolver records are JSON objects, flow-log records space-separated text: the first byte tells. */
export function sniffSource(data: CloudWatchLogsData): AgentlessSource {
  for (const e of data.logEvents) {
    const text = typeof e?.message === 'string' ? e.message.trimStart() : '';
    if (text.length > 0) return text.startsWith('{') ? 'route53-resolver' : 'vpc-flow-logs';
  }
  return 'vpc-flow-logs';
}

export function parseLogBatch(data: CloudWatchLogsData, options: LogBatchOptions = {}): LogBatchResult {
  const source = options.source ?? sniffSource(data);
  // CloudWatch checking the destination: nothing to read, nothing malformed.
  if (data.messageType === 'CONTROL_MESSAGE') return { source, events: [], issues: [], skipped: data.logEvents.length };
  const events: (DnsQueryEvent | NetEvent)[] = [];
  const issues: RecordIssue[] = [];
  let skipped = 0;
  let seq = options.firstSeq ?? 1;
  let flowCtx: FlowLogContext = { fields: options.flowLogFields ?? PICKET_FLOW_LOG_FIELDS, ...(options.interfaceToInstance ? { interfaceToInstance: options.interfaceToInstance } : {}) };
  const where = (index: number, eventId: unknown) => ({ logGroup: data.logGroup, logStream: data.logStream, eventId: typeof eventId === 'string' ? eventId : '?', line: index + 1 });

  data.logEvents.forEach((logEvent, index) => {
    const message = logEvent?.message;
    if (typeof message !== 'string') {
      issues.push({ ...where(index, logEvent?.id), message: 'log event has no text message' });
      return;
    }
    if (source === 'route53-resolver') {
      const result = parseResolverLine(message, index + 1, seq);
      if (result === null || result.skipped) skipped++;
      else if (result.issue) issues.push({ ...where(index, logEvent.id), message: result.issue.message });
      else if (result.event) {
        events.push(result.event);
        seq++;
      }
      return;
    }
    let header: string[] | null;
    try {
      header = parseFlowLogHeader(message);
    } catch (error) {
      if (!(error instanceof FlowLogFormatError)) throw error;
      issues.push({ ...where(index, logEvent.id), message: error.message });
      return;
    }
    if (header) {
      flowCtx = { ...flowCtx, fields: header };
      skipped++;
      return;
    }
    const result = parseFlowLogLine(message, index + 1, seq, flowCtx);
    if (result === null || 'skipped' in result) skipped++;
    else if ('issue' in result) issues.push({ ...where(index, logEvent.id), message: result.issue.message });
    else {
      events.push(result.event);
      seq++;
    }
  });
  return { source, events, issues, skipped };
}
