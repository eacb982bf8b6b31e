/**
 * cdk-nag AwsSolutions over a test app holding PicketCoverage (cdk-nag 3 validation plugin API): zero
 * unacknowledged findings with lib/coverage-nag.ts applied, the check is live without them, and every
 * acknowledgement has a reason.
 */
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { PicketCoverage } from '../../lib/coverage';
import { applyCoverageNagAcknowledgements } from '../../lib/coverage-nag';
import { PicketFindingsBus } from '../../lib/findings-bus';

function build(acknowledge: boolean) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });
  const stack = new Stack(app, 'CoverageNag', { env: { account: '111122223333', region: 'eu-west-1' } });
  const runtimeBus = new events.EventBus(stack, 'RuntimeBus');
  const heartbeatRule = new events.Rule(stack, 'HeartbeatRule', { eventBus: runtimeBus, eventPattern: { source: events.Match.prefix('picket.agent/') } });
  const ingestDlq = new sqs.Queue(stack, 'IngestDlq', { encryption: sqs.QueueEncryption.SQS_MANAGED, enforceSSL: true });
  Validations.of(ingestDlq).acknowledge({ id: 'AwsSolutions-SQS3', reason: 'a stand-in for the ingest DLQ in this test only; the real one belongs to PicketIngest' });
  const coverage = new PicketCoverage(stack, 'Coverage', { heartbeatRule, findingsBus: new PicketFindingsBus(stack, 'Findings'), deadLetterQueues: [ingestDlq] });
  if (acknowledge) applyCoverageNagAcknowledgements(coverage);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const found = new AwsSolutionsChecks(app).validateScope(app).violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`));
  return { app, found };
}

test('PicketCoverage has zero unacknowledged AwsSolutions findings', () => {
  expect(build(true).found).toEqual([]);
});

test('the check is live: without the acknowledgements the wildcard and the runtime are reported', () => {
  const found = build(false).found.join('\n');
  expect(found).toMatch(/AwsSolutions-IAM5\[Resource::\*\] at CoverageNag\/Coverage\/EvaluateRole/);
  expect(found).toMatch(/AwsSolutions-L1 at CoverageNag\/Coverage\/Heartbeat\/Resource/);
});

test('acknowledgements are on coverage resources, each with a reason', () => {
  const { app } = build(true);
  const acks = app.node
    .findAll()
    .filter((c) => c.node.path.startsWith('CoverageNag/Coverage/'))
    .flatMap((c) => c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY).flatMap((m) => Object.entries(m.data as Record<string, string>)));
  expect(acks.length).toBe(4);
  for (const [, reason] of acks) expect(reason.length).toBeGreaterThan(60);
});
