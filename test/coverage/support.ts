/**
 * Test doubles for coverage: aws-sdk-client-mock mocks per client (reset per test by `createCoverageFakes`),
 * answers read from the API fixtures (test/coverage/fixtures/api, shaped as the documented responses),
 * a coverage table backed by a Map that honours the store's conditions, and one log of every AWS call
 * in order across clients.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeInstancesCommand, DescribeVpcAttributeCommand, DescribeVpcEndpointsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { DescribeInstanceAssociationsStatusCommand, DescribeInstanceInformationCommand, SSMClient } from '@aws-sdk/client-ssm';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import type { HeartbeatDeltas } from '../../lambda/domain/coverage/heartbeat-state';
import type { CoverageRecord } from '../../lambda/domain/coverage/record';
import { DEFAULT_COVERAGE_SETTINGS } from '../../lambda/domain/coverage/settings';
import type { CoverageSummary } from '../../lambda/domain/coverage/summary';
import { encodeBatch } from '../../lambda/domain/events/batch';
import { DETAIL_TYPE_HEARTBEAT, type HeartbeatEvent } from '../../lambda/domain/events/runtime-event';
import type { CoverageClients } from '../../lambda/coverage/clients';
import type { CoverageMetricsPort } from '../../lambda/coverage/ports';
import type { CoverageHandlerSettings } from '../../lambda/coverage/settings';

process.env['AWS_EC2_METADATA_DISABLED'] = 'true';

export const ACCOUNT = '111122223333';
export const REGION = 'eu-west-1';
export const INSTANCE = 'i-0a1b2c3d4e5f60718';
export const TABLE = 'picket-coverage-test';
export const BUS = 'picket-findings';
const FIXTURES = path.join(__dirname, 'fixtures');

export const SETTINGS: CoverageHandlerSettings = {
  ...DEFAULT_COVERAGE_SETTINGS,
  tableName: TABLE,
  eventBusName: BUS,
  region: REGION,
  partition: 'aws',
  eventsEndpointServiceName: `com.amazonaws.${REGION}.events`,
  associationConcurrency: 4,
  writeConcurrency: 8,
};

export type ApiName =
  | 'describe-instances'
  | 'describe-instance-information'
  | 'describe-instance-associations-status'
  | 'describe-vpc-endpoints'
  | 'describe-vpc-attribute-enableDnsSupport'
  | 'describe-vpc-attribute-enableDnsHostnames';

/** The fixture of `api` for an issue kind: the kind's own file when it has one, else the healthy base. */
export function apiFixture<T = Record<string, unknown>>(api: ApiName, kind?: string): T {
  const own = kind ? path.join(FIXTURES, 'api', kind, `${api}.json`) : undefined;
  const file = own && exists(own) ? own : path.join(FIXTURES, 'api', 'base', `${api}.json`);
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

/** Which API files an issue kind overrides (proves each kind has its own fixture). */
export function fixtureFilesOf(kind: string): string[] {
  try {
    return require('node:fs').readdirSync(path.join(FIXTURES, 'api', kind)) as string[];
  } catch {
    return [];
  }
}

function exists(file: string): boolean {
  try {
    readFileSync(file);
    return true;
  } catch {
    return false;
  }
}

export function heartbeatFixture(name: string): HeartbeatEvent {
  return JSON.parse(readFileSync(path.join(FIXTURES, 'heartbeat', `${name}.json`), 'utf8')) as HeartbeatEvent;
}

/** The EventBridge event the heartbeat rule delivers for `heartbeat`, sent by `sourceInstance`. */
export function heartbeatEnvelope(heartbeat: HeartbeatEvent, options: { sourceInstance?: string; account?: string; detailInstance?: string; detailType?: string } = {}): Record<string, unknown> {
  const detail = encodeBatch([heartbeat]);
  return {
    version: '0',
    id: `hb-${heartbeat.seq}`,
    'detail-type': options.detailType ?? DETAIL_TYPE_HEARTBEAT,
    source: `picket.agent/arn:aws:ec2:${REGION}:${ACCOUNT}:instance/${options.sourceInstance ?? heartbeat.instanceId}`,
    account: options.account ?? ACCOUNT,
    time: '2026-11-29T05:00:00Z',
    region: REGION,
    resources: [],
    detail: options.detailInstance ? { ...detail, instanceId: options.detailInstance } : detail,
  };
}

export interface RecordingMetrics extends CoverageMetricsPort {
  readonly summaries: CoverageSummary[];
  readonly heartbeats: HeartbeatDeltas[];
  readonly rejections: number[];
}

export function recordingMetrics(): RecordingMetrics {
  const summaries: CoverageSummary[] = [];
  const heartbeats: HeartbeatDeltas[] = [];
  const rejections: number[] = [];
  return {
    summaries,
    heartbeats,
    rejections,
    coverage: (s) => summaries.push(s),
    heartbeat: (d) => heartbeats.push(d),
    rejected: (n) => rejections.push(n),
  };
}

export interface CoverageFakes {
  readonly clients: CoverageClients;
  readonly ec2: AwsClientStub<EC2Client>;
  readonly ssm: AwsClientStub<SSMClient>;
  readonly dynamo: AwsClientStub<DynamoDBDocumentClient>;
  readonly events: AwsClientStub<EventBridgeClient>;
  /** Every AWS call in order, as "Client.Command". */
  readonly calls: string[];
  readonly table: Map<string, CoverageRecord>;
  /** Every entry put on the bus, in order. */
  readonly published: PutEventsRequestEntry[];
  /** Serve the fixtures of `kind` (base for the APIs it does not override). */
  serveFixtures(kind?: string): void;
}

function conditionHolds(stored: CoverageRecord | undefined, input: { ConditionExpression?: string; ExpressionAttributeValues?: Record<string, unknown> }): boolean {
  const cond = input.ConditionExpression;
  if (cond === undefined) return true;
  if (cond === 'attribute_not_exists(instanceId)') return stored === undefined;
  if (cond === '#version = :expected') return stored !== undefined && stored.version === input.ExpressionAttributeValues?.[':expected'];
  throw new Error(`fake table: unsupported condition ${cond}`);
}

function conditionFailed(): Error {
  const error = new Error('The conditional request failed');
  error.name = 'ConditionalCheckFailedException';
  return error;
}

/** Fresh mocks (reset), an empty table and an empty call log. Call in beforeEach. */
export function createCoverageFakes(): CoverageFakes {
  const ec2Client = new EC2Client({ region: REGION });
  const ssmClient = new SSMClient({ region: REGION });
  const docClient = DynamoDBDocumentClient.from(new DynamoDBClient({ region: REGION }));
  const eventsClient = new EventBridgeClient({ region: REGION });
  const ec2 = mockClient(ec2Client);
  const ssm = mockClient(ssmClient);
  const dynamo = mockClient(docClient);
  const events = mockClient(eventsClient);
  for (const m of [ec2, ssm, dynamo, events]) m.reset();
  const calls: string[] = [];
  const table = new Map<string, CoverageRecord>();
  const published: PutEventsRequestEntry[] = [];
  const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

  dynamo.on(GetCommand).callsFake((input) => {
    calls.push('DynamoDB.Get');
    const item = table.get(input.Key.instanceId);
    return { Item: item ? clone(item) : undefined };
  });
  dynamo.on(ScanCommand).callsFake((input) => {
    calls.push('DynamoDB.Scan');
    // Pages of 100 items, to exercise LastEvaluatedKey.
    const items = [...table.values()].sort((a, b) => a.instanceId.localeCompare(b.instanceId));
    const start = input.ExclusiveStartKey ? items.findIndex((i) => i.instanceId === input.ExclusiveStartKey.instanceId) + 1 : 0;
    const page = items.slice(start, start + 100);
    const last = start + 100 < items.length ? { instanceId: page[page.length - 1]!.instanceId } : undefined;
    return { Items: page.map(clone), ...(last ? { LastEvaluatedKey: last } : {}) };
  });
  dynamo.on(PutCommand).callsFake((input) => {
    calls.push('DynamoDB.Put');
    const item = input.Item as CoverageRecord;
    if (!conditionHolds(table.get(item.instanceId), input)) throw conditionFailed();
    table.set(item.instanceId, clone(item));
    return {};
  });
  dynamo.on(DeleteCommand).callsFake((input) => {
    calls.push('DynamoDB.Delete');
    if (!conditionHolds(table.get(input.Key.instanceId), input)) throw conditionFailed();
    table.delete(input.Key.instanceId);
    return {};
  });
  dynamo.on(UpdateCommand).callsFake((input) => {
    calls.push('DynamoDB.Update');
    if (input.UpdateExpression !== 'REMOVE pendingChange' || input.ConditionExpression !== 'pendingChange.changedAt = :changedAt') {
      throw new Error(`fake table: unsupported update ${input.UpdateExpression} / ${input.ConditionExpression}`);
    }
    const stored = table.get(input.Key.instanceId);
    if (stored === undefined || stored.pendingChange?.changedAt !== input.ExpressionAttributeValues[':changedAt']) throw conditionFailed();
    const { pendingChange: _published, ...rest } = stored;
    table.set(input.Key.instanceId, rest);
    return {};
  });
  events.on(PutEventsCommand).callsFake((input) => {
    calls.push('EventBridge.PutEvents');
    published.push(...(input.Entries ?? []));
    return { FailedEntryCount: 0, Entries: (input.Entries ?? []).map((_: unknown, i: number) => ({ EventId: `evt-${published.length + i}` })) };
  });

  const serveFixtures = (kind?: string): void => {
    ec2.on(DescribeInstancesCommand).callsFake(() => {
      calls.push('EC2.DescribeInstances');
      return apiFixture('describe-instances', kind);
    });
    ssm.on(DescribeInstanceInformationCommand).callsFake(() => {
      calls.push('SSM.DescribeInstanceInformation');
      return apiFixture('describe-instance-information', kind);
    });
    ssm.on(DescribeInstanceAssociationsStatusCommand).callsFake(() => {
      calls.push('SSM.DescribeInstanceAssociationsStatus');
      return apiFixture('describe-instance-associations-status', kind);
    });
    ec2.on(DescribeVpcEndpointsCommand).callsFake(() => {
      calls.push('EC2.DescribeVpcEndpoints');
      return apiFixture('describe-vpc-endpoints', kind);
    });
    ec2.on(DescribeVpcAttributeCommand).callsFake((input) => {
      calls.push(`EC2.DescribeVpcAttribute(${input.Attribute})`);
      return apiFixture(`describe-vpc-attribute-${input.Attribute}` as ApiName, kind);
    });
  };

  return { clients: { ec2: ec2Client, ssm: ssmClient, dynamo: docClient, events: eventsClient }, ec2, ssm, dynamo, events, calls, table, published, serveFixtures };
}

/** The details of the published coverage change events. */
export function publishedDetails(fakes: CoverageFakes): Record<string, unknown>[] {
  return fakes.published.map((e) => JSON.parse(e.Detail ?? '{}') as Record<string, unknown>);
}
