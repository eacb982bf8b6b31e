/**
 * PicketDetector template: function runtime and architecture, the SQS event source with
 * ReportBatchItemFailures, both tables (encryption, PITR, TTL, GSI), least-privilege IAM (the exact
 * PutEvents condition), the intel bucket and the alarms. One synth, bundling skipped.
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { PicketDetector } from '../../lib/detector';
import { PicketFindingsBus } from '../../lib/findings-bus';
import { DETECTOR_ENV } from '../../lambda/detector/settings';

const app = new App({ context: { 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });
const stack = new Stack(app, 'DetectorTest', { env: { account: '111122223333', region: 'eu-west-1' } });
const dlq = new sqs.Queue(stack, 'Dlq', { enforceSSL: true });
const queue = new sqs.Queue(stack, 'Queue', { enforceSSL: true, visibilityTimeout: Duration.seconds(360), deadLetterQueue: { queue: dlq, maxReceiveCount: 5 } });
const findings = new PicketFindingsBus(stack, 'Findings');
const detector = new PicketDetector(stack, 'Detector', {
  queue,
  deadLetterQueue: dlq,
  findingsBus: findings,
  detector: { findingUpdateIntervalMinutes: 15, securityHubExport: true, threatListBuckets: ['corp-threat-lists'], timeoutSeconds: 60 },
  suppression: { central: [{ name: 'lab', action: 'ARCHIVE', criterion: { 'resource.instanceDetails.tags.key': { eq: ['Lab'] } } }] },
});
const template = Template.fromStack(stack);
const ref = (c: { node: { defaultChild?: unknown } }) => stack.getLogicalId(c.node.defaultChild as never);

test('the function is Node 22 on arm64 with the settings variable, tracing and JSON logs', () => {
  template.hasResourceProperties('AWS::Lambda::Function', {
    Runtime: 'nodejs22.x',
    Architectures: ['arm64'],
    Timeout: 60,
    MemorySize: 1024,
    TracingConfig: { Mode: 'Active' },
    LoggingConfig: Match.objectLike({ LogFormat: 'JSON' }),
    Environment: { Variables: Match.objectLike({ [DETECTOR_ENV.settings]: Match.anyValue(), POWERTOOLS_SERVICE_NAME: 'picket-detector' }) },
  });
});

test('the settings carry the interval, the Security Hub flag, intel locations and the suppression rules', () => {
  const fn = template.findResources('AWS::Lambda::Function', { Properties: { Environment: { Variables: { [DETECTOR_ENV.settings]: Match.anyValue() } } } });
  const raw = JSON.stringify(Object.values(fn)[0]);
  expect(raw).toContain('\\"updateIntervalMs\\":900000');
  expect(raw).toContain('\\"securityHubExport\\":true');
  expect(raw).toContain('corp-threat-lists');
  expect(raw).toContain('\\"name\\":\\"lab\\"');
  expect(raw).toContain('\\"customRulesLocation\\":{\\"bucket\\":\\"');
  expect(raw).toContain('\\"prefix\\":\\"sigma/\\"}');
});

test('the queue feeds the function with partial batch responses', () => {
  template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
    EventSourceArn: { 'Fn::GetAtt': [ref(queue), 'Arn'] },
    FunctionName: { Ref: ref(detector.function) },
    BatchSize: 10,
    FunctionResponseTypes: ['ReportBatchItemFailures'],
  });
});

test('the state table: key instanceId, TTL expiresAt, encrypted, PITR', () => {
  template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
    KeySchema: [{ AttributeName: 'instanceId', KeyType: 'HASH' }],
    TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    SSESpecification: { SSEEnabled: true },
    Replicas: [Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true }, DeletionProtectionEnabled: true })],
  });
});

test('the findings table: key id, GSI byInstance (instanceId, updatedAt), sparse pendingUpdates, encrypted, PITR', () => {
  template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
    KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    GlobalSecondaryIndexes: [
      { IndexName: 'byInstance', KeySchema: [{ AttributeName: 'instanceId', KeyType: 'HASH' }, { AttributeName: 'updatedAt', KeyType: 'RANGE' }], Projection: { ProjectionType: 'ALL' } },
      { IndexName: 'pendingUpdates', KeySchema: [{ AttributeName: 'pendingShard', KeyType: 'HASH' }, { AttributeName: 'lastPublishedAt', KeyType: 'RANGE' }], Projection: { ProjectionType: 'ALL' } },
    ],
    SSESpecification: { SSEEnabled: true },
    Replicas: [Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } })],
  });
});

test('the intel bucket is encrypted, versioned, private and SSL-only', () => {
  template.hasResourceProperties('AWS::S3::Bucket', {
    VersioningConfiguration: { Status: 'Enabled' },
    BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
    PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
  });
  template.hasResourceProperties('AWS::S3::BucketPolicy', {
    Bucket: { Ref: ref(detector.intelBucket) },
    PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
  });
});

function statements(): Record<string, unknown>[] {
  const policies = template.findResources('AWS::IAM::Policy');
  const roleRef = ref(detector.role);
  return Object.values(policies)
    .filter((p) => JSON.stringify(p).includes(roleRef))
    .flatMap((p) => (p as { Properties: { PolicyDocument: { Statement: Record<string, unknown>[] } } }).Properties.PolicyDocument.Statement);
}

test('PutEvents only on the findings bus and only as picket.detector', () => {
  const put = statements().filter((s) => JSON.stringify(s['Action']).includes('events:PutEvents'));
  expect(put).toHaveLength(1);
  expect(put[0]).toMatchObject({
    Action: 'events:PutEvents',
    Effect: 'Allow',
    Resource: { 'Fn::GetAtt': [ref(findings.bus), 'Arn'] },
    Condition: { StringEquals: { 'events:source': 'picket.detector' } },
  });
});

test('DynamoDB actions only on the two tables (and the byInstance index); nothing broader', () => {
  const dynamo = statements().filter((s) => JSON.stringify(s['Action']).includes('dynamodb:'));
  expect(dynamo).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem'], Resource: { 'Fn::GetAtt': [ref(detector.stateTable), 'Arn'] } }),
      expect.objectContaining({ Action: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:BatchGetItem'], Resource: { 'Fn::GetAtt': [ref(detector.findingsTable), 'Arn'] } }),
      expect.objectContaining({
        Action: 'dynamodb:Query',
        Resource: [
          { 'Fn::Join': ['', [{ 'Fn::GetAtt': [ref(detector.findingsTable), 'Arn'] }, '/index/byInstance']] },
          { 'Fn::Join': ['', [{ 'Fn::GetAtt': [ref(detector.findingsTable), 'Arn'] }, '/index/pendingUpdates']] },
        ],
      }),
    ]),
  );
  expect(dynamo).toHaveLength(3);
  for (const s of statements()) expect(JSON.stringify(s['Action'])).not.toMatch(/\*"/);
});

test('S3 reads only under intel/ and (own bucket only) sigma/; DescribeInstances is the only action on "*"; Security Hub only on the default product', () => {
  const all = statements();
  const gets = all.filter((s) => s['Action'] === 's3:GetObject');
  expect(gets.map((g) => g['Sid']).sort()).toEqual(['ReadCustomRules', 'ReadIntelLists']);
  const intelGet = gets.find((g) => g['Sid'] === 'ReadIntelLists')!;
  expect(JSON.stringify(intelGet['Resource'])).toContain('/intel/*');
  expect(JSON.stringify(intelGet['Resource'])).toContain('arn:');
  const rulesGet = gets.find((g) => g['Sid'] === 'ReadCustomRules')!;
  expect(rulesGet['Resource']).toEqual({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [ref(detector.intelBucket), 'Arn'] }, '/sigma/*']] });
  const lists = all.filter((s) => s['Action'] === 's3:ListBucket');
  expect(lists.map((l) => l['Condition']).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))).toEqual([
    { StringLike: { 's3:prefix': ['intel/*'] } },
    { StringLike: { 's3:prefix': ['sigma/*'] } },
  ]);
  const star = all.filter((s) => s['Resource'] === '*');
  expect(star.flatMap((s) => [s['Action']].flat()).sort()).toEqual(['ec2:DescribeInstances', 'xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
  const hub = all.find((s) => s['Action'] === 'securityhub:BatchImportFindings')!;
  expect(JSON.stringify(hub['Resource'])).toContain(':product/');
  expect(JSON.stringify(hub['Resource'])).toContain('/default');
});

test('alarms: DLQ depth > 0, errors, throttles, oldest message age', () => {
  template.hasResourceProperties('AWS::CloudWatch::Alarm', {
    MetricName: 'ApproximateNumberOfMessagesVisible',
    Namespace: 'AWS/SQS',
    Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [ref(dlq), 'QueueName'] } }],
    Threshold: 1,
    ComparisonOperator: 'GreaterThanOrEqualToThreshold',
  });
  for (const metric of ['Errors', 'Throttles']) {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: metric,
      Namespace: 'AWS/Lambda',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: ref(detector.function) } }],
      Threshold: 1,
    });
  }
  template.hasResourceProperties('AWS::CloudWatch::Alarm', {
    MetricName: 'ApproximateAgeOfOldestMessage',
    Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [ref(queue), 'QueueName'] } }],
    Threshold: 300,
    ComparisonOperator: 'GreaterThanThreshold',
  });
  expect(detector.alarms).toHaveLength(4);
});

test('a schedule every interval flushes pending updates', () => {
  template.hasResourceProperties('AWS::Events::Rule', {
    ScheduleExpression: 'rate(15 minutes)',
    Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [ref(detector.function), 'Arn'] } })],
  });
});

test('props are validated first, with the prop, the value and the fix', () => {
  const s = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Bad');
  const q = new sqs.Queue(s, 'Q');
  const bus = new PicketFindingsBus(s, 'B');
  expect(() => new PicketDetector(s, 'D1', { queue: q, deadLetterQueue: q, findingsBus: bus, batchSize: 50 })).toThrow(/PicketDetectorProps\.batchSize: got 50; expected an integer from 1 to 20/);
  expect(() => new PicketDetector(s, 'D2', { queue: q, deadLetterQueue: q, findingsBus: bus, updateIntervalMinutes: -1 })).toThrow(/updateIntervalMinutes.*Fix:/);
  expect(() => new PicketDetector(s, 'D3', { queue: q, deadLetterQueue: q, findingsBus: bus, suppression: { central: [{ name: 'x', action: 'ARCHIVE', criterion: {} }] } })).toThrow(/PicketDetectorProps\.suppression/);
});
