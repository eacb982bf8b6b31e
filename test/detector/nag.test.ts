/**
 * cdk-nag AwsSolutions over a test app holding PicketDetector (cdk-nag 3 validation plugin API):
 * zero unacknowledged findings with lib/detector-nag.ts applied, with Security Hub export on and off;
 * the check is live (without the acknowledgements the DescribeInstances wildcard is reported).
 */
import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { PicketDetector } from '../../lib/detector';
import { applyDetectorNagAcknowledgements } from '../../lib/detector-nag';
import { PicketFindingsBus } from '../../lib/findings-bus';

function build(securityHubExport: boolean, acknowledge = true) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });
  const stack = new Stack(app, 'NagTest', { env: { account: '111122223333', region: 'eu-west-1' } });
  const dlq = new sqs.Queue(stack, 'Dlq', { enforceSSL: true, encryption: sqs.QueueEncryption.SQS_MANAGED });
  const queue = new sqs.Queue(stack, 'Queue', { enforceSSL: true, encryption: sqs.QueueEncryption.SQS_MANAGED, visibilityTimeout: Duration.seconds(360), deadLetterQueue: { queue: dlq, maxReceiveCount: 5 } });
  Validations.of(dlq).acknowledge({ id: 'AwsSolutions-SQS3', reason: 'this queue is the dead-letter queue of the test queue; PicketIngest owns the real ones' });
  const detector = new PicketDetector(stack, 'Detector', { queue, deadLetterQueue: dlq, findingsBus: new PicketFindingsBus(stack, 'Findings'), securityHubExport, detector: { findingUpdateIntervalMinutes: 5, securityHubExport, threatListBuckets: ['corp-threat-lists'], timeoutSeconds: 60 } });
  if (acknowledge) applyDetectorNagAcknowledgements(detector);
  const found = new AwsSolutionsChecks(app).validateScope(app).violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`));
  return { app, found };
}

test('Security Hub export on: zero unacknowledged findings', () => {
  expect(build(true).found).toEqual([]);
});

test('default setup: zero unacknowledged findings', () => {
  expect(build(false).found).toEqual([]);
});

test('the check is live: without the acknowledgements the wildcard and the runtime are reported', () => {
  const { found } = build(false, false);
  expect(found.join('\n')).toMatch(/AwsSolutions-IAM5\[Resource::\*\] at NagTest\/Detector\/Role/);
});

test('every acknowledgement carries a reason', () => {
  const { app } = build(true);
  const acks = app.node.findAll().flatMap((c) => c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY).flatMap((m) => Object.values(m.data as Record<string, string>)));
  expect(acks.length).toBeGreaterThan(1);
  for (const reason of acks) expect(reason.length).toBeGreaterThan(40);
});
