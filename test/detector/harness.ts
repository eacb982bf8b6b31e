/** A Detector wired to aws-sdk-client-mock clients and an in-memory DynamoDB, with recorded metrics. */
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { BUILTIN_RULES } from '../../lambda/domain/detection/rules/index';
import type { Finding } from '../../lambda/domain/findings/finding';
import { Detector, type DetectorOptions } from '../../lambda/detector/detector';
import type { DetectorLog, DetectorMetrics, MetricName } from '../../lambda/detector/ports';
import type { DetectorSettings } from '../../lambda/detector/settings';
import { FakeDynamo, FINDINGS_TABLE, STATE_TABLE } from './fake-dynamo';
import { ACCOUNT, REGION } from './records';

export const BUS = 'picket-findings';
export const INTEL_BUCKET = 'picket-intel-bucket';

export const dynamo = new FakeDynamo();
export const eventsMock = mockClient(EventBridgeClient);
export const ec2Mock = mockClient(EC2Client);
export const s3Mock = mockClient(S3Client);
export const securityHubMock = mockClient(SecurityHubClient);

export class RecordedMetrics implements DetectorMetrics {
  readonly lines: { name: MetricName; value: number; dimensions: Record<string, string> }[] = [];
  count(name: MetricName, value: number, dimensions: Readonly<Record<string, string>> = {}): void {
    this.lines.push({ name, value, dimensions: { ...dimensions } });
  }
  sum(name: MetricName, dimensions: Record<string, string> = {}): number {
    return this.lines.filter((l) => l.name === name && Object.entries(dimensions).every(([k, v]) => l.dimensions[k] === v)).reduce((a, l) => a + l.value, 0);
  }
}

export class RecordedLog implements DetectorLog {
  readonly lines: { level: string; message: string; extra: Record<string, unknown> }[] = [];
  info(message: string, extra: Record<string, unknown> = {}) {
    this.lines.push({ level: 'info', message, extra });
  }
  warn(message: string, extra: Record<string, unknown> = {}) {
    this.lines.push({ level: 'warn', message, extra });
  }
  error(message: string, extra: Record<string, unknown> = {}) {
    this.lines.push({ level: 'error', message, extra });
  }
}

export function settings(overrides: Partial<DetectorSettings> = {}): DetectorSettings {
  return {
    accountId: ACCOUNT,
    region: REGION,
    partition: 'aws',
    detectorId: 'picket-test',
    stateTable: STATE_TABLE,
    findingsTable: FINDINGS_TABLE,
    findingsBus: BUS,
    updateIntervalMs: 5 * 60_000,
    securityHubExport: false,
    intelLocations: [{ bucket: INTEL_BUCKET, prefix: 'intel/' }],
    intelTtlMs: 300_000,
    suppression: { central: [] },
    ...overrides,
  };
}

/** Resets every mock and installs the default happy answers. */
export function resetMocks(): void {
  dynamo.reset();
  eventsMock.reset();
  ec2Mock.reset();
  s3Mock.reset();
  securityHubMock.reset();
  eventsMock.on(PutEventsCommand).callsFake((input: { Entries: unknown[] }) => ({ FailedEntryCount: 0, Entries: input.Entries.map((_, i) => ({ EventId: `ev-${i}` })) }));
  ec2Mock.on(DescribeInstancesCommand).callsFake((input: { InstanceIds: string[] }) => ({
    Reservations: [
      {
        Instances: input.InstanceIds.map((id) => ({
          InstanceId: id,
          InstanceType: 't3.micro',
          Placement: { AvailabilityZone: `${REGION}a` },
          IamInstanceProfile: { Arn: `arn:aws:iam::${ACCOUNT}:instance-profile/web`, Id: 'AIPA123' },
          NetworkInterfaces: [{ NetworkInterfaceId: 'eni-0123', PrivateIpAddress: '10.0.0.5', SubnetId: 'subnet-1', VpcId: 'vpc-1', Groups: [{ GroupId: 'sg-1', GroupName: 'web' }] }],
          Tags: [{ Key: 'PicketManaged', Value: 'true' }],
        })),
      },
    ],
  }));
  s3Mock.on(ListObjectsV2Command).resolves({ Contents: [] });
}

/** Serves `objects` (key → text) from the intel bucket, listing by the request's prefix as S3 does. */
export function serveIntel(objects: Record<string, string>): void {
  s3Mock.on(ListObjectsV2Command).callsFake((input: { Prefix?: string }) => ({
    Contents: Object.entries(objects)
      .filter(([Key]) => Key.startsWith(input.Prefix ?? ''))
      .map(([Key, text]) => ({ Key, Size: Buffer.byteLength(text) })),
  }));
  s3Mock.on(GetObjectCommand).callsFake((input: { Key: string }) => {
    const text = objects[input.Key];
    if (text === undefined) throw Object.assign(new Error(`NoSuchKey: ${input.Key}`), { name: 'NoSuchKey' });
    return { Body: { transformToString: async () => text } };
  });
}

export function newDetector(opts: Partial<DetectorOptions> = {}) {
  const metrics = new RecordedMetrics();
  const log = new RecordedLog();
  const detector = new Detector({
    settings: settings(),
    clients: {
      dynamo: DynamoDBDocumentClient.from(new DynamoDBClient({ region: REGION })),
      events: new EventBridgeClient({ region: REGION }),
      ec2: new EC2Client({ region: REGION }),
      s3: new S3Client({ region: REGION }),
      securityHub: new SecurityHubClient({ region: REGION }),
    },
    rules: BUILTIN_RULES,
    log,
    metrics,
    sleep: async () => {},
    seedDir: false,
    ...opts,
  });
  return { detector, metrics, log };
}

/** Every entry put on the findings bus so far. */
export function publishedEntries(): PutEventsRequestEntry[] {
  return eventsMock.commandCalls(PutEventsCommand).flatMap((c) => c.args[0].input.Entries ?? []);
}

export function publishedFindings(): Finding[] {
  return publishedEntries().map((e) => JSON.parse(e.Detail!) as Finding);
}

/** Names of the commands sent, in order, across the given mocks' history (by call order). */
export function commandOrder(): string[] {
  const calls = [
    ...dynamo.mock.calls().map((c) => ({ c, name: (c.args[0] as object).constructor.name })),
    ...eventsMock.calls().map((c) => ({ c, name: (c.args[0] as object).constructor.name })),
    ...securityHubMock.calls().map((c) => ({ c, name: (c.args[0] as object).constructor.name })),
  ];
  return calls.sort((a, b) => (a.c as unknown as { callId: number }).callId - (b.c as unknown as { callId: number }).callId).map((x) => x.name);
}
