/**
 * Builds the GuardDuty-shaped finding for a rule's candidate: process and lineage from the actor
 * event, context and action from the candidate, catalogue title/severity/feature for the type.
 */
import type { ActivityEvent, ProcessInfo } from '../events/runtime-event';
import type { FindingTypeInfo } from '../findings/catalogue';
import type { Finding, FindingProcess, InstanceDetails } from '../findings/finding';
import { FINDING_SCHEMA_VERSION } from '../findings/finding';
import type { FindingCandidate } from './rule';

export interface FindingIdentity {
  readonly accountId: string;
  readonly region: string;
  readonly partition: string;
  readonly detectorId: string;
  readonly id: string;
  readonly arn: string;
}

/** Longest description kept; host-derived text is cut, never dropped whole. */
const MAX_DESCRIPTION = 2048;
const MAX_COMMAND_LINE = 8192;

export function baseName(path: string): string {
  const clean = path.endsWith(' (deleted)') ? path.slice(0, -' (deleted)'.length) : path;
  const slash = clean.lastIndexOf('/');
  return slash >= 0 ? clean.slice(slash + 1) : clean;
}

function commandLine(p: ProcessInfo): string | undefined {
  if (p.argv.length === 0) return undefined;
  const line = p.argv.join(' ');
  return line.length > MAX_COMMAND_LINE ? line.slice(0, MAX_COMMAND_LINE) : line;
}

export function findingProcess(event: ActivityEvent): FindingProcess {
  const p = event.process;
  const lineage = event.lineage.map((a, i) => ({
    name: baseName(a.exe),
    pid: a.pid,
    executablePath: a.exe,
    ...(a.startTime !== undefined ? { startTime: a.startTime } : {}),
    ...(a.uuid !== undefined ? { uuid: a.uuid } : {}),
    ...(a.uid !== undefined ? { userId: a.uid } : {}),
    ...(a.euid !== undefined ? { euid: a.euid } : {}),
    ...(event.lineage[i + 1]?.uuid !== undefined ? { parentUuid: event.lineage[i + 1].uuid } : {}),
  }));
  const cmd = commandLine(p);
  return {
    name: baseName(p.exe),
    executablePath: p.exe,
    ...(p.sha256 !== undefined ? { executableSha256: p.sha256 } : {}),
    pwd: p.cwd,
    pid: p.pid,
    ...(p.startTime !== undefined ? { startTime: p.startTime } : {}),
    uuid: p.uuid,
    ...(event.lineage[0]?.uuid !== undefined ? { parentUuid: event.lineage[0].uuid } : {}),
    ...(p.user !== undefined ? { user: p.user } : {}),
    userId: p.uid,
    euid: p.euid,
    ...(cmd !== undefined ? { commandLine: cmd } : {}),
    lineage,
  };
}

/** GuardDuty's featureName from the sensor that saw the event (agentless sources are DNS / flow logs). */
export function featureNameFor(event: ActivityEvent, info: FindingTypeInfo): Finding['service']['featureName'] {
  if (event.sensor === 'route53-resolver') return 'DnsLogs';
  if (event.sensor === 'vpc-flow-logs') return 'FlowLogs';
  return info.featureName;
}

export function clampSeverity(severity: number): number {
  if (!Number.isFinite(severity)) return 5;
  return Math.min(10, Math.max(1, Math.round(severity * 10) / 10));
}

export function buildFinding(
  identity: FindingIdentity,
  info: FindingTypeInfo,
  candidate: FindingCandidate,
  event: ActivityEvent,
  ruleId: string,
  instanceDetails: InstanceDetails,
): Finding {
  const actor = candidate.actor ?? event;
  const description =
    candidate.description.length > MAX_DESCRIPTION ? `${candidate.description.slice(0, MAX_DESCRIPTION - 1)}…` : candidate.description;
  const additionalInfo: Record<string, unknown> = {
    ruleId,
    aggregationKey: candidate.aggregationKey,
    firstSeq: event.seq,
    ...(event.sensor !== undefined ? { sensors: [event.sensor] } : {}),
    ...(actor.process.container !== undefined ? { container: actor.process.container } : {}),
    ...(candidate.evidence !== undefined ? { evidence: candidate.evidence } : {}),
  };
  return {
    schemaVersion: FINDING_SCHEMA_VERSION,
    accountId: identity.accountId,
    region: identity.region,
    partition: identity.partition,
    id: identity.id,
    arn: identity.arn,
    type: info.type,
    severity: clampSeverity(candidate.severity ?? info.defaultSeverity),
    title: info.title,
    description,
    createdAt: event.ts,
    updatedAt: event.ts,
    resource: { resourceType: 'Instance', instanceDetails },
    service: {
      serviceName: 'picket',
      detectorId: identity.detectorId,
      archived: false,
      count: 1,
      eventFirstSeen: event.ts,
      eventLastSeen: event.ts,
      resourceRole: info.resourceRole,
      featureName: featureNameFor(event, info),
      runtimeDetails: {
        process: findingProcess(actor),
        ...(candidate.context !== undefined ? { context: candidate.context } : {}),
      },
      ...(candidate.action !== undefined ? { action: candidate.action } : {}),
      additionalInfo,
    },
  };
}
