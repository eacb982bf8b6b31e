/**
 * One fixture per issue kind: the scheduled evaluation reads the documented response shapes of
 * DescribeInstances, DescribeInstanceInformation, DescribeInstanceAssociationsStatus, DescribeVpcEndpoints
 * and DescribeVpcAttribute (fixtures/api/<KIND>/ override the healthy base), the heartbeat handler reads
 * real agent heartbeats (fixtures/heartbeat, captured by capture-heartbeat.ts), and each kind must come
 * out as the instance's issue, in the table and in exactly one change event.
 */
import { applyHeartbeat } from '../../lambda/domain/coverage/heartbeat-state';
import { ISSUE_KINDS, type IssueKind } from '../../lambda/domain/coverage/issues';
import type { CoverageRecord } from '../../lambda/domain/coverage/record';
import { handleHeartbeat } from '../../lambda/coverage/heartbeat';
import { silentLogger } from '../../lambda/coverage/ports';
import { runScheduledEvaluation } from '../../lambda/coverage/scheduled';
import { type CoverageFakes, createCoverageFakes, fixtureFilesOf, heartbeatEnvelope, heartbeatFixture, INSTANCE, publishedDetails, recordingMetrics, SETTINGS } from './support';

const NOW = Date.parse('2026-11-29T05:40:00Z');
const MIN = 60_000;
let fakes: CoverageFakes;

beforeEach(() => {
  fakes = createCoverageFakes();
});

/** Stores the record a healthy agent heartbeat left `minutesAgo` minutes before NOW. */
function storeHeartbeat(minutesAgo: number): void {
  const applied = applyHeartbeat(undefined, heartbeatFixture('healthy'), NOW - minutesAgo * MIN);
  if (!applied.applied) throw new Error('fixture heartbeat did not apply');
  const record: CoverageRecord = {
    instanceId: INSTANCE,
    accountId: '111122223333',
    region: 'eu-west-1',
    version: 1,
    status: 'Healthy',
    issues: [],
    installMode: 'unknown',
    reporting: true,
    statusSince: new Date(NOW - minutesAgo * MIN).toISOString(),
    heartbeat: applied.state,
    updatedAt: new Date(NOW - minutesAgo * MIN).toISOString(),
  };
  fakes.table.set(INSTANCE, record);
}

async function evaluate(kind: string | undefined) {
  fakes.serveFixtures(kind);
  const metrics = recordingMetrics();
  const result = await runScheduledEvaluation(fakes.clients, SETTINGS, { nowMs: NOW, logger: silentLogger, metrics });
  return { result, metrics, record: fakes.table.get(INSTANCE) };
}

/** Kinds the describe APIs reveal; with a silent agent (none ever reported), so preconditions show. */
const DESCRIBED: readonly IssueKind[] = [
  'EXCLUDED_BY_TAG',
  'UNSUPPORTED_OS',
  'NO_INSTANCE_IDENTITY_DOCUMENT',
  'NO_INSTANCE_PROFILE',
  'SSM_NOT_MANAGED',
  'SSM_WAITING',
  'SSM_ASSOCIATION_FAILED',
  'AGENT_NOT_INSTALLED',
  'VPC_ENDPOINT_MISSING',
  'VPC_DNS_DISABLED',
];
/** Kinds the agent's heartbeat reveals: fixture file name. */
const REPORTED: Readonly<Partial<Record<IssueKind, string>>> = {
  UNSUPPORTED_KERNEL: 'unsupported-kernel',
  EVENTS_DROPPED: 'events-dropped',
  SPOOL_FILLING: 'spool-filling',
  AUDIT_EVENTS_LOST: 'audit-events-lost',
  AGENT_MEMORY_NEAR_LIMIT: 'memory-near-limit',
};

test('every kind of the catalogue is covered by a fixture below', () => {
  const covered = new Set<IssueKind>([...DESCRIBED, ...(Object.keys(REPORTED) as IssueKind[]), 'AGENT_NOT_REPORTING']);
  expect(ISSUE_KINDS.filter((k) => !covered.has(k))).toEqual([]);
  for (const kind of DESCRIBED) expect(fixtureFilesOf(kind).length).toBeGreaterThan(0);
});

test('the healthy base: a reporting agent on a supported, managed instance is Healthy (managed install)', async () => {
  storeHeartbeat(1);
  const { record, metrics } = await evaluate(undefined);
  expect(record).toMatchObject({ status: 'Healthy', issues: [], installMode: 'managed', reporting: true });
  expect(fakes.calls).toEqual([
    'EC2.DescribeInstances',
    'SSM.DescribeInstanceInformation',
    'DynamoDB.Scan',
    'EC2.DescribeVpcEndpoints',
    // install mode still unknown: associations are looked up once
    'SSM.DescribeInstanceAssociationsStatus',
    'DynamoDB.Put',
  ]);
  expect(fakes.published).toEqual([]);
  expect(metrics.summaries[0]).toMatchObject({ healthy: 1, unhealthy: 0, coveredPercent: 100, monitoredVcpuHoursByAccount: { '111122223333': (2 * 5) / 60 } });
});

describe.each(DESCRIBED)('%s from the describe APIs', (kind) => {
  test('is the issue, and exactly one change event carries it', async () => {
    const { record, metrics } = await evaluate(kind);
    expect(record?.status).toBe('Unhealthy');
    expect(record?.issue?.kind).toBe(kind);
    const details = publishedDetails(fakes);
    expect(details).toHaveLength(1);
    expect(details[0]).toMatchObject({ instanceId: INSTANCE, previousStatus: null, currentStatus: 'Unhealthy', issue: { kind } });
    expect(fakes.published[0]).toMatchObject({ Source: 'picket.coverage', DetailType: 'Picket Coverage Status Changed', EventBusName: 'picket-findings' });
    expect(metrics.summaries[0]!.byIssue[kind] ?? (kind === 'EXCLUDED_BY_TAG' ? 1 : 0)).toBe(1);
  });
});

test('SSM_ASSOCIATION_FAILED carries SSM’s reason', async () => {
  const { record } = await evaluate('SSM_ASSOCIATION_FAILED');
  expect(record?.issue?.message).toMatch(/aws:runShellScript failed with error: exit status 3/);
});

test('VPC checks: the endpoint query names the events service, DNS attributes are asked one at a time', async () => {
  await evaluate('VPC_DNS_DISABLED');
  expect(fakes.ec2.commandCalls(require('@aws-sdk/client-ec2').DescribeVpcEndpointsCommand)[0]!.args[0].input).toMatchObject({ Filters: [{ Name: 'service-name', Values: ['com.amazonaws.eu-west-1.events'] }] });
  expect(fakes.calls.filter((c) => c.startsWith('EC2.DescribeVpcAttribute'))).toEqual(['EC2.DescribeVpcAttribute(enableDnsSupport)', 'EC2.DescribeVpcAttribute(enableDnsHostnames)']);
  expect(fakes.table.get(INSTANCE)?.issue?.message).toMatch(/enableDnsHostnames off/);
});

test('AGENT_NOT_REPORTING: everything in place, but the last heartbeat is older than the stale limit', async () => {
  storeHeartbeat(SETTINGS.heartbeatStaleMinutes + 20);
  const { record } = await evaluate(undefined);
  expect(record?.issue?.kind).toBe('AGENT_NOT_REPORTING');
  expect(record?.issue?.message).toMatch(/last heartbeat 30 min ago/);
  expect(publishedDetails(fakes)).toEqual([expect.objectContaining({ previousStatus: 'Healthy', currentStatus: 'Unhealthy', issue: expect.objectContaining({ kind: 'AGENT_NOT_REPORTING' }) })]);
});

describe.each(Object.entries(REPORTED) as [IssueKind, string][])('%s from the agent heartbeat', (kind, file) => {
  test('a healthy heartbeat, then the fixture: one change event, Healthy → Unhealthy', async () => {
    const metrics = recordingMetrics();
    const first = await handleHeartbeat(fakes.clients, SETTINGS, heartbeatEnvelope(heartbeatFixture('healthy')), { nowMs: NOW - MIN, logger: silentLogger, metrics });
    expect(first.outcome).toBe('recorded');
    fakes.published.length = 0;
    const second = await handleHeartbeat(fakes.clients, SETTINGS, heartbeatEnvelope(heartbeatFixture(file)), { nowMs: NOW, logger: silentLogger, metrics });
    expect(second.outcome).toBe('recorded');
    const record = fakes.table.get(INSTANCE)!;
    expect(record.status).toBe('Unhealthy');
    expect(record.issue?.kind).toBe(kind);
    expect(publishedDetails(fakes)).toEqual([expect.objectContaining({ previousStatus: 'Healthy', currentStatus: 'Unhealthy', issue: expect.objectContaining({ kind }) })]);
  });
});
