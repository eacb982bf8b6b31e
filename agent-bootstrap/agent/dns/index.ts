/**
 * Host DNS capture through systemd-resolved (docs/agent-dns.md): `resolvectl monitor --json=short` lines to
 * `dns_query` runtime events, attributed to the asking process from the audit trail where it allows.
 */
export { type AttributionOptions, type DnsAttribution, DnsAttributor } from './attribution';
export { type DnsAvailability, type DnsCapture, type DnsCaptureMode, type DnsCaptureOptions, type DnsCaptureStats, dnsCaptureAvailability, startDnsCapture } from './dns-capture';
export { type DnsAttributionField, DnsPipeline, type DnsPipelineOptions, type DnsPipelineStats, type ResolvedDnsEvent } from './dns-pipeline';
export { type MonitorParseIssue, type MonitorRecord, parseMonitorLine } from './monitor-record';
export { type DnsObservation, observationsOf } from './observations';
export { type MonitorLine, ResolvectlSource, type ResolvectlSourceOptions } from './resolvectl-source';
