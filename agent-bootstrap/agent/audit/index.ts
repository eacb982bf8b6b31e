/**
 * The audit parser and normaliser: raw auditd text (RAW or ENRICHED, audit.log or audisp af_unix "string"
 * output) in, runtime events of the v1 contract out. Synchronous, never throws on input, pure apart from
 * optional live enrichment from /proc (procRoot) and exe hashing.
 *
 *   const pipeline = new AuditPipeline({ instanceId, procRoot: '/proc', excludePids: [process.pid], nextSeq });
 *   for await (const { line, lineNo } of reader) for (const ev of pipeline.pushLine(line, lineNo)) send(ev);
 *   every ~250 ms:   for (const ev of pipeline.flushExpired(Date.now())) send(ev);  // events whose end never came
 *   at end of file:  pipeline.flush()
 *
 * Offline (`picket detect --format auditd`): `parseAuditText(text, { instanceId })`, or a pipeline with
 * procRoot null fed line by line; `issues` carries file line numbers for "what and where" errors.
 *
 * Events complete at EOE, or at SYSCALL+PROCTITLE (auditd 3 logs no EOE; PROCTITLE is the kernel's last record),
 * else after `reassemblyWindowMs` of audit time. Truncation to LIMITS uses lambda/domain/events/truncate.ts.
 */
export type { NormaliseOptions, ParseIssue, PipelineStats } from './options';
export { AuditPipeline, parseAuditText } from './pipeline';
export { type AuditRecord, parseAuditRecord } from './record';
export { type DecodedSockaddr, decodeSockaddr } from './sockaddr';
