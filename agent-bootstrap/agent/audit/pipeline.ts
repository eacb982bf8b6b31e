/**
 * AuditPipeline: lines in, runtime events out. Line → record (record.ts) → event by serial (reassembler.ts) →
 * runtime event (normaliser.ts). Synchronous and never throws on input: a line it cannot read becomes a
 * ParseIssue (the first `maxIssues` kept, all counted) and everything else carries on.
 */
import type { RuntimeEvent } from '../../../lambda/domain/events/runtime-event';
import { Normaliser } from './normaliser';
import type { NormaliseOptions, ParseIssue, PipelineStats } from './options';
import { type AssembledEvent, Reassembler } from './reassembler';
import { lastRecordError, readAuditRecord } from './record';

const DEFAULT_WINDOW_MS = 2000;
const ISSUE_TEXT_CHARS = 200;

export class AuditPipeline {
  private readonly reassembler: Reassembler;
  private readonly normaliser: Normaliser;
  private readonly issueList: ParseIssue[] = [];
  private readonly maxIssues: number;
  private readonly assembled: AssembledEvent[] = [];
  private lines = 0;
  private records = 0;
  private events = 0;
  private malformed = 0;
  private internalErrors = 0;

  constructor(opts: NormaliseOptions) {
    this.reassembler = new Reassembler(opts.reassemblyWindowMs ?? DEFAULT_WINDOW_MS);
    this.normaliser = new Normaliser(opts);
    this.maxIssues = opts.maxIssues ?? 100;
  }

  /** The first `maxIssues` unreadable lines (stats().malformed counts all of them). */
  get issues(): readonly ParseIssue[] {
    return this.issueList;
  }

  /** Feeds one raw line (with or without its newline); returns the events it completed. */
  pushLine(line: string, lineNo?: number): RuntimeEvent[] {
    this.lines++;
    const n = lineNo ?? this.lines;
    if (typeof line !== 'string') {
      this.issue(n, 'not a string', String(line));
      return [];
    }
    let text = line;
    // Char codes rather than endsWith: this runs for every line.
    const last = text.length > 0 ? text.charCodeAt(text.length - 1) : 0;
    if (last === 0x0a) text = text.slice(0, text.length > 1 && text.charCodeAt(text.length - 2) === 0x0d ? -2 : -1);
    else if (last === 0x0d) text = text.slice(0, -1);
    let first = 0;
    while (first < text.length && (text.charCodeAt(first) === 0x20 || text.charCodeAt(first) === 0x09)) first++;
    if (first === text.length || text.charCodeAt(first) === 0x23) return []; // blank or # comment
    const record = readAuditRecord(text);
    if (!record) {
      this.issue(n, lastRecordError, text);
      return [];
    }
    this.records++;
    this.reassembler.push(record, this.assembled);
    return this.drain();
  }

  /** Releases events whose records stopped arriving `reassemblyWindowMs` before `nowMs` (ms since the epoch). */
  flushExpired(nowMs: number): RuntimeEvent[] {
    this.reassembler.expire(nowMs, this.assembled);
    return this.drain();
  }

  /** Emits everything still pending (end of file, shutdown). */
  flush(): RuntimeEvent[] {
    this.reassembler.flush(this.assembled);
    return this.drain();
  }

  stats(): PipelineStats {
    const n = this.normaliser.stats;
    return {
      lines: this.lines,
      records: this.records,
      events: this.events,
      malformed: this.malformed,
      lostRecords: this.reassembler.lateRecords + n.orphanRecords,
      ...(n.auditLost !== undefined ? { auditLost: n.auditLost } : {}),
      ...(n.auditBacklog !== undefined ? { auditBacklog: n.auditBacklog } : {}),
      ...(this.internalErrors > 0 ? { internalErrors: this.internalErrors } : {}),
    };
  }

  /** Processes in the process table (for the heartbeat and memory checks). */
  get processCount(): number {
    return this.normaliser.table.size;
  }

  private drain(): RuntimeEvent[] {
    if (this.assembled.length === 0) return [];
    const out: RuntimeEvent[] = [];
    for (const event of this.assembled) {
      try {
        const ev = this.normaliser.normalise(event);
        if (ev) out.push(ev);
      } catch (err) {
        // A bug of ours must not stop the agent: report the event's first record and carry on.
        this.internalErrors++;
        this.issue(0, `internal error normalising event ${event.key}: ${(err as Error).message}`, '');
      }
    }
    this.assembled.length = 0;
    this.events += out.length;
    return out;
  }

  private issue(line: number, message: string, text: string): void {
    this.malformed++;
    if (this.issueList.length < this.maxIssues) this.issueList.push({ line, message, text: text.slice(0, ISSUE_TEXT_CHARS) });
  }
}

/** Parses a whole log text (offline by default) and returns its events and the lines it could not read. */
export function parseAuditText(text: string, opts: NormaliseOptions): { events: RuntimeEvent[]; issues: ParseIssue[] } {
  const pipeline = new AuditPipeline(opts);
  const events: RuntimeEvent[] = [];
  let lineNo = 0;
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    lineNo++;
    if (end > start || end < text.length) for (const ev of pipeline.pushLine(text.slice(start, end), lineNo)) events.push(ev);
    start = end + 1;
  }
  for (const ev of pipeline.flush()) events.push(ev);
  return { events, issues: [...pipeline.issues] };
}
