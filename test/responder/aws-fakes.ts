/**
 * Test doubles for the responder: aws-sdk-client-mock mocks per client, a DynamoDB document client
 * backed by a Map (honouring the optimistic-lock conditions the store uses), describe responses for
 * a described instance, and the global order of every call across clients (sinon call ids).
 */
import { AutoScalingClient, DescribeAutoScalingInstancesCommand, DetachInstancesCommand } from '@aws-sdk/client-auto-scaling';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CreateSnapshotsCommand,
  DescribeIamInstanceProfileAssociationsCommand,
  DescribeInstancesCommand,
  type DescribeInstancesCommandOutput,
  EC2Client,
  ReplaceIamInstanceProfileAssociationCommand,
} from '@aws-sdk/client-ec2';
import { DescribeTargetGroupsCommand, DescribeTargetHealthCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetInstanceProfileCommand, IAMClient } from '@aws-sdk/client-iam';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { GetCommandInvocationCommand, SSMClient, SendCommandCommand } from '@aws-sdk/client-ssm';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import type { ResponderClients } from '../../lambda/responder/clients';
import type { ResponderSettings } from '../../lambda/responder/settings';
import { DEFAULT_RESPONSE_CONFIG, type ResponseConfig } from '../../lambda/domain/isolation/response-config';

// Safety net: should a client ever be left unmocked, fail on credentials instead of asking the EC2
// metadata service (tests talk to nothing but loopback).
process.env['AWS_EC2_METADATA_DISABLED'] = 'true';

export const ACCOUNT = '111122223333';
export const REGION = 'eu-west-1';
export const INSTANCE = 'i-0abc1234def567890';
export const VPC = 'vpc-0a1b2c3d';
export const ENIS = ['eni-0000000000000000a', 'eni-0000000000000000b', 'eni-0000000000000000c'];
export const ORIGINAL_GROUPS: Record<string, string[]> = {
  [ENIS[0]!]: ['sg-web', 'sg-ssh'],
  [ENIS[1]!]: ['sg-db-client'],
  [ENIS[2]!]: ['sg-mgmt', 'sg-monitoring'],
};
export const ALLOW_ALL_SG = 'sg-picket-allow-all';
export const ISOLATION_SG = 'sg-picket-isolation';
export const ASG = 'web-asg';
export const TG_ARN = `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:targetgroup/web/0123456789abcdef`;
export const OTHER_TG_ARN = `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:targetgroup/api/fedcba9876543210`;
export const PROFILE_ARN = `arn:aws:iam::${ACCOUNT}:instance-profile/web-profile`;
export const QUARANTINE_PROFILE_ARN = `arn:aws:iam::${ACCOUNT}:instance-profile/picket-quarantine`;
export const ROLE = 'web-role';
export const ORIGINAL_ASSOCIATION = 'iip-assoc-original0001';
export const QUARANTINE_ASSOCIATION = 'iip-assoc-quarantine01';
export const BUCKET = 'picket-evidence';
export const TABLE = 'picket-response-state';
export const BUS = 'picket-findings';
export const NOW = new Date('2026-11-29T05:00:00.000Z');

export function settings(config: Partial<ResponseConfig> = {}, extra: Partial<ResponderSettings> = {}): ResponderSettings {
  return {
    identity: { accountId: ACCOUNT, region: REGION },
    partition: 'aws',
    config: { ...DEFAULT_RESPONSE_CONFIG, mode: 'auto', ...config },
    targets: {
      groupsByVpc: { [VPC]: { allowAllGroupId: ALLOW_ALL_SG, isolationGroupId: ISOLATION_SG } },
      quarantineProfileArn: QUARANTINE_PROFILE_ARN,
      evidenceBucket: BUCKET,
      stateTable: TABLE,
      forensics: config.forensics ?? false,
    },
    eventBusName: BUS,
    untrackSettleSeconds: 5,
    ...extra,
  };
}

/** A Picket finding event as the detector puts it (shape of lambda/domain/findings/finding.ts). */
export function findingEvent(overrides: { source?: string; detailType?: string; account?: string; detail?: Record<string, unknown>; tags?: { key: string; value: string }[] } = {}) {
  const detail = {
    schemaVersion: '2.0',
    accountId: ACCOUNT,
    region: REGION,
    partition: 'aws',
    id: 'f0e1d2c3b4a5968778695a4b3c2d1e0f',
    arn: `arn:aws:picket:${REGION}:${ACCOUNT}:finding/f0e1d2c3b4a5968778695a4b3c2d1e0f`,
    type: 'Execution:Runtime/ReverseShell',
    severity: 8,
    title: 'Reverse shell',
    description: 'A process with a socket as stdin/stdout ran a shell.',
    createdAt: '2026-11-29T04:58:00.000Z',
    updatedAt: '2026-11-29T04:59:30.000Z',
    resource: {
      resourceType: 'Instance',
      instanceDetails: {
        instanceId: INSTANCE,
        instanceState: 'running',
        iamInstanceProfile: { arn: PROFILE_ARN, id: 'AIPAEXAMPLE' },
        networkInterfaces: ENIS.map((id) => ({ networkInterfaceId: id, vpcId: VPC, securityGroups: ORIGINAL_GROUPS[id]!.map((groupId) => ({ groupId })) })),
        tags: overrides.tags ?? [
          { key: 'Name', value: 'web-1' },
          { key: 'aws:autoscaling:groupName', value: ASG },
        ],
      },
    },
    service: { serviceName: 'picket', detectorId: 'picket', archived: false, count: 1, eventFirstSeen: '2026-11-29T04:58:00.000Z', eventLastSeen: '2026-11-29T04:59:30.000Z', resourceRole: 'TARGET', featureName: 'RuntimeMonitoring' },
    ...overrides.detail,
  };
  return {
    version: '0',
    id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
    'detail-type': overrides.detailType ?? 'Picket Runtime Finding',
    source: overrides.source ?? 'picket.detector',
    account: overrides.account ?? ACCOUNT,
    time: '2026-11-29T04:59:31Z',
    region: REGION,
    resources: [],
    detail,
  };
}

export interface Fakes {
  readonly clients: ResponderClients;
  readonly ec2: AwsClientStub<EC2Client>;
  readonly autoScaling: AwsClientStub<AutoScalingClient>;
  readonly elbv2: AwsClientStub<ElasticLoadBalancingV2Client>;
  readonly iam: AwsClientStub<IAMClient>;
  readonly ssm: AwsClientStub<SSMClient>;
  readonly s3: AwsClientStub<S3Client>;
  readonly dynamo: AwsClientStub<DynamoDBDocumentClient>;
  readonly events: AwsClientStub<EventBridgeClient>;
  readonly sfn: AwsClientStub<SFNClient>;
  /** The DynamoDB table contents, by pk. */
  readonly table: Map<string, Record<string, unknown>>;
  /** The S3 objects written, by key. */
  readonly objects: Map<string, string>;
}

export interface InstanceShape {
  readonly state?: string;
  readonly tags?: { Key: string; Value: string }[];
  readonly inAutoScalingGroup?: boolean;
}

const conditionFailed = () => Object.assign(new Error('The conditional request failed'), { name: 'ConditionalCheckFailedException' });

/**
 * Creates (and resets) every mock, wired to describe the test instance. `global` mocks the client
 * classes (every instance, e.g. those a Lambda handler module creates) instead of fresh instances.
 */
export function createFakes(shape: InstanceShape = {}, options: { global?: boolean } = {}): Fakes {
  const clients: ResponderClients = {
    ec2: new EC2Client({ region: REGION }),
    autoScaling: new AutoScalingClient({ region: REGION }),
    elbv2: new ElasticLoadBalancingV2Client({ region: REGION }),
    iam: new IAMClient({ region: REGION }),
    ssm: new SSMClient({ region: REGION }),
    s3: new S3Client({ region: REGION }),
    dynamo: DynamoDBDocumentClient.from(new DynamoDBClient({ region: REGION })),
    events: new EventBridgeClient({ region: REGION }),
    sfn: new SFNClient({ region: REGION }),
  };
  const g = options.global ?? false;
  const fakes: Fakes = {
    clients,
    ec2: mockClient(g ? EC2Client : clients.ec2),
    autoScaling: mockClient(g ? AutoScalingClient : clients.autoScaling),
    elbv2: mockClient(g ? ElasticLoadBalancingV2Client : clients.elbv2),
    iam: mockClient(g ? IAMClient : clients.iam),
    ssm: mockClient(g ? SSMClient : clients.ssm),
    s3: mockClient(g ? S3Client : clients.s3),
    dynamo: mockClient(g ? DynamoDBDocumentClient : clients.dynamo),
    events: mockClient(g ? EventBridgeClient : clients.events),
    sfn: mockClient(g ? SFNClient : clients.sfn),
    table: new Map(),
    objects: new Map(),
  };
  wireDescribes(fakes, shape);
  return fakes;
}

/** DescribeInstances output for the test instance (three ENIs, two volumes, a profile). */
export function describeInstancesResponse(shape: InstanceShape = {}): Omit<DescribeInstancesCommandOutput, '$metadata'> {
  const tags = shape.tags ?? [
    { Key: 'Name', Value: 'web-1' },
    { Key: 'aws:autoscaling:groupName', Value: ASG },
  ];
  return {
    Reservations: [
      {
        OwnerId: ACCOUNT,
        Instances: [
          {
            InstanceId: INSTANCE,
            VpcId: VPC,
            State: { Name: (shape.state ?? 'running') as 'running' },
            IamInstanceProfile: { Arn: PROFILE_ARN, Id: 'AIPAEXAMPLE' },
            Tags: tags,
            BlockDeviceMappings: [
              { DeviceName: '/dev/xvda', Ebs: { VolumeId: 'vol-0root', DeleteOnTermination: true, Status: 'attached' } },
              { DeviceName: '/dev/sdf', Ebs: { VolumeId: 'vol-0data', DeleteOnTermination: false, Status: 'attached' } },
            ],
            NetworkInterfaces: ENIS.map((id, i) => ({
              NetworkInterfaceId: id,
              VpcId: VPC,
              Attachment: { DeviceIndex: i },
              Groups: ORIGINAL_GROUPS[id]!.map((GroupId) => ({ GroupId })),
            })).reverse(), // EC2 does not promise device order; the capture sorts
          },
        ],
      },
    ],
  };
}

export function wireDescribes(fakes: Fakes, shape: InstanceShape = {}): void {
  fakes.ec2.on(DescribeInstancesCommand).resolves(describeInstancesResponse(shape));
  fakes.ec2.on(DescribeIamInstanceProfileAssociationsCommand).resolves({
    IamInstanceProfileAssociations: [{ AssociationId: ORIGINAL_ASSOCIATION, InstanceId: INSTANCE, State: 'associated', IamInstanceProfile: { Arn: PROFILE_ARN } }],
  });
  fakes.ec2.on(ReplaceIamInstanceProfileAssociationCommand).resolves({ IamInstanceProfileAssociation: { AssociationId: QUARANTINE_ASSOCIATION, State: 'associating' } });
  fakes.ec2.on(CreateSnapshotsCommand).resolves({ Snapshots: [{ SnapshotId: 'snap-0root', VolumeId: 'vol-0root' }, { SnapshotId: 'snap-0data', VolumeId: 'vol-0data' }] });
  fakes.iam.on(GetInstanceProfileCommand).resolves({
    InstanceProfile: { InstanceProfileName: 'web-profile', InstanceProfileId: 'AIPAEXAMPLE', Arn: PROFILE_ARN, Path: '/', CreateDate: NOW, Roles: [{ RoleName: ROLE, RoleId: 'AROAEXAMPLE', Arn: `arn:aws:iam::${ACCOUNT}:role/${ROLE}`, Path: '/', CreateDate: NOW }] },
  });
  fakes.autoScaling.on(DescribeAutoScalingInstancesCommand).resolves({
    AutoScalingInstances: shape.inAutoScalingGroup === false ? [] : [{ InstanceId: INSTANCE, AutoScalingGroupName: ASG, AvailabilityZone: `${REGION}a`, LifecycleState: 'InService', HealthStatus: 'HEALTHY', ProtectedFromScaleIn: false }],
  });
  fakes.elbv2.on(DescribeTargetGroupsCommand).resolves({
    TargetGroups: [
      { TargetGroupArn: TG_ARN, VpcId: VPC, TargetType: 'instance', Port: 80 },
      { TargetGroupArn: OTHER_TG_ARN, VpcId: VPC, TargetType: 'instance', Port: 8080 },
      { TargetGroupArn: `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:targetgroup/other-vpc/1111`, VpcId: 'vpc-other', TargetType: 'instance', Port: 80 },
    ],
  });
  fakes.elbv2
    .on(DescribeTargetHealthCommand, { TargetGroupArn: TG_ARN })
    .resolves({ TargetHealthDescriptions: [{ Target: { Id: INSTANCE, Port: 80 }, TargetHealth: { State: 'healthy' } }] })
    .on(DescribeTargetHealthCommand, { TargetGroupArn: OTHER_TG_ARN })
    .resolves({ TargetHealthDescriptions: [{ Target: { Id: INSTANCE, Port: 8080 }, TargetHealth: { State: 'unused', Reason: 'Target.NotRegistered' } }] });
  fakes.autoScaling.on(DetachInstancesCommand).resolves({ Activities: [{ ActivityId: 'act-detach', AutoScalingGroupName: ASG, Cause: 'detach', StartTime: NOW, StatusCode: 'InProgress' }] });
  fakes.ssm.on(SendCommandCommand).resolves({ Command: { CommandId: 'cmd-0forensics' } });
  fakes.ssm.on(GetCommandInvocationCommand).resolves({ Status: 'Success' });
  fakes.s3.on(PutObjectCommand).callsFake((input: { Key: string; Body: string }) => {
    fakes.objects.set(input.Key, input.Body);
    return { VersionId: `v${fakes.objects.size}` };
  });
  fakes.events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e' }] });
  fakes.dynamo.on(GetCommand).callsFake((input: { Key: { pk: string } }) => {
    const item = fakes.table.get(input.Key.pk);
    return { Item: item ? structuredClone(item) : undefined };
  });
  fakes.dynamo.on(PutCommand).callsFake((input: { Item: Record<string, unknown> & { pk: string }; ConditionExpression?: string; ExpressionAttributeValues?: Record<string, unknown> }) => {
    const existing = fakes.table.get(input.Item.pk);
    const condition = input.ConditionExpression ?? '';
    const expected = input.ExpressionAttributeValues?.[':v'];
    const ok = !condition || (existing === undefined ? condition.includes('attribute_not_exists(pk)') : existing['version'] === expected);
    if (!ok) throw conditionFailed();
    fakes.table.set(input.Item.pk, structuredClone(JSON.parse(JSON.stringify(input.Item))));
    return {};
  });
}

/** Every call to every mocked client, in the order they were made: `Client.Command` plus input. */
export function callSequence(fakes: Fakes): { name: string; input: Record<string, unknown> }[] {
  const stubs = [fakes.ec2, fakes.autoScaling, fakes.elbv2, fakes.iam, fakes.ssm, fakes.s3, fakes.dynamo, fakes.events, fakes.sfn];
  const all = stubs.flatMap((stub) =>
    stub.calls().map((call) => {
      const command = call.args[0] as { constructor: { name: string }; input: Record<string, unknown> };
      return { id: (call as unknown as { callId: number }).callId, name: command.constructor.name.replace(/Command$/, ''), input: command.input };
    }),
  );
  return all.sort((a, b) => a.id - b.id).map(({ name, input }) => ({ name, input }));
}

/** The names of commands that change AWS state (anything not a read or an event put). */
export const MUTATING_COMMANDS = [
  'ModifyInstanceAttribute',
  'ModifyNetworkInterfaceAttribute',
  'CreateSnapshots',
  'CreateTags',
  'ReplaceIamInstanceProfileAssociation',
  'DetachInstances',
  'AttachInstances',
  'DeregisterTargets',
  'RegisterTargets',
  'PutRolePolicy',
  'DeleteRolePolicy',
  'SendCommand',
  'PutObject',
  'Put',
];

export function mutatingCalls(fakes: Fakes) {
  return callSequence(fakes).filter((c) => MUTATING_COMMANDS.includes(c.name));
}

/** The detail of every Picket Response Action event put, in order. */
export function actionEvents(fakes: Fakes): Record<string, unknown>[] {
  return fakes.events.commandCalls(PutEventsCommand).flatMap((c) => (c.args[0].input.Entries ?? []).map((e) => ({ detailType: e.DetailType, source: e.Source, ...JSON.parse(e.Detail ?? '{}') })));
}

export const noSleep = async () => {};
