/**
 * Template tests of PicketResponder (one synth, bundling skipped): the rule's content filter, the
 * state machine's order and retries, least-privilege IAM, the bucket, the table, the groups and
 * the alarms.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Capture, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import { PicketResponder, findingPattern } from '../../lib/responder';

const app = new App({ context: { 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });
const stack = new Stack(app, 'ResponderTest', { env: { account: '111122223333', region: 'eu-west-1' } });
const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 1, natGateways: 0, subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
const endpointSg = new ec2.SecurityGroup(stack, 'EndpointSg', { vpc });
const bus = new events.EventBus(stack, 'Bus', { eventBusName: 'picket-findings' });
const responder = new PicketResponder(stack, 'Responder', {
  findingsBus: bus,
  vpcs: [{ vpc, endpointSecurityGroup: endpointSg }],
  mode: 'auto',
  minSeverity: 7.5,
  excludeTypes: ['Discovery:Runtime/SuspiciousCommand'],
  actOnGuardDutyFindings: true,
  forensics: true,
  evidenceObjectLock: { mode: 'GOVERNANCE', days: 90 },
  trustedFindingPublisherArns: ['arn:aws:iam::111122223333:role/picket-detector'],
});
const template = Template.fromStack(stack);
const sm = template.findResources('AWS::StepFunctions::StateMachine');
const definition = JSON.parse(resolveJoin(Object.values(sm)[0]!['Properties']['DefinitionString']));

/** DefinitionString is an Fn::Join of strings and tokens; replace the tokens by placeholders. */
function resolveJoin(value: unknown): string {
  if (typeof value === 'string') return value;
  const join = (value as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
  return join[1].map((part) => (typeof part === 'string' ? part : 'TOKEN')).join(join[0]);
}

describe('trigger rules', () => {
  test('findings bus rule: Picket source and detail-type, this account, numeric severity filter, excluded types', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: Match.anyValue(),
      State: 'ENABLED',
      EventPattern: {
        source: ['picket.detector'],
        'detail-type': ['Picket Runtime Finding'],
        account: ['111122223333'],
        detail: {
          severity: [{ numeric: ['>=', 7.5] }],
          resource: { resourceType: ['Instance'] },
          type: [{ 'anything-but': ['Discovery:Runtime/SuspiciousCommand'] }],
        },
      },
      Targets: [Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('ResponderIsolationWorkflow') }, InputTransformer: Match.objectLike({ InputPathsMap: { f1: '$' } }) })],
    });
  });

  test('GuardDuty rule on the default bus when enabled', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: Match.absent(),
      EventPattern: { source: ['aws.guardduty'], 'detail-type': ['GuardDuty Finding'], detail: { severity: [{ numeric: ['>=', 7.5] }] } },
    });
  });

  test('include types become exact or prefix matchers', () => {
    expect(findingPattern('picket.detector', 'Picket Runtime Finding', ['1'], { minSeverity: 7, includeTypes: ['Execution:Runtime/ReverseShell', 'CryptoCurrency:*'], excludeTypes: [] }).detail).toEqual({
      severity: [{ numeric: ['>=', 7] }],
      resource: { resourceType: ['Instance'] },
      type: ['Execution:Runtime/ReverseShell', { prefix: 'CryptoCurrency:' }],
    });
  });

  test('a bus policy denies Picket sources to everyone but the trusted publishers and the responder', () => {
    template.hasResourceProperties('AWS::Events::EventBusPolicy', {
      Statement: {
        Effect: 'Deny',
        Action: 'events:PutEvents',
        Condition: {
          StringEquals: { 'events:source': ['picket.detector', 'picket.responder'] },
          ArnNotLike: { 'aws:PrincipalArn': Match.arrayWith(['arn:aws:iam::111122223333:role/picket-detector']) },
        },
      },
    });
  });
});

describe('state machine', () => {
  test('runs the isolation steps in the documented order after evaluate and admit', () => {
    const order: string[] = [];
    let name: string | undefined = definition.StartAt;
    const seen = new Set<string>();
    while (name && !seen.has(name)) {
      seen.add(name);
      order.push(name);
      const state = definition.States[name];
      if (state.Type === 'Choice') {
        const proceed = state.Default ?? state.Choices.at(-1).Next;
        name = state.Choices.find((c: { Next: string }) => c.Next === 'Admit and record pre-state')?.Next ?? proceed;
        if (name && state.Choices.some((c: { Variable?: string }) => c.Variable === '$.forensics.forensics')) name = state.Default;
      } else name = state.Next;
    }
    expect(order.filter((n) => !n.endsWith('?'))).toEqual([
      'Evaluate finding',
      'Admit and record pre-state',
      'Protect',
      'Forensics',
      'Wait for forensic capture',
      'Poll forensic capture',
      'Detach auto scaling',
      'Deregister targets',
      'Snapshot volumes',
      'Network allow all',
      'Wait for flows to become untracked',
      'Network isolate',
      'Swap instance profile',
      'Deny old credentials',
      'Tag instance',
      'Complete',
      'Isolated',
    ]);
    expect(definition.States['Wait for flows to become untracked']).toMatchObject({ Type: 'Wait', Seconds: 5 });
  });

  test('every step retries throttling with backoff and jitter; mandatory steps report and fail, optional ones go on', () => {
    const step = definition.States['Network isolate'];
    expect(step.Retry).toEqual(expect.arrayContaining([expect.objectContaining({ ErrorEquals: ['PicketRetryableError', 'Lambda.TooManyRequestsException'], IntervalSeconds: 2, BackoffRate: 2, MaxAttempts: 5, JitterStrategy: 'FULL' })]));
    expect(step.Catch).toEqual([expect.objectContaining({ ErrorEquals: ['States.ALL'], Next: 'Report failure' })]);
    expect(definition.States['Report failure'].Next).toBe('Isolation failed');
    expect(definition.States['Isolation failed'].Type).toBe('Fail');
    expect(definition.States['Forensics'].Catch).toEqual([expect.objectContaining({ ErrorEquals: ['States.ALL'], Next: 'Detach auto scaling' })]);
    expect(definition.States['Poll forensic capture'].Catch).toEqual([expect.objectContaining({ Next: 'Detach auto scaling' })]);
  });

  test('approval waits on a task token (no Lambda time); the rate-limit queue is a Wait state', () => {
    const approval = definition.States['Wait for approval'];
    expect(approval.Resource).toMatch(/lambda:invoke\.waitForTaskToken/);
    expect(approval.Parameters.Payload['taskToken.$']).toBe('$$.Task.Token');
    expect(approval.TimeoutSeconds).toBe(86400);
    expect(approval.Next).toBe('Admit and record pre-state');
    expect(definition.States['Queued by rate limit']).toMatchObject({ Type: 'Wait', TimestampPath: '$.admission.retryAt', Next: 'Admit and record pre-state' });
  });

  test('standard workflow with full logging and tracing', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: true }),
    });
  });
});

describe('functions and IAM', () => {
  test('seven Node 22 functions, each with its own role and no managed policies', () => {
    const fns = template.findResources('AWS::Lambda::Function', { Properties: { Runtime: 'nodejs22.x' } });
    expect(Object.keys(fns)).toHaveLength(7);
    template.resourcePropertiesCountIs('AWS::IAM::Role', { ManagedPolicyArns: Match.anyValue() }, 0);
  });

  test('network changes only on ENIs of the configured VPCs, and only with Picket groups', () => {
    const statements = new Capture();
    template.hasResourceProperties('AWS::IAM::Policy', { PolicyDocument: { Statement: statements } });
    const all = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) => p['Properties']['PolicyDocument']['Statement'] as Record<string, unknown>[]);
    const eni = all.find((s) => s['Sid'] === 'MoveEnisOfConfiguredVpcsToPicketGroups')!;
    expect(eni['Condition']).toEqual({ ArnEquals: { 'ec2:Vpc': expect.anything() } });
    expect(JSON.stringify(eni['Condition'])).toContain('Vpc');
    const groups = all.find((s) => s['Sid'] === 'OnlyPicketIsolationGroups')!;
    expect(JSON.stringify(groups['Resource'])).toMatch(/AllowAllGroup0.*IsolationGroup0/);
    expect(JSON.stringify(groups['Resource'])).not.toContain('security-group/*');
  });

  test('tags: only Picket keys, and only PicketIsolation=isolated; exempt instances denied', () => {
    const all = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) => p['Properties']['PolicyDocument']['Statement'] as Record<string, unknown>[]);
    expect(all.find((s) => s['Sid'] === 'TagIsolatedInstanceWithPicketKeysOnly')!['Condition']).toEqual({
      'ForAllValues:StringEquals': { 'aws:TagKeys': ['PicketIsolation', 'PicketFindingId', 'PicketIsolatedAt', 'PicketOriginalGroups'] },
      StringEquals: { 'aws:RequestTag/PicketIsolation': 'isolated' },
    });
    expect(all.find((s) => s['Sid'] === 'NeverTouchExemptInstances')).toMatchObject({ Effect: 'Deny', Condition: { StringEquals: { 'aws:ResourceTag/PicketIsolation': 'exempt' } } });
    expect(all.find((s) => s['Sid'] === 'NeverTouchInstancesWithTheExemptionKey')).toMatchObject({ Effect: 'Deny', Condition: { Null: { 'aws:ResourceTag/PicketExempt': 'false' } } });
  });

  test('pass-role only the quarantine role, to EC2; events only as picket.responder', () => {
    const all = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) => p['Properties']['PolicyDocument']['Statement'] as Record<string, unknown>[]);
    const pass = all.find((s) => s['Sid'] === 'PassOnlyTheQuarantineRole')!;
    expect(pass['Resource']).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/ResponderQuarantineRole/), 'Arn'] });
    expect(pass['Condition']).toEqual({ StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } });
    const publish = all.filter((s) => s['Sid'] === 'PublishResponseEventsAsPicketResponderOnly');
    expect(publish).toHaveLength(7);
    for (const p of publish) expect(p['Condition']).toEqual({ StringEquals: { 'events:source': 'picket.responder' } });
    // only the Step function may mutate
    const mutators = all.filter((s) => JSON.stringify(s['Action']).match(/ModifyNetworkInterfaceAttribute|PutRolePolicy|DetachInstances/) && s['Effect'] === 'Allow');
    expect(mutators.length).toBeGreaterThan(0);
  });

  test('the quarantine role has no permissions', () => {
    const roleId = Object.keys(template.findResources('AWS::IAM::Role', { Properties: { AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'ec2.amazonaws.com' } })] } } }));
    expect(roleId).toHaveLength(1);
    const attached = Object.values(template.findResources('AWS::IAM::Policy')).filter((p) => JSON.stringify(p['Properties']['Roles']).includes(roleId[0]!));
    expect(attached).toEqual([]);
    template.hasResourceProperties('AWS::IAM::InstanceProfile', { Roles: [{ Ref: roleId[0] }] });
  });
});

describe('state and evidence', () => {
  test('evidence bucket: versioned, encrypted, TLS only, no public access, object lock', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      ObjectLockEnabled: true,
      ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 90 } } },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
    template.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Retain' });
  });

  test('response-state table: encrypted, point-in-time recovery, retained', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      SSESpecification: { SSEEnabled: true },
      Replicas: [Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true }, DeletionProtectionEnabled: true })],
    });
  });

  test('per VPC: an allow-all group (both directions, v4 and v6) and an isolation group with only 443 to the endpoints', () => {
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('allow all'),
      SecurityGroupIngress: Match.arrayWith([Match.objectLike({ CidrIp: '0.0.0.0/0', IpProtocol: '-1' }), Match.objectLike({ CidrIpv6: '::/0', IpProtocol: '-1' })]),
      SecurityGroupEgress: Match.arrayWith([Match.objectLike({ CidrIp: '0.0.0.0/0', IpProtocol: '-1' }), Match.objectLike({ CidrIpv6: '::/0', IpProtocol: '-1' })]),
    });
    const isolation = Object.entries(template.findResources('AWS::EC2::SecurityGroup', { Properties: { GroupDescription: Match.stringLikeRegexp('no inbound') } }));
    expect(isolation).toHaveLength(1);
    expect(isolation[0]![1]['Properties']['SecurityGroupIngress']).toBeUndefined();
    template.hasResourceProperties('AWS::EC2::SecurityGroupEgress', { GroupId: { 'Fn::GetAtt': [isolation[0]![0], 'GroupId'] }, IpProtocol: 'tcp', FromPort: 443, ToPort: 443, DestinationSecurityGroupId: Match.anyValue() });
  });

  test('alarms on failed and timed-out isolations and on task errors', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ExecutionsFailed', Namespace: 'AWS/States', Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ExecutionsTimedOut', Namespace: 'AWS/States' });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { Metrics: Match.arrayWith([Match.objectLike({ Expression: 'e0+e1+e2+e3+e4+e5+e6' })]) });
    expect(responder.alarms).toHaveLength(3);
  });
});

describe('props validation', () => {
  test('errors name the prop, the value and the fix', () => {
    const s = new Stack(new App(), 'Bad');
    const b = new events.EventBus(s, 'B');
    expect(() => new PicketResponder(s, 'R1', { findingsBus: b, vpcs: [], mode: 'auto' })).toThrow(/PicketResponder\.vpcs.*at least one VPC when mode is auto/);
    expect(() => new PicketResponder(s, 'R2', { findingsBus: b, vpcs: [], minSeverity: 11 })).toThrow(/minSeverity is 11; expected a number from 0 to 10/);
    expect(() => new PicketResponder(s, 'R3', { findingsBus: b, vpcs: [], untrackSettleSeconds: 600 })).toThrow(/untrackSettleSeconds.*0 to 60/);
  });
});
