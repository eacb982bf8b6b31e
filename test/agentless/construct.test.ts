/**
 * PicketAgentless template: the resolver query log config and its VPC associations, the flow logs
 * (Picket's format fields, aggregation, destination), both encrypted log groups with retention, the
 * subscription filters to the function, the delivery role scoped to its group, the function's IAM.
 * One synth, bundling skipped.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { PICKET_FLOW_LOG_FORMAT, PicketAgentless } from '../../lib/agentless';
import { PicketFindingsBus } from '../../lib/findings-bus';
import { AGENTLESS_ENV } from '../../lambda/agentless/settings';
import { PICKET_FLOW_LOG_FIELDS } from '../../lambda/domain/agentless/flow-log';
import { PropError } from '../../lib/prop-validation';

const app = new App({ context: { 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });
const stack = new Stack(app, 'AgentlessTest', { env: { account: '111122223333', region: 'eu-west-1' } });
const vpcA = ec2.Vpc.fromVpcAttributes(stack, 'VpcA', { vpcId: 'vpc-0aaaaaaaaaaaaaaa1', availabilityZones: ['eu-west-1a'] });
const vpcB = ec2.Vpc.fromVpcAttributes(stack, 'VpcB', { vpcId: 'vpc-0bbbbbbbbbbbbbbb2', availabilityZones: ['eu-west-1a'] });
const vpcC = ec2.Vpc.fromVpcAttributes(stack, 'VpcC', { vpcId: 'vpc-0ccccccccccccccc3', availabilityZones: ['eu-west-1a'] });
const findings = new PicketFindingsBus(stack, 'Findings');
const agentless = new PicketAgentless(stack, 'Agentless', {
  // A: both; B: query logs only (flow logs default off); C: opted out of query logs, flow logs on.
  vpcs: [{ vpc: vpcA, flowLogs: true }, { vpc: vpcB }, { vpc: vpcC, resolverQueryLogs: false, flowLogs: true }],
  findingsBus: findings,
  findingsTableName: 'picket-findings-table',
  coverageTableName: 'picket-coverage',
  skipHealthyInstances: true,
});
const template = Template.fromStack(stack);
const ref = (c: { node: { defaultChild?: unknown } }) => stack.getLogicalId(c.node.defaultChild as never);

test('one resolver query log config delivering to the encrypted query log group', () => {
  template.resourceCountIs('AWS::Route53Resolver::ResolverQueryLoggingConfig', 1);
  template.hasResourceProperties('AWS::Route53Resolver::ResolverQueryLoggingConfig', {
    DestinationArn: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(':log-group:'), { Ref: ref(agentless.queryLogGroup!) }])] },
  });
});

test('an association per VPC with query logging on, and none for the opted-out VPC', () => {
  template.resourceCountIs('AWS::Route53Resolver::ResolverQueryLoggingConfigAssociation', 2);
  for (const vpcId of ['vpc-0aaaaaaaaaaaaaaa1', 'vpc-0bbbbbbbbbbbbbbb2']) {
    template.hasResourceProperties('AWS::Route53Resolver::ResolverQueryLoggingConfigAssociation', {
      ResolverQueryLogConfigId: { 'Fn::GetAtt': [stack.getLogicalId(agentless.queryLogConfig!), 'Id'] },
      ResourceId: vpcId,
    });
  }
});

test("flow logs on the VPCs that asked, in Picket's format, to the flow log group through the delivery role", () => {
  template.resourceCountIs('AWS::EC2::FlowLog', 2);
  expect(PICKET_FLOW_LOG_FORMAT.split(' ')).toEqual(PICKET_FLOW_LOG_FIELDS.map((f) => `\${${f}}`));
  for (const vpcId of ['vpc-0aaaaaaaaaaaaaaa1', 'vpc-0ccccccccccccccc3']) {
    template.hasResourceProperties('AWS::EC2::FlowLog', {
      ResourceId: vpcId,
      ResourceType: 'VPC',
      TrafficType: 'ALL',
      LogDestinationType: 'cloud-watch-logs',
      LogGroupName: { Ref: ref(agentless.flowLogGroup!) },
      DeliverLogsPermissionArn: { 'Fn::GetAtt': [ref(agentless.flowLogRole!), 'Arn'] },
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the literal LogFormat AWS reads, not a template
      LogFormat: '${version} ${account-id} ${region} ${vpc-id} ${subnet-id} ${instance-id} ${interface-id} ${flow-direction} ${srcaddr} ${dstaddr} ${pkt-srcaddr} ${pkt-dstaddr} ${srcport} ${dstport} ${protocol} ${tcp-flags} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}',
      MaxAggregationInterval: 60,
    });
  }
});

test('both log groups are KMS-encrypted with a rotating key and have a retention', () => {
  for (const group of [agentless.queryLogGroup!, agentless.flowLogGroup!]) {
    template.hasResource('AWS::Logs::LogGroup', {
      Properties: { RetentionInDays: 30, KmsKeyId: { 'Fn::GetAtt': [stack.getLogicalId(agentless.encryptionKey.node.defaultChild as never), 'Arn'] } },
      DeletionPolicy: 'Retain',
    });
    expect(template.toJSON().Resources[ref(group)]).toBeDefined();
  }
  template.hasResourceProperties('AWS::KMS::Key', {
    EnableKeyRotation: true,
    KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'logs.eu-west-1.amazonaws.com' }, Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': Match.anyValue() } } })]) },
  });
});

test('the flow-log delivery role: assumed by VPC Flow Logs of this account only, writes only its group', () => {
  template.hasResourceProperties('AWS::IAM::Role', {
    AssumeRolePolicyDocument: {
      Statement: [Match.objectLike({ Principal: { Service: 'vpc-flow-logs.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': '111122223333' }, ArnLike: { 'aws:SourceArn': Match.anyValue() } } })],
    },
  });
  const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: ref(agentless.flowLogRole!) }] } });
  const statements = Object.values(policies).flatMap((p) => p.Properties.PolicyDocument.Statement);
  expect(statements).toEqual([
    { Sid: 'WriteFlowLogGroupOnly', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'], Resource: { 'Fn::GetAtt': [ref(agentless.flowLogGroup!), 'Arn'] } },
  ]);
});

test('resolver delivery may write the query log group, for this account only', () => {
  const policies = Object.values(template.findResources('AWS::Logs::ResourcePolicy'));
  expect(policies).toHaveLength(1);
  // The document is a Fn::Join (it names the group): read its literal parts and references.
  const doc = JSON.stringify(policies[0].Properties.PolicyDocument);
  expect(doc).toContain('\\"Service\\":\\"delivery.logs.amazonaws.com\\"');
  expect(doc).toContain('\\"Action\\":[\\"logs:CreateLogStream\\",\\"logs:PutLogEvents\\"]');
  expect(doc).toContain('\\"aws:SourceAccount\\":\\"111122223333\\"');
  expect(doc).toContain(`{"Ref":"${ref(agentless.queryLogGroup!)}"}`);
  expect(doc).toContain(':log-stream:*');
});

test('both groups subscribe the function with every event', () => {
  template.resourceCountIs('AWS::Logs::SubscriptionFilter', 2);
  for (const group of [agentless.queryLogGroup!, agentless.flowLogGroup!]) {
    template.hasResourceProperties('AWS::Logs::SubscriptionFilter', { LogGroupName: { Ref: ref(group) }, FilterPattern: '', DestinationArn: { 'Fn::GetAtt': [ref(agentless.function), 'Arn'] } });
  }
  template.hasResourceProperties('AWS::Lambda::Permission', { Action: 'lambda:InvokeFunction', Principal: 'logs.amazonaws.com', SourceArn: { 'Fn::GetAtt': [ref(agentless.flowLogGroup!), 'Arn'] } });
});

test('the function: Node 22 on arm64, settings naming the tables and the health switch', () => {
  template.hasResourceProperties('AWS::Lambda::Function', {
    Runtime: 'nodejs22.x',
    Architectures: ['arm64'],
    TracingConfig: { Mode: 'Active' },
    Environment: { Variables: Match.objectLike({ [AGENTLESS_ENV.settings]: Match.anyValue(), POWERTOOLS_SERVICE_NAME: 'picket-agentless' }) },
  });
  const raw = JSON.stringify(template.findResources('AWS::Lambda::Function', { Properties: { Environment: { Variables: { [AGENTLESS_ENV.settings]: Match.anyValue() } } } }));
  expect(raw).toContain('\\"findingsTable\\":\\"picket-findings-table\\"');
  expect(raw).toContain('\\"skipHealthyInstances\\":true');
  expect(raw).toContain('\\"coverageTable\\":\\"picket-coverage\\"');
});

test('the function role: PutEvents only as picket.detector, the findings table and index, GetItem on coverage', () => {
  const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: ref(agentless.role) }] } });
  const statements = Object.values(policies).flatMap((p) => p.Properties.PolicyDocument.Statement);
  expect(statements).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ Action: 'events:PutEvents', Condition: { StringEquals: { 'events:source': 'picket.detector' } } }),
      expect.objectContaining({ Sid: 'MergeWithAgentFindings', Action: ['dynamodb:PutItem', 'dynamodb:BatchGetItem'] }),
      expect.objectContaining({ Sid: 'FindingsByInstance', Action: 'dynamodb:Query' }),
      expect.objectContaining({ Sid: 'ReadAgentHealth', Action: 'dynamodb:GetItem' }),
    ]),
  );
  const actions = statements.flatMap((s: { Action: string | string[] }) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
  expect(actions.filter((a: string) => a.endsWith('*') || a === 'dynamodb:DeleteItem' || a === 'dynamodb:Scan')).toEqual([]);
});

test('props are validated first, naming the prop', () => {
  const s = new Stack(new App(), 'Bad');
  const bus = new PicketFindingsBus(s, 'F');
  expect(() => new PicketAgentless(s, 'A', { vpcs: [], findingsBus: bus, skipHealthyInstances: true })).toThrow(PropError);
  expect(() => new PicketAgentless(s, 'B', { vpcs: [], findingsBus: bus, skipHealthyInstances: true })).toThrow(/skipHealthyInstances.*coverageTableName/s);
  expect(() => new PicketAgentless(s, 'C', { vpcs: [{ vpc: undefined as never }], findingsBus: bus })).toThrow(/vpcs\[0\]\.vpc/);
});
