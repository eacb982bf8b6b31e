/**
 * cdk-nag AwsSolutions over a test app holding PicketAgentless (cdk-nag 3 validation plugin API):
 * zero unacknowledged findings with lib/agentless-nag.ts applied, both log paths on; the check is
 * live (without the acknowledgements the runtime and the tracing wildcard are reported).
 */
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { AwsSolutionsChecks } from 'cdk-nag';
import { PicketAgentless } from '../../lib/agentless';
import { applyAgentlessNagAcknowledgements } from '../../lib/agentless-nag';
import { PicketFindingsBus } from '../../lib/findings-bus';

function build(acknowledge: boolean) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });
  const stack = new Stack(app, 'NagTest', { env: { account: '111122223333', region: 'eu-west-1' } });
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 1, natGateways: 0, subnetConfiguration: [{ name: 'private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
  Validations.of(vpc).acknowledge({ id: 'AwsSolutions-VPC7', reason: 'test VPC only: PicketAgentless under test creates the flow logs of the VPCs it is given' });
  const agentless = new PicketAgentless(stack, 'Agentless', {
    vpcs: [{ vpc, flowLogs: true, resolverQueryLogs: true }],
    findingsBus: new PicketFindingsBus(stack, 'Findings'),
    findingsTableName: 'picket-findings',
    coverageTableName: 'picket-coverage',
    skipHealthyInstances: true,
  });
  if (acknowledge) applyAgentlessNagAcknowledgements(agentless);
  const found = new AwsSolutionsChecks(app).validateScope(app).violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`));
  return { app, found };
}

test('zero unacknowledged findings', () => {
  expect(build(true).found).toEqual([]);
});

test('the check is live: without the acknowledgements the runtime and the tracing wildcard are reported', () => {
  const found = build(false).found.join('\n');
  expect(found).toMatch(/AwsSolutions-IAM5\[Resource::\*\] at NagTest\/Agentless\/Role/);
  expect(found).toMatch(/AwsSolutions-L1 at NagTest\/Agentless\/Function/);
});

test('every acknowledgement carries a reason', () => {
  const { app } = build(true);
  const acks = app.node.findAll().filter((c) => c.node.path.includes('Agentless')).flatMap((c) => c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY).flatMap((m) => Object.values(m.data as Record<string, string>)));
  expect(acks.length).toBe(2);
  for (const reason of acks) expect(reason.length).toBeGreaterThan(40);
});
