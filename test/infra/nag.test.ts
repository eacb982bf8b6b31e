/**
 * cdk-nag AwsSolutions over the whole app: zero unacknowledged findings, with the cdk-nag 3 API
 * (a validation plugin; `validateScope` to report without synthesizing). Acknowledgements live in
 * lib/nag-acknowledgements.ts only, on specific constructs, each with a reason.
 */
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { buildApp } from '../../lib/build-app';
import { DEFAULT_CONFIG } from '../../lib/config';
import { configFrom } from './helpers';

type Report = ReturnType<AwsSolutionsChecks['validateScope']>;

function describeViolations(report: Report): string[] {
  return report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath ?? r.resourceLogicalId}: ${v.description}`));
}

function acknowledgements(root: IConstruct): { path: string; id: string; reason: string }[] {
  return root.node.findAll().flatMap((c) =>
    c.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      // data is { "<Namespace>::<rule id>": reason }
      .flatMap((m) => Object.entries(m.data as Record<string, string>))
      .map(([id, reason]) => ({ path: c.node.path, id, reason })),
  );
}

const nonDefault = configFrom({
  vpc: {
    mode: 'existing',
    vpcs: [{ vpcId: 'vpc-0a0a0a0a0a0a0a0a0', cidrs: ['10.1.0.0/16'], subnetIds: ['subnet-0a0a0a0a0a0a0a0a1'], availabilityZones: ['eu-west-1a'], routeTableIds: ['rtb-0a0a0a0a0a0a0a0a1'] }],
  },
  ingest: { queueEncryption: 'kms', archiveRetentionDays: 7, createInstanceRole: false },
  org: { organizationId: 'o-a1b2c3d4e5' },
});

describe('cdk-nag AwsSolutions', () => {
  it('the default app has zero unacknowledged findings, and synth with the nag plugin succeeds', () => {
    const { app, nagPack } = buildApp(DEFAULT_CONFIG, { bundling: false, cloudFormationValidation: false });
    expect(nagPack).toBeInstanceOf(AwsSolutionsChecks);
    expect(describeViolations(nagPack!.validateScope(app))).toEqual([]);
    expect(() => app.synth()).not.toThrow();
  });

  it('a non-default app (existing VPC, KMS, archive, org, no instance role) has zero unacknowledged findings', () => {
    const { app } = buildApp(nonDefault, { nag: false, bundling: false, cloudFormationValidation: false });
    expect(describeViolations(new AwsSolutionsChecks(app).validateScope(app))).toEqual([]);
  });

  it('the check is live: a queue without encryption or TLS policy is reported, and fails synth', () => {
    const app = new App({ builtinCloudFormationValidation: false });
    const stack = new Stack(app, 'Canary');
    new sqs.Queue(stack, 'Plain', { encryption: sqs.QueueEncryption.UNENCRYPTED });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    const found = describeViolations(new AwsSolutionsChecks(app).validateScope(app)).join('\n');
    expect(found).toMatch(/AwsSolutions-SQS2 at Canary\/Plain/);
    expect(found).toMatch(/AwsSolutions-SQS4 at Canary\/Plain/);
    expect(() => app.synth()).toThrow(/AwsSolutions-SQS2|Validation failed|validation/i);
  });

  it('acknowledgements are narrow: on resources, never on the app or a stack, each with a real reason', () => {
    const { app, stack } = buildApp(DEFAULT_CONFIG, { nag: false, bundling: false, cloudFormationValidation: false });
    // CDK itself acknowledges some of its own template-validation warnings (CloudFormation-Validate::…); ours are AwsSolutions.
    const acks = acknowledgements(app).filter((a) => !a.id.startsWith('CloudFormation-Validate::'));
    // Each construct brings its own (responder, detector, …); the ingest ones are these two.
    expect(acks.map((a) => a.id)).toEqual(expect.arrayContaining(['Annotation::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonSSMManagedInstanceCore]', 'Annotation::AwsSolutions-VPC7']));
    for (const ack of acks) {
      expect(ack.path).not.toBe('');
      expect(ack.path).not.toBe(stack.node.path);
      expect(ack.reason.length).toBeGreaterThan(60);
    }
  });
});
