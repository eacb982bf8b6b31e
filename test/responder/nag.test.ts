/**
 * cdk-nag AwsSolutions over a test app holding PicketResponder (cdk-nag 3 validation plugin API):
 * zero unacknowledged findings with lib/responder-nag.ts applied, in the most permissive setup
 * (auto, forensics, GuardDuty, KMS, several VPCs) and in the default one. Every acknowledgement
 * has a reason.
 */
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import { AwsSolutionsChecks } from 'cdk-nag';
import { PicketResponder, type PicketResponderProps } from '../../lib/responder';
import { applyResponderNagAcknowledgements } from '../../lib/responder-nag';

function build(props: Omit<PicketResponderProps, 'findingsBus' | 'vpcs'>, vpcCount: number, acknowledge = true) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });
  const stack = new Stack(app, 'NagTest', { env: { account: '111122223333', region: 'eu-west-1' } });
  const vpcs = Array.from({ length: vpcCount }, (_, i) => {
    const vpc = new ec2.Vpc(stack, `Vpc${i}`, { maxAzs: 1, natGateways: 0, subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    Validations.of(vpc).acknowledge({ id: 'AwsSolutions-VPC7', reason: 'a throwaway VPC for this test only; the real VPC and its flow logs belong to PicketNetwork' });
    return { vpc, endpointSecurityGroup: new ec2.SecurityGroup(stack, `EndpointSg${i}`, { vpc }) };
  });
  const bus = new events.EventBus(stack, 'Bus');
  const responder = new PicketResponder(stack, 'Responder', { findingsBus: bus, vpcs, ...props });
  if (acknowledge) applyResponderNagAcknowledgements(responder);
  const checks = new AwsSolutionsChecks(app);
  const found = checks
    .validateScope(app)
    .violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`));
  return { app, found };
}

test('the permissive setup has zero unacknowledged findings', () => {
  const { found } = build({ mode: 'auto', forensics: true, actOnGuardDutyFindings: true, evidenceEncryption: 'KMS', trustedFindingPublisherArns: ['arn:aws:iam::111122223333:role/d'] }, 2);
  expect(found).toEqual([]);
});

test('the default setup has zero unacknowledged findings', () => {
  const { found } = build({}, 1);
  expect(found).toEqual([]);
});

test('the check is live: without the acknowledgements the allow-all group and wildcards are reported', () => {
  const { found } = build({ mode: 'auto' }, 1, false);
  expect(found.join('\n')).toMatch(/AwsSolutions-EC23 at NagTest\/Responder\/AllowAllGroup0/);
  expect(found.join('\n')).toMatch(/AwsSolutions-IAM5\[Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:role\/\*\] at NagTest\/Responder\/StepRole/);
});

test('every acknowledgement carries a reason', () => {
  const { app } = build({ mode: 'auto', forensics: true }, 1);
  const acks = app.node.findAll().flatMap((c) => c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY).flatMap((m) => Object.values(m.data as Record<string, string>)));
  expect(acks.length).toBeGreaterThan(10);
  for (const reason of acks) expect(reason.length).toBeGreaterThan(40);
});
