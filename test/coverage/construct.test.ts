/**
 * Template tests of PicketCoverage (one synth, bundling skipped): the schedule, the heartbeat target,
 * the table, the functions, least-privilege IAM, the alarms, the dashboard widgets, and that the metric
 * names the handlers emit (EMF) are the ones alarms and dashboard read.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { COVERAGE_METRICS } from '../../lambda/domain/coverage/metric-names';
import { createPowertoolsMetrics } from '../../lambda/coverage/powertools-metrics';
import { PicketCoverage } from '../../lib/coverage';
import { PicketFindingsBus } from '../../lib/findings-bus';
import { PropError } from '../../lib/prop-validation';

const app = new App({ context: { 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });
const stack = new Stack(app, 'CoverageTest', { env: { account: '111122223333', region: 'eu-west-1' } });
const runtimeBus = new events.EventBus(stack, 'RuntimeBus');
const heartbeatRule = new events.Rule(stack, 'HeartbeatRule', { eventBus: runtimeBus, eventPattern: { source: events.Match.prefix('picket.agent/'), detailType: ['Picket Agent Heartbeat'] } });
const findings = new PicketFindingsBus(stack, 'Findings');
const ingestDlq = new sqs.Queue(stack, 'IngestDlq');
const detectorFn = lambda.Function.fromFunctionName(stack, 'Detector', 'picket-detector');
const coverage = new PicketCoverage(stack, 'Coverage', {
  heartbeatRule,
  findingsBus: findings,
  coverage: { scheduleMinutes: 5, heartbeatStaleMinutes: 10, alarmCoveragePercent: 95 },
  unhealthyAlarmMinutes: 45,
  deadLetterQueues: [ingestDlq],
  detectorFunctions: [detectorFn],
});
const template = Template.fromStack(stack);
const json = template.toJSON() as { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
const logicalId = (construct: { node: { defaultChild?: unknown } }) => stack.getLogicalId(construct.node.defaultChild as never);

/** Dashboard body as text: the Fn::Join of strings and tokens, tokens as placeholders. */
function dashboardBody(): string {
  const dash = Object.values(json.Resources).find((r) => r.Type === 'AWS::CloudWatch::Dashboard')!;
  const body = dash.Properties['DashboardBody'] as string | { 'Fn::Join': [string, unknown[]] };
  if (typeof body === 'string') return body;
  return body['Fn::Join'][1].map((p) => (typeof p === 'string' ? p : 'TOKEN')).join(body['Fn::Join'][0]);
}

describe('schedule and heartbeat wiring', () => {
  test('the evaluation runs every scheduleMinutes', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(5 minutes)',
      State: 'ENABLED',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [logicalId(coverage.evaluateFunction), 'Arn'] } })],
    });
  });

  test('the ingest heartbeat rule targets the heartbeat function, with retries and a DLQ', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: [{ prefix: 'picket.agent/' }], 'detail-type': ['Picket Agent Heartbeat'] },
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [logicalId(coverage.heartbeatFunction), 'Arn'] },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [logicalId(coverage.deadLetterQueue), 'Arn'] } },
          RetryPolicy: { MaximumRetryAttempts: 4, MaximumEventAgeInSeconds: 600 },
        }),
      ],
    });
  });
});

describe('table and functions', () => {
  test('coverage table: key instanceId, encrypted, point-in-time recovery, retained', () => {
    template.hasResource('AWS::DynamoDB::GlobalTable', {
      Properties: Match.objectLike({
        TableName: 'picket-coverage',
        KeySchema: [{ AttributeName: 'instanceId', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
        SSESpecification: { SSEEnabled: true },
        Replicas: [Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true }, DeletionProtectionEnabled: true })],
      }),
      DeletionPolicy: 'Retain',
    });
  });

  test('both functions: Node 22, arm64, their own handler, the settings variable', () => {
    for (const handler of ['index.scheduledHandler', 'index.heartbeatHandler']) {
      template.hasResourceProperties('AWS::Lambda::Function', {
        Handler: handler,
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Environment: { Variables: Match.objectLike({ PICKET_COVERAGE_SETTINGS: Match.anyValue() }) },
        DeadLetterConfig: { TargetArn: { 'Fn::GetAtt': [logicalId(coverage.deadLetterQueue), 'Arn'] } },
      });
    }
  });

  test('the evaluation may describe (read-only) and write the table; it publishes only as picket.coverage', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('CoverageEvaluateRole') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'DescribeCoverageFacts',
            Action: ['ec2:DescribeInstances', 'ec2:DescribeVpcEndpoints', 'ec2:DescribeVpcAttribute', 'ssm:DescribeInstanceInformation', 'ssm:DescribeInstanceAssociationsStatus'],
            Resource: '*',
          }),
          Match.objectLike({ Sid: 'CoverageTable', Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Scan'] }),
          Match.objectLike({ Action: 'events:PutEvents', Condition: { StringEquals: { 'events:source': 'picket.coverage' } } }),
        ]),
      },
    });
  });

  test('the heartbeat function cannot describe, scan or delete', () => {
    const policies = Object.values(json.Resources).filter((r) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties['Roles']).includes('CoverageHeartbeatRole'));
    const text = JSON.stringify(policies);
    expect(text).toContain('"dynamodb:GetItem","dynamodb:PutItem","dynamodb:UpdateItem"');
    expect(text).not.toMatch(/Describe|dynamodb:Scan|dynamodb:DeleteItem/);
  });
});

describe('alarms', () => {
  test('coverage below the threshold', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'Picket',
      MetricName: 'CoveredPercent',
      Statistic: 'Minimum',
      Period: 300,
      Threshold: 95,
      ComparisonOperator: 'LessThanThreshold',
      EvaluationPeriods: 2,
    });
  });

  test('an instance unhealthy longer than N minutes', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'Picket',
      MetricName: 'UnhealthyOverdueInstances',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmDescription: Match.stringLikeRegexp('more than 45 minutes'),
    });
  });

  test('the evaluation not running counts as breaching', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'CoveredPercent', Statistic: 'SampleCount', Period: 900, TreatMissingData: 'breaching' });
  });

  test('every DLQ not empty: the coverage DLQ and the ones passed in', () => {
    for (const q of [coverage.deadLetterQueue, ingestDlq]) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [stack.getLogicalId(q.node.defaultChild as never), 'QueueName'] } }],
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      });
    }
  });
});

describe('dashboard', () => {
  const body = dashboardBody();

  test('coverage, events, findings by type and severity, vCPU-hours, health and alarm widgets', () => {
    for (const title of ['Coverage now', 'Covered instances (%)', 'Instances by status', 'Agent events per second', 'Events lost', 'Findings by type', 'Findings by severity', 'Monitored vCPU-hours per account per day', 'Detector errors and throttles', 'Coverage errors and throttles', 'Dead-letter queue depth', 'Alarms']) {
      expect(body).toContain(`"title":"${title}"`);
    }
  });

  test('findings by type and by severity come from the detector metric Findings (Type, Severity)', () => {
    expect(body).toContain(`SEARCH('Namespace=\\"Picket\\" MetricName=\\"Findings\\" Type', 'Sum', 300)`);
    for (const s of ['Low', 'Medium', 'High', 'Critical']) expect(body).toContain(`Severity=\\"${s}\\"`);
    expect(body).toContain('EventsAccepted');
    expect(body).toContain('EventsRejected');
  });

  test('vCPU-hours per account per day: MonitoredVcpuHours by AccountId, daily sums', () => {
    expect(body).toContain(`SEARCH('{Picket,AccountId,service} MetricName=\\"MonitoredVcpuHours\\"', 'Sum', 86400)`);
  });
});

test('the metric names the handlers emit are the ones alarms and the dashboard read', () => {
  const lines: string[] = [];
  // Powertools writes EMF documents to stdout through its own Console.
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
    lines.push(...String(chunk).split('\n').filter(Boolean));
    return true;
  });
  try {
    const sink = createPowertoolsMetrics();
    sink.coverage({ instances: 3, excluded: 0, healthy: 2, unhealthy: 1, coveredPercent: 66.67, unhealthyOverdue: 1, byIssue: {}, eventsPerSecond: 12, monitoredVcpuHoursByAccount: { '111122223333': 0.5 } });
    sink.heartbeat({ eventsSent: 10, eventsDropped: 1, auditLost: 0 });
    sink.rejected(1);
  } finally {
    spy.mockRestore();
  }
  const docs = lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[] } });
  const emitted = new Set(docs.flatMap((d) => d._aws.CloudWatchMetrics.flatMap((m) => m.Metrics.map((x) => x.Name))));
  expect([...emitted].sort()).toEqual(Object.values(COVERAGE_METRICS).sort());
  for (const d of docs) expect(d._aws.CloudWatchMetrics[0]!.Namespace).toBe('Picket');
  // The account-wide figures carry the service dimension only, the one the alarms name.
  const covered = docs.find((d) => d._aws.CloudWatchMetrics[0]!.Metrics.some((m) => m.Name === 'CoveredPercent'))! as unknown as Record<string, unknown> & { _aws: { CloudWatchMetrics: { Dimensions: string[][] }[] } };
  expect(covered._aws.CloudWatchMetrics[0]!.Dimensions).toEqual([['service']]);
  expect(covered['service']).toBe('picket-coverage');
  const vcpu = docs.find((d) => d._aws.CloudWatchMetrics[0]!.Metrics.some((m) => m.Name === 'MonitoredVcpuHours'))! as unknown as Record<string, unknown> & { _aws: { CloudWatchMetrics: { Dimensions: string[][] }[] } };
  expect(vcpu._aws.CloudWatchMetrics[0]!.Dimensions).toEqual([['service', 'AccountId']]);
  expect(vcpu['AccountId']).toBe('111122223333');
  // Alarm metric names are among the emitted ones.
  const alarmMetrics = Object.values(json.Resources).filter((r) => r.Type === 'AWS::CloudWatch::Alarm' && r.Properties['Namespace'] === 'Picket').map((r) => r.Properties['MetricName'] as string);
  expect(alarmMetrics.length).toBeGreaterThanOrEqual(3);
  for (const name of alarmMetrics) expect(emitted.has(name)).toBe(true);
  template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'CoveredPercent', Dimensions: [{ Name: 'service', Value: 'picket-coverage' }] });
});

test('props are validated first, naming the prop, the value and the fix', () => {
  const s = new Stack(new App(), 'Bad');
  const rule = new events.Rule(s, 'R', { eventPattern: { source: ['x'] } });
  expect(() => new PicketCoverage(s, 'C', { heartbeatRule: rule, findingsBus: new PicketFindingsBus(s, 'F'), coverage: { scheduleMinutes: 0 } })).toThrow(PropError);
  expect(() => new PicketCoverage(s, 'D', { heartbeatRule: rule, findingsBus: new PicketFindingsBus(s, 'G'), unhealthyAlarmMinutes: 2 })).toThrow(/PicketCoverageProps.unhealthyAlarmMinutes: got 2; expected an integer of at least scheduleMinutes/);
});
