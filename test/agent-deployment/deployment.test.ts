/** Template tests of the agent deployment with defaults (tag mode): document, association, asset, IAM. */
import { Match } from 'aws-cdk-lib/assertions';
import { loadAgentSsmDocument } from '../../lib/agent-deployment';
import { synthAgentDeployment } from './helpers';

const { template, deployment, stack } = synthAgentDeployment();
const param = (name: string): unknown => Match.objectLike({ Parameters: Match.objectLike({ [name]: Match.anyValue() }) });

describe('SSM document resource', () => {
  it('is a Linux Command document whose content is exactly the JSON data', () => {
    template.hasResourceProperties('AWS::SSM::Document', {
      DocumentType: 'Command',
      DocumentFormat: 'JSON',
      TargetType: '/AWS::EC2::Instance',
      Content: loadAgentSsmDocument(),
    });
  });
});

describe('State Manager association (defaults)', () => {
  it('targets the opt-in tag PicketManaged=true and runs the document', () => {
    template.hasResourceProperties('AWS::SSM::Association', {
      Name: { Ref: Match.stringLikeRegexp('^AgentDeploymentInstallDocument') },
      Targets: [{ Key: 'tag:PicketManaged', Values: ['true'] }],
    });
  });

  it('rate-controls the rollout, reports compliance and re-applies every 30 minutes', () => {
    template.hasResourceProperties('AWS::SSM::Association', {
      MaxConcurrency: '10%',
      MaxErrors: '10%',
      ComplianceSeverity: 'HIGH',
      SyncCompliance: 'AUTO',
      ApplyOnlyAtCronInterval: false,
      ScheduleExpression: 'rate(30 minutes)',
      AssociationName: 'picket-agent',
    });
  });

  it('passes GuardDuty limit defaults (computed on the instance) and the delivery settings', () => {
    template.hasResourceProperties('AWS::SSM::Association', {
      Parameters: Match.objectLike({
        action: ['Install'],
        cpuQuotaPercent: ['10'],
        memoryMaxMb: ['auto'],
        flushIntervalMs: ['1000'],
        spoolMaxMb: ['256'],
        eventsEndpoint: [''],
        excludeTagKey: ['PicketManaged'],
        excludeTagValue: ['false'],
        region: [{ Ref: 'AWS::Region' }],
      }),
    });
  });

  it('passes the bus ARN of the bus it was given', () => {
    template.hasResourceProperties('AWS::SSM::Association', {
      Parameters: Match.objectLike({ eventBusArn: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^Bus'), 'Arn'] }] }),
    });
  });

  it('passes the bundle asset location and its SHA-256 (64 hex digits)', () => {
    template.hasResourceProperties('AWS::SSM::Association', param('bundleBucket'));
    const params = deployment.associationParameters;
    expect(stack.resolve(params.bundleBucket)).toEqual({ 'Fn::Sub': expect.stringContaining('cdk-hnb659fds-assets-') });
    expect(stack.resolve(params.bundleKey)).toMatch(/^[0-9a-f]{64}\.zip$/);
    expect(params.bundleSha256).toMatch(/^[0-9a-f]{64}$/);
    template.hasResourceProperties('AWS::SSM::Association', {
      Parameters: Match.objectLike({ bundleKey: [stack.resolve(params.bundleKey)], bundleSha256: [params.bundleSha256] }),
    });
  });

  it('gives every document parameter a value that passes the parameter\'s allowedPattern', () => {
    const doc = loadAgentSsmDocument();
    const params = deployment.associationParameters;
    expect(Object.keys(params).sort()).toEqual(Object.keys(doc.parameters).sort());
    for (const [name, value] of Object.entries(params)) {
      const resolved = stack.resolve(value);
      if (typeof resolved !== 'string') continue; // bucket, bus ARN and region are deploy-time tokens
      const spec = doc.parameters[name]!;
      if (spec.allowedValues) expect(spec.allowedValues).toContain(resolved);
      else expect({ name, ok: new RegExp(spec.allowedPattern!).test(resolved) }).toEqual({ name, ok: true });
    }
  });
});

describe('bundle read access for instances', () => {
  it('allows s3:GetObject on exactly the bundle object, and nothing account-wide in tag mode', () => {
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: [
          Match.objectLike({ Sid: 'ReadPicketAgentBundle', Action: 's3:GetObject', Effect: 'Allow', Resource: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(`/${stack.resolve(deployment.associationParameters.bundleKey)}$`)])] } }),
          Match.objectLike({ Sid: 'LocateBundleBucket', Action: 's3:GetBucketLocation' }),
        ],
      },
    });
  });

  it('attaches the policy to the instance roles it was given', () => {
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: Match.objectLike({ Statement: Match.arrayWith([Match.objectLike({ Sid: 'ReadPicketAgentBundle' })]) }),
      Roles: [{ Ref: Match.stringLikeRegexp('^InstanceRole') }],
    });
  });
});
