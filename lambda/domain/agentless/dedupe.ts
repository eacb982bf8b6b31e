/**
 * One finding per activity, whoever saw it. The agent and the VPC logs can both see the same thing
 * (a query for a C2 domain, a connection to a mining pool); the agent's finding is richer (process,
 * lineage, command line), so it stays the finding and the log source is recorded on it. A finding
 * that only the logs saw says so: `service.additionalInfo.logsOnly: true`.
 *
 * Correlation key: (instance, type without the `!DNS` suffix, indicator). The indicator is the rule's
 * aggregation key (the queried name or registrable domain, the remote address, the port), lowercased.
 * Dropping `!DNS` lets a resolver-log `C&CActivity.B!DNS` and an agent `C&CActivity.B` about the same
 * indicator meet (GuardDuty's two spellings of one verdict).
 */
import type { Finding } from '../findings/finding';
import type { AgentlessSource } from './log-batch';

/** Who saw a finding: the host agent or a VPC log. */
export type FindingSource = 'agent' | AgentlessSource;

/** What is recorded per source on a merged finding. */
export interface SourceSighting {
  readonly findingId: string;
  readonly type: string;
  readonly featureName: Finding['service']['featureName'];
  readonly count: number;
  readonly firstSeen: string;
  readonly lastSeen: string;
}

const SOURCES: readonly FindingSource[] = ['agent', 'route53-resolver', 'vpc-flow-logs'];

function isSource(value: unknown): value is FindingSource {
  return typeof value === 'string' && (SOURCES as readonly string[]).includes(value);
}

/** The indicator a finding is about (its aggregation key), normalised for comparison. */
export function findingIndicator(finding: Finding): string {
  const key = finding.service.additionalInfo?.aggregationKey;
  return typeof key === 'string' ? key.trim().toLowerCase().replace(/\.$/, '') : finding.id;
}

/** (instance, type without `!DNS`, indicator) joined by `|`: equal keys are one activity. */
export function correlationKey(finding: Finding): string {
  return [finding.resource.instanceDetails.instanceId, finding.type.replace(/!DNS$/, ''), findingIndicator(finding)].join('|');
}

/** The sources recorded on a finding; without a record, inferred from its featureName. */
export function findingSources(finding: Finding): FindingSource[] {
  const recorded = finding.service.additionalInfo?.sources;
  if (Array.isArray(recorded) && recorded.length > 0 && recorded.every(isSource)) return [...recorded];
  const feature = finding.service.featureName;
  return [feature === 'DnsLogs' ? 'route53-resolver' : feature === 'FlowLogs' ? 'vpc-flow-logs' : 'agent'];
}

/** True when no agent saw it: only resolver or flow logs. */
export function isLogsOnly(finding: Finding): boolean {
  return !findingSources(finding).includes('agent');
}

/** Marks a finding raised from VPC logs: `additionalInfo.sources` and `logsOnly: true`. */
export function markLogsOnly(finding: Finding, source: AgentlessSource): Finding {
  return {
    ...finding,
    service: { ...finding.service, additionalInfo: { ...finding.service.additionalInfo, sources: [source], logsOnly: true } },
  };
}

function sighting(finding: Finding): SourceSighting {
  return {
    findingId: finding.id,
    type: finding.type,
    featureName: finding.service.featureName,
    count: finding.service.count,
    firstSeen: finding.service.eventFirstSeen,
    lastSeen: finding.service.eventLastSeen,
  };
}

function sightingsOf(finding: Finding): Partial<Record<FindingSource, SourceSighting>> {
  const recorded = finding.service.additionalInfo?.sourceSightings;
  if (recorded && typeof recorded === 'object') return { ...(recorded as Partial<Record<FindingSource, SourceSighting>>) };
  const own: Partial<Record<FindingSource, SourceSighting>> = {};
  for (const s of findingSources(finding)) own[s] = sighting(finding);
  return own;
}

/** ISO 8601 UTC times order as strings. */
function earlierIso(a: string, b: string): string {
  return [a, b].sort()[0]!;
}

function laterIso(a: string, b: string): string {
  return [a, b].sort()[1]!;
}

function laterSighting(a: SourceSighting | undefined, b: SourceSighting): SourceSighting {
  if (!a) return b;
  return {
    findingId: a.findingId,
    type: a.type,
    featureName: a.featureName,
    count: Math.max(a.count, b.count),
    firstSeen: earlierIso(a.firstSeen, b.firstSeen),
    lastSeen: laterIso(a.lastSeen, b.lastSeen),
  };
}

/** Thrown when asked to merge findings about different activities. */
export class FindingMergeError extends Error {
  constructor(existing: Finding, incoming: Finding) {
    super(`cannot merge finding ${incoming.id} (${correlationKey(incoming)}) into ${existing.id} (${correlationKey(existing)}): different correlation keys`);
    this.name = 'FindingMergeError';
  }
}

/**
 * Merges `incoming` (the same activity seen by another source, or a later state of it) into
 * `existing`. The agent's finding is kept as the document (id, type, process detail); the other
 * source is recorded in `additionalInfo.sources` and `additionalInfo.sourceSightings` (per source:
 * its own finding id, type, count, first and last seen). Times widen, severity is the higher one,
 * `service.count` is the primary source's count (the two sources count the same activity, so adding
 * them would double it). Idempotent: merging the same incoming again changes nothing.
 */
export function mergeSourceFinding(existing: Finding, incoming: Finding): Finding {
  if (correlationKey(existing) !== correlationKey(incoming)) throw new FindingMergeError(existing, incoming);
  const existingIsAgent = !isLogsOnly(existing);
  const incomingIsAgent = !isLogsOnly(incoming);
  // The agent's document wins; between equals, the one already stored (its id is what automation saw).
  const primary = incomingIsAgent && !existingIsAgent ? incoming : existing;
  const other = primary === existing ? incoming : existing;

  const sightings = sightingsOf(existing);
  for (const [source, seen] of Object.entries(sightingsOf(incoming)) as [FindingSource, SourceSighting][]) {
    sightings[source] = laterSighting(sightings[source], seen);
  }
  const sources = SOURCES.filter((s) => sightings[s] !== undefined);
  const primarySources = new Set(findingSources(primary));
  const primaryCount = Math.max(primary.service.count, ...sources.filter((s) => primarySources.has(s)).map((s) => sightings[s]!.count));
  const min = earlierIso;
  const max = laterIso;
  const mergedIds = new Set<string>([...((primary.service.additionalInfo?.mergedFindingIds as string[] | undefined) ?? []), ...(other.id !== primary.id ? [other.id] : [])]);
  const { logsOnly: _drop, ...primaryInfo } = primary.service.additionalInfo ?? {};
  const logsOnly = !sources.includes('agent');
  return {
    ...primary,
    severity: Math.max(primary.severity, other.severity),
    createdAt: min(existing.createdAt, incoming.createdAt),
    updatedAt: max(existing.updatedAt, incoming.updatedAt),
    service: {
      ...primary.service,
      count: primaryCount,
      eventFirstSeen: min(existing.service.eventFirstSeen, incoming.service.eventFirstSeen),
      eventLastSeen: max(existing.service.eventLastSeen, incoming.service.eventLastSeen),
      additionalInfo: {
        ...primaryInfo,
        sources,
        sourceSightings: sightings,
        ...(logsOnly ? { logsOnly: true } : {}),
        ...(mergedIds.size > 0 ? { mergedFindingIds: [...mergedIds].sort() } : {}),
      },
    },
  };
}

/** The finding among `stored` that `incoming` correlates with, preferring an agent finding. */
export function findCorrelated(stored: readonly Finding[], incoming: Finding): Finding | undefined {
  const key = correlationKey(incoming);
  const matches = stored.filter((f) => correlationKey(f) === key);
  return matches.find((f) => !isLogsOnly(f)) ?? matches[0];
}
