/**
 * The audit parser and normaliser: raw auditd text (RAW or ENRICHED, audit.log or audisp af_unix output) in,
 * runtime events of the v1 contract out. Pure apart from optional live enrichment from /proc (procRoot).
 *
 *   const pipeline = new AuditPipeline({ instanceId, procRoot: '/proc' });
 *   for await (const { line, lineNo } of reader) for (const ev of pipeline.pushLine(line, lineNo)) send(ev);
 *   ...periodically: pipeline.flushExpired(Date.now())  // emits events whose EOE never came
 *   at end of file: pipeline.flush()
 */
export type { NormaliseOptions, ParseIssue, PipelineStats } from './options';
export { AuditPipeline, parseAuditText } from './pipeline';
export { parseAuditRecord, type AuditRecord } from './record';
export { decodeSockaddr, type DecodedSockaddr } from './sockaddr';
