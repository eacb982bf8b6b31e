/**
 * One decoder per input format: lines in, activity events out, with every unusable line reported
 * (line number and reason) while the rest keeps flowing.
 */
import { AuditPipeline } from '../../agent-bootstrap/agent/audit/index';
import { DEFAULT_FLOW_LOG_FIELDS, FlowLogFormatError, parseFlowLogHeader, parseFlowLogLine } from '../domain/agentless/flow-log';
import { parseResolverLine } from '../domain/agentless/resolver-log';
import type { ActivityEvent, RuntimeEvent } from '../domain/events/runtime-event';
import { parseRuntimeEvent } from '../domain/events/validate';
import type { InputFormat } from './input-format';

export interface DecodeIssue {
  readonly line: number;
  readonly message: string;
}

export interface EventDecoder {
  push(text: string, lineNo: number): ActivityEvent[];
  /** Everything still pending at end of input. */
  flush(): ActivityEvent[];
  /** Issues found so far (bounded by the decoder) and the total count. */
  issues(): { readonly kept: readonly DecodeIssue[]; readonly total: number };
}

export interface DecoderOptions {
  /** Instance the events of a raw audit log are attributed to (the log does not say). */
  readonly instanceId: string;
}

const MAX_KEPT_ISSUES = 100;

function activityOnly(events: readonly RuntimeEvent[]): ActivityEvent[] {
  return events.filter((e): e is ActivityEvent => e.kind !== 'heartbeat');
}

class IssueLog {
  readonly kept: DecodeIssue[] = [];
  total = 0;
  add(issue: DecodeIssue): void {
    this.total++;
    if (this.kept.length < MAX_KEPT_ISSUES) this.kept.push(issue);
  }
}

function auditDecoder(options: DecoderOptions): EventDecoder {
  const pipeline = new AuditPipeline({ instanceId: options.instanceId, procRoot: null, hashExecutables: false });
  return {
    push: (text, lineNo) => activityOnly(pipeline.pushLine(text, lineNo)),
    flush: () => activityOnly(pipeline.flush()),
    issues: () => ({
      kept: pipeline.issues.map((i) => ({ line: i.line, message: `${i.message}: ${JSON.stringify(i.text)}` })),
      total: pipeline.stats().malformed + (pipeline.stats().internalErrors ?? 0),
    }),
  };
}

function eventsDecoder(): EventDecoder {
  const log = new IssueLog();
  return {
    push(text, lineNo) {
      if (text.trim().length === 0) return [];
      const result = parseRuntimeEvent(text);
      if (!result.ok) {
        log.add({ line: lineNo, message: result.reason });
        return [];
      }
      return activityOnly([result.event]);
    },
    flush: () => [],
    issues: () => log,
  };
}

function resolverDecoder(): EventDecoder {
  const log = new IssueLog();
  let seq = 0;
  return {
    push(text, lineNo) {
      const result = parseResolverLine(text, lineNo, seq + 1);
      if (!result) return [];
      if (result.issue) log.add(result.issue);
      if (!result.event) return [];
      seq++;
      return [result.event];
    },
    flush: () => [],
    issues: () => log,
  };
}

function flowLogDecoder(): EventDecoder {
  const log = new IssueLog();
  let fields: readonly string[] = DEFAULT_FLOW_LOG_FIELDS;
  let seq = 0;
  return {
    push(text, lineNo) {
      try {
        const header = parseFlowLogHeader(text);
        if (header) {
          fields = header;
          return [];
        }
      } catch (error) {
        if (!(error instanceof FlowLogFormatError)) throw error;
        log.add({ line: lineNo, message: error.message });
        return [];
      }
      const result = parseFlowLogLine(text, lineNo, seq + 1, { fields });
      if (!result) return [];
      if ('issue' in result) log.add(result.issue);
      if (!('event' in result)) return [];
      seq++;
      return [result.event];
    },
    flush: () => [],
    issues: () => log,
  };
}

export function createDecoder(format: InputFormat, options: DecoderOptions): EventDecoder {
  switch (format) {
    case 'auditd':
      return auditDecoder(options);
    case 'events':
      return eventsDecoder();
    case 'resolver':
      return resolverDecoder();
    case 'flowlogs':
      return flowLogDecoder();
  }
}
