/** The ingest path of the default (quick-start) app: bus, rules, queues, anti-spoofing IAM. One synth. */
import { Match } from 'aws-cdk-lib/assertions';
import { AGENT_SOURCE_PREFIX, DETAIL_TYPE_EVENTS, DETAIL_TYPE_HEARTBEAT } from '../../lambda/domain/events/runtime-event';
import { DEFAULT_CONFIG } from '../../lib/config';
import { countUnder, type Synthesized, synthesize } from './helpers';

/** The exact condition value IAM must see: `${ec2:SourceInstanceARN}` is an IAM policy variable, not a JS placeholder. */
// biome-ignore lint/suspicious/noTemplateCurlyInString: the literal IAM policy variable is the point
const OWN_INSTANCE_SOURCE = 'picket.agent/${ec2:SourceInstanceARN}';

let s: Synthesized;
beforeAll(() => {
  s = synthesize(DEFAULT_CONFIG);
});

const busRef = () => ({ Ref: s.stack.getLogicalId(s.stack.ingest.bus.node.defaultChild as never) });
const queueArn = (q: 'queue' | 'deadLetterQueue') => ({ 'Fn::GetAtt': [s.stack.getLogicalId(s.stack.ingest[q].node.defaultChild as never), 'Arn'] });

describe('runtime bus', () => {
  it('is a named custom bus, and the findings bus is another', () => {
    s.template.resourceCountIs('AWS::Events::EventBus', 2);
    s.template.hasResourceProperties('AWS::Events::EventBus', { Name: 'picket-runtime' });
    s.template.hasResourceProperties('AWS::Events::EventBus', { Name: 'picket-findings' });
  });

  it('has no archive unless configured', () => {
    s.template.resourceCountIs('AWS::Events::Archive', 0);
  });
});

describe('rules on the runtime bus', () => {
  it('runtime event batches go to the detector queue, with exactly this pattern', () => {
    s.template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: busRef(),
      EventPattern: Match.exact({ source: [{ prefix: 'picket.agent/' }], 'detail-type': ['Picket Runtime Events'] }),
      Targets: [Match.objectLike({ Arn: queueArn('queue'), DeadLetterConfig: { Arn: queueArn('deadLetterQueue') } })],
    });
  });

  it('heartbeats have their own rule with exactly this pattern, delivered to the coverage heartbeat function', () => {
    s.template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: busRef(),
      EventPattern: Match.exact({ source: [{ prefix: 'picket.agent/' }], 'detail-type': ['Picket Agent Heartbeat'] }),
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^CoverageHeartbeat'), 'Arn'] } })],
    });
  });

  it('the patterns come from the runtime-event contract', () => {
    expect([AGENT_SOURCE_PREFIX, DETAIL_TYPE_EVENTS, DETAIL_TYPE_HEARTBEAT]).toEqual(['picket.agent/', 'Picket Runtime Events', 'Picket Agent Heartbeat']);
    expect(countUnder(s.template, 'AWS::Events::Rule', 'Ingest')).toBe(2);
  });
});

describe('detector queue and DLQ', () => {
  it('queue: encrypted, redrives to the DLQ after maxReceiveCount, visibility 6 x detector timeout', () => {
    s.template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      RedrivePolicy: { deadLetterTargetArn: queueArn('deadLetterQueue'), maxReceiveCount: DEFAULT_CONFIG.ingest.maxReceiveCount },
      VisibilityTimeout: DEFAULT_CONFIG.detector.timeoutSeconds * 6,
    });
  });

  it('DLQ: encrypted, 14 days retention, retained when the stack is deleted', () => {
    s.template.hasResource('AWS::SQS::Queue', {
      Properties: { SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600, RedrivePolicy: Match.absent() },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  it.each(['queue', 'deadLetterQueue'] as const)('%s denies every request without TLS', (q) => {
    s.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: s.stack.getLogicalId(s.stack.ingest[q].node.defaultChild as never) }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          { Action: 'sqs:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } }, Effect: 'Deny', Principal: { AWS: '*' }, Resource: queueArn(q) },
        ]),
      },
    });
  });

  it('only the runtime-events rule may send to the queue', () => {
    const ruleArn = { 'Fn::GetAtt': [s.stack.getLogicalId(s.stack.ingest.runtimeEventsRule.node.defaultChild as never), 'Arn'] };
    s.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: Match.arrayWith(['sqs:SendMessage']), Condition: { ArnEquals: { 'aws:SourceArn': ruleArn } } }),
        ]),
      },
    });
  });
});

describe('anti-spoofing agent policy', () => {
  it('allows events:PutEvents on the runtime bus only with events:source = picket.agent/<own instance ARN>, and nothing else', () => {
    s.template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: [
          {
            Sid: 'PutOwnRuntimeEventsOnly',
            Effect: 'Allow',
            Action: 'events:PutEvents',
            Resource: { 'Fn::GetAtt': [busRef().Ref, 'Arn'] },
            Condition: Match.exact({ StringEquals: { 'events:source': OWN_INSTANCE_SOURCE } }),
          },
        ],
      },
    });
  });

  it('the optional instance role has SSM core and the agent policy, and an instance profile', () => {
    const policyRef = { Ref: s.stack.getLogicalId(s.stack.ingest.agentPolicy.node.defaultChild as never) };
    s.template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' })] },
      ManagedPolicyArns: Match.arrayWith([{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/AmazonSSMManagedInstanceCore']] }, policyRef]),
    });
    s.template.hasResourceProperties('AWS::IAM::InstanceProfile', { Roles: [{ Ref: s.stack.getLogicalId(s.stack.ingest.instanceRole!.node.defaultChild as never) }] });
  });
});

describe('stack outputs for users', () => {
  it('exports the agent policy ARN, buses, queues and instance profile', () => {
    const outputs = Object.keys(s.template.findOutputs('*'));
    expect(outputs).toEqual(expect.arrayContaining(['RuntimeBusName', 'FindingsBusName', 'AgentPolicyArn', 'DetectorQueueUrl', 'DetectorDlqUrl', 'InstanceProfileName', 'VpcId0']));
  });
});
