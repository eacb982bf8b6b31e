/**
 * The org stacks, from one synthesis of examples/org.json (bundling skipped, cdk-nag on): the StackSets,
 * the org bus policy, member forwarding and its role, the central response trust, member templates free
 * of CDK bootstrap references, and teardown safety of every template.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { AssetManifestArtifact, type CloudAssembly } from 'aws-cdk-lib/cx-api';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { buildApp, type PicketApp } from '../../lib/build-app';
import { loadConfig } from '../../lib/config';
import { FORWARDED_DETAIL_TYPES, FORWARDED_SOURCES } from '../../lib/org/names';
import { PENDING_TEMPLATE_KEY } from '../../lib/org/management-stack';

const config = loadConfig(JSON.parse(readFileSync(path.resolve(__dirname, '../../examples/org.json'), 'utf8')), 'examples/org.json');
let built: PicketApp;
let assembly: CloudAssembly;
const template = (stackName: string): Template => Template.fromJSON(assembly.getStackByName(stackName).template);

beforeAll(() => {
  built = buildApp(config, { bundling: false, cloudFormationValidation: false, nag: true });
  assembly = built.app.synth(); // fails on any unacknowledged cdk-nag finding
});

describe('org app', () => {
  it('builds base + scoped member stacks, asset buckets per region, security and management stacks', () => {
    expect(assembly.stacks.map((s) => s.stackName).sort()).toEqual(
      ['Picket', 'Picket-sandbox', 'Picket-payments', 'Picket-no-us', 'Picket-OrgAssets-eu-west-1', 'Picket-OrgAssets-eu-central-1', 'Picket-OrgAssets-us-east-1', 'Picket-OrgSecurity', 'Picket-OrgManagement', 'Picket-OrgManagementAccount'].sort(),
    );
    expect(built.stack.stackName).toBe('Picket');
    expect(built.nagPack!.validateScope(built.app).violations).toEqual([]);
  });
});

describe('management stack: StackSets', () => {
  it('service-managed, auto-deployed, named-IAM capable, delegated admin, with operation preferences', () => {
    template('Picket-OrgManagement').hasResourceProperties('AWS::CloudFormation::StackSet', {
      StackSetName: 'Picket-member',
      PermissionModel: 'SERVICE_MANAGED',
      AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: false },
      CallAs: 'DELEGATED_ADMIN',
      Capabilities: ['CAPABILITY_NAMED_IAM'],
      OperationPreferences: { MaxConcurrentPercentage: 25, FailureTolerancePercentage: 10, RegionConcurrencyType: 'PARALLEL' },
    });
  });

  it('targets the OUs and regions of the config, scopes carved out', () => {
    const t = template('Picket-OrgManagement');
    t.hasResourceProperties('AWS::CloudFormation::StackSet', {
      StackSetName: 'Picket-member',
      StackInstancesGroup: [
        {
          DeploymentTargets: { OrganizationalUnitIds: ['ou-ab12-workload1'], Accounts: ['333344445555', '555566667777'], AccountFilterType: 'DIFFERENCE' },
          Regions: ['eu-west-1', 'eu-central-1'],
        },
      ],
    });
    t.hasResourceProperties('AWS::CloudFormation::StackSet', {
      StackSetName: 'Picket-member-sandbox',
      StackInstancesGroup: [{ DeploymentTargets: { OrganizationalUnitIds: ['ou-ab12-sandbox1'], AccountFilterType: 'DIFFERENCE' }, Regions: ['eu-west-1', 'eu-central-1', 'us-east-1'] }],
    });
    t.hasResourceProperties('AWS::CloudFormation::StackSet', {
      StackSetName: 'Picket-member-payments',
      StackInstancesGroup: [{ DeploymentTargets: { OrganizationalUnitIds: ['ou-ab12-workload1', 'ou-ab12-sandbox1'], Accounts: ['333344445555'], AccountFilterType: 'INTERSECTION' }, Regions: ['eu-west-1', 'eu-central-1', 'us-east-1'] }],
    });
    t.hasResourceProperties('AWS::CloudFormation::StackSet', {
      StackSetName: 'Picket-member-no-us',
      StackInstancesGroup: [{ DeploymentTargets: { OrganizationalUnitIds: ['ou-ab12-workload1'] }, Regions: ['us-east-1'] }],
    });
    t.resourceCountIs('AWS::CloudFormation::StackSet', 4);
  });

  it('each StackSet points at its own member template in the org asset bucket of the home region', () => {
    const stackSets = template('Picket-OrgManagement').findResources('AWS::CloudFormation::StackSet');
    const byName = Object.fromEntries(Object.values(stackSets).map((r) => [r.Properties.StackSetName, JSON.stringify(r.Properties.TemplateURL)]));
    for (const [stackSet, member] of [['Picket-member', 'Picket'], ['Picket-member-payments', 'Picket-payments']] as const) {
      const artifact = assembly.getStackByName(member);
      const objectKey = artifact.stackTemplateAssetObjectUrl!.replace(/^s3:\/\/[^/]+\//, '');
      expect(objectKey).toMatch(/^picket-member\/[0-9a-f]{64}\.json$/);
      expect(byName[stackSet]).toContain(`https://picket-assets-o-a1b2c3d4e5-eu-west-1.s3.eu-west-1.`);
      expect(byName[stackSet]).toContain(objectKey);
      expect(byName[stackSet]).not.toContain(PENDING_TEMPLATE_KEY);
    }
  });

  it('from a delegated admin, the management account gets the base member stack from a stack of its own (StackSets never reach it)', () => {
    // callAs DELEGATED_ADMIN: the StackSet stack runs in the delegated admin account, so it must not hold the management account's member.
    template('Picket-OrgManagement').resourceCountIs('AWS::CloudFormation::Stack', 0);
    const stacks = template('Picket-OrgManagementAccount').findResources('AWS::CloudFormation::Stack');
    expect(Object.values(stacks)).toHaveLength(1);
    expect(JSON.stringify(Object.values(stacks)[0]!.Properties.TemplateURL)).toContain(assembly.getStackByName('Picket').stackTemplateAssetObjectUrl!.replace(/^s3:\/\/[^/]+\//, ''));
    expect(assembly.getStackByName('Picket-OrgManagementAccount').assumeRoleArn).toBeUndefined();
  });
});

describe('security stack', () => {
  it('org bus policy: organization principals only, Picket sources and detail-types only', () => {
    template('Picket-OrgSecurity').hasResourceProperties('AWS::Events::EventBusPolicy', {
      StatementId: 'PicketOrgMembersPutPicketEvents',
      Statement: {
        Effect: 'Allow',
        Principal: '*',
        Action: 'events:PutEvents',
        Condition: {
          StringEquals: {
            'aws:PrincipalOrgID': 'o-a1b2c3d4e5',
            'events:source': ['picket.detector', 'picket.coverage', 'picket.responder'],
            'events:detail-type': ['Picket Runtime Finding', 'Picket Coverage Status Changed', 'Picket Response Action', 'Picket Isolation Pending Approval'],
          },
        },
      },
    });
    template('Picket-OrgSecurity').hasResourceProperties('AWS::Events::EventBus', { Name: 'picket-org-findings' });
  });

  it('a rule on the org bus feeds the aggregator, which writes the two org tables (retained, PITR)', () => {
    const t = template('Picket-OrgSecurity');
    t.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: Match.anyValue(),
      EventPattern: { source: [...FORWARDED_SOURCES], 'detail-type': [...FORWARDED_DETAIL_TYPES] },
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AggregationFunction'), 'Arn'] }, DeadLetterConfig: Match.anyValue() })],
    });
    const tables = t.findResources('AWS::DynamoDB::Table');
    expect(Object.keys(tables).sort()).toEqual([expect.stringMatching(/^AggregationCoverageTable/), expect.stringMatching(/^AggregationFindingsTable/)]);
    for (const table of Object.values(tables)) {
      expect(table.DeletionPolicy).toBe('Retain');
      expect(table.Properties.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    }
    t.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'Picket-org' });
  });

  it('the intel bucket is readable by the organization only', () => {
    template('Picket-OrgSecurity').hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Sid: 'OrganizationReadsThreatLists', Principal: { AWS: '*' }, Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } } })]) },
    });
  });

  it('the central responder role may only assume Picket response roles inside the organization', () => {
    template('Picket-OrgSecurity').hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::*:role/picket-central-response-*']] },
            Condition: { StringEquals: { 'aws:ResourceOrgID': 'o-a1b2c3d4e5' } },
          },
        ],
      },
    });
  });
});

describe('member stack', () => {
  it('forwards exactly Picket findings, coverage and response events from its findings bus to the org bus', () => {
    template('Picket').hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: Match.stringLikeRegexp('^FindingsFindingsBus') },
      EventPattern: { source: ['picket.detector', 'picket.coverage', 'picket.responder'], 'detail-type': [...FORWARDED_DETAIL_TYPES] },
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':events:eu-west-1:222233334444:event-bus/picket-org-findings']] },
          RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^OrgForwardingRole'), 'Arn'] },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^OrgForwardingDeadLetterQueue'), 'Arn'] } },
        }),
      ],
    });
  });

  it('the forwarding role: assumed by EventBridge for this account only, may put events on the org bus only', () => {
    const t = template('Picket');
    t.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } } }],
      },
    });
    t.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^OrgForwardingRole') }],
      PolicyDocument: {
        Statement: [{ Action: 'events:PutEvents', Effect: 'Allow', Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':events:eu-west-1:222233334444:event-bus/picket-org-findings']] } }],
      },
    });
  });

  it('the central response role is trusted only by the central responder role, and may only start the isolation workflow', () => {
    const t = template('Picket');
    t.hasResourceProperties('AWS::IAM::Role', {
      RoleName: { 'Fn::Join': ['', ['picket-central-response-', { Ref: 'AWS::Region' }]] },
      AssumeRolePolicyDocument: {
        Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::222233334444:role/picket-org-central-responder']] } } }],
      },
    });
    const policies = t.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^CentralResponseRole') }] } });
    const actions = Object.values(policies).flatMap((p) => p.Properties.PolicyDocument.Statement.flatMap((s: { Action: string | string[] }) => [s.Action].flat()));
    expect(actions.sort()).toEqual(['states:DescribeExecution', 'states:StartExecution', 'states:StopExecution']);
  });

  it('scoped variants carry their settings into the template (payments: severity 5 and approval; base: 7 and dry-run)', () => {
    const findingRule = (minSeverity: number) => ({
      EventPattern: Match.objectLike({ source: ['picket.detector'], detail: Match.objectLike({ severity: [{ numeric: ['>=', minSeverity] }] }) }),
    });
    template('Picket-payments').hasResourceProperties('AWS::Events::Rule', findingRule(5));
    template('Picket').hasResourceProperties('AWS::Events::Rule', findingRule(7));
    template('Picket-sandbox').hasResourceProperties('AWS::Events::Rule', findingRule(8));
    const settingsOf = (name: string): string => JSON.stringify(template(name).findResources('AWS::Lambda::Function'));
    expect(settingsOf('Picket-payments')).toContain('\\"mode\\":\\"approval\\"');
    expect(settingsOf('Picket')).toContain('\\"mode\\":\\"dry-run\\"');
  });

  it("the member detector gets the central rules and every account's own rules (applied by the finding's account)", () => {
    const detectors = Object.entries(template('Picket').findResources('AWS::Lambda::Function')).filter(([id]) => id.startsWith('DetectorFunction'));
    expect(detectors).toHaveLength(1);
    const env = JSON.stringify(detectors[0]![1].Properties.Environment);
    for (const rule of ['org-ignore-golden-image-builds', 'payments-batch-scanner', 'org-trusted-ipv4', 'org-trusted-domains']) expect(env).toContain(rule);
    expect(env).toContain('333344445555');
  });

  it.each(['Picket', 'Picket-sandbox', 'Picket-payments', 'Picket-no-us'])('%s deploys without CDK bootstrap in the member account', (name) => {
    const artifact = assembly.getStackByName(name);
    const json = artifact.template as { Parameters?: Record<string, unknown>; Rules?: Record<string, unknown> };
    const text = JSON.stringify(json);
    // No bootstrap version check, no legacy asset parameters, no bootstrap bucket, role or qualifier.
    expect(Object.keys(json.Parameters ?? {}).filter((p) => /BootstrapVersion|^AssetParameters/.test(p))).toEqual([]);
    expect(Object.keys(json.Rules ?? {})).not.toContain('CheckBootstrapVersion');
    expect(text).not.toMatch(/cdk-hnb659fds|cdk-[a-z0-9]{9}-(assets|deploy|cfn-exec|file-publishing)/);
    expect(artifact.assumeRoleArn).toBeUndefined();
    expect(artifact.requiresBootstrapStackVersion).toBeUndefined();
    // Lambda code comes from the org bucket of the instance's own region.
    const fns = Template.fromJSON(json).findResources('AWS::Lambda::Function');
    expect(Object.keys(fns).length).toBeGreaterThan(0);
    for (const fn of Object.values(fns)) {
      const code = fn.Properties.Code as { S3Bucket?: unknown; ZipFile?: unknown };
      if (code.ZipFile !== undefined) continue;
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the literal CloudFormation Fn::Sub string is the point
      expect(code.S3Bucket).toEqual({ 'Fn::Sub': 'picket-assets-o-a1b2c3d4e5-${AWS::Region}' });
    }
  });
});

describe('asset publishing', () => {
  it('every member asset (code, template) is published with CLI credentials to the org bucket of the current region', () => {
    for (const member of ['Picket', 'Picket-payments']) {
      const artifact = assembly.getStackByName(member);
      const manifests = artifact.dependencies.filter((d): d is AssetManifestArtifact => d instanceof AssetManifestArtifact);
      expect(manifests).toHaveLength(1);
      const manifest = JSON.parse(readFileSync(manifests[0]!.file, 'utf8')) as { files: Record<string, { destinations: Record<string, Record<string, unknown>> }>; dockerImages?: Record<string, unknown> };
      expect(Object.keys(manifest.dockerImages ?? {})).toEqual([]);
      const destinations = Object.values(manifest.files).flatMap((f) => Object.entries(f.destinations));
      expect(destinations.length).toBeGreaterThan(1);
      for (const [id, d] of destinations) {
        expect(id).toMatch(/^current_account-current_region/);
        // biome-ignore lint/suspicious/noTemplateCurlyInString: cdk-assets replaces this placeholder with the region it publishes to
        expect(d).toEqual({ bucketName: 'picket-assets-o-a1b2c3d4e5-${AWS::Region}', objectKey: expect.stringMatching(/^picket-member\/[0-9a-f]{64}\.(zip|json)$/) });
      }
    }
  });

  it('asset buckets: one per region, organization-only reads, retained', () => {
    for (const region of ['eu-west-1', 'eu-central-1', 'us-east-1']) {
      const t = template(`Picket-OrgAssets-${region}`);
      t.hasResourceProperties('AWS::S3::Bucket', { BucketName: `picket-assets-o-a1b2c3d4e5-${region}` });
      t.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Retain' });
      t.hasResourceProperties('AWS::S3::BucketPolicy', {
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Sid: 'OrganizationReadsMemberAssets', Action: ['s3:GetObject', 's3:GetObjectVersion'], Principal: { AWS: '*' }, Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } } })]) },
      });
      expect(assembly.getStackByName(`Picket-OrgAssets-${region}`).environment.region).toBe(region);
    }
  });
});

describe('stacks deployed without bootstrap', () => {
  it.each(['Picket-OrgAssets-eu-west-1', 'Picket-OrgManagement', 'Picket-OrgManagementAccount'])('%s: current credentials, inline template, no bootstrap check', (name) => {
    const artifact = assembly.getStackByName(name);
    expect(artifact.assumeRoleArn).toBeUndefined();
    expect(artifact.cloudFormationExecutionRoleArn).toBeUndefined();
    expect(artifact.stackTemplateAssetObjectUrl).toBeUndefined();
    expect(artifact.requiresBootstrapStackVersion).toBeUndefined();
    expect(Object.keys((artifact.template as { Parameters?: object }).Parameters ?? {})).not.toContain('BootstrapVersion');
    expect(JSON.stringify(artifact.template).length).toBeLessThan(51_200); // CloudFormation's TemplateBody limit
  });
});

describe('teardown: everything is owned by a stack', () => {
  const STATEFUL = ['AWS::DynamoDB::Table', 'AWS::S3::Bucket', 'AWS::Logs::LogGroup', 'AWS::KMS::Key', 'AWS::SQS::Queue', 'AWS::Events::Archive'];

  it('every custom resource has its provider in the same stack (create and delete handled by it); stateful resources state their DeletionPolicy', () => {
    const problems: string[] = [];
    for (const stack of assembly.stacks) {
      const resources = (stack.template as { Resources: Record<string, { Type: string; DeletionPolicy?: string; Properties?: Record<string, unknown> }> }).Resources;
      for (const [id, r] of Object.entries(resources)) {
        if (r.Type.startsWith('Custom::') || r.Type === 'AWS::CloudFormation::CustomResource') {
          const token = JSON.stringify(r.Properties?.['ServiceToken'] ?? null);
          const provider = /"Fn::GetAtt":\["([^"]+)"/.exec(token)?.[1];
          if (!provider || !resources[provider]) problems.push(`${stack.stackName}/${id}: custom resource whose provider is not in the stack (${token})`);
        }
        if (STATEFUL.includes(r.Type) && r.DeletionPolicy === undefined) problems.push(`${stack.stackName}/${id}: ${r.Type} without an explicit DeletionPolicy`);
        if (r.Type === 'AWS::CloudFormation::StackSet' && (r.Properties?.['AutoDeployment'] as { RetainStacksOnAccountRemoval?: boolean })?.RetainStacksOnAccountRemoval !== false) {
          problems.push(`${stack.stackName}/${id}: StackSet that keeps stacks in accounts that leave`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('the org Lambda functions log to a log group their stack owns (none created out of band on first invoke)', () => {
    const t = template('Picket-OrgSecurity');
    const logGroups = Object.keys(t.findResources('AWS::Logs::LogGroup'));
    for (const fn of Object.values(t.findResources('AWS::Lambda::Function'))) {
      const ref = (fn.Properties.LoggingConfig as { LogGroup?: { Ref?: string } } | undefined)?.LogGroup?.Ref;
      expect(logGroups).toContain(ref);
    }
  });
});
