/**
 * A non-default config in one synth: two existing VPCs (offline, from ids and attributes), an
 * organization, KMS queues, an archive, no instance role, only the events interface endpoint, and a
 * fixed account/region.
 */
import { Match } from 'aws-cdk-lib/assertions';
import { configFrom, countUnder, type Synthesized, synthesize } from './helpers';

const vpcA = {
  vpcId: 'vpc-0a0a0a0a0a0a0a0a0',
  cidrs: ['10.1.0.0/16', '100.64.0.0/20'],
  subnetIds: ['subnet-0a0a0a0a0a0a0a0a1', 'subnet-0a0a0a0a0a0a0a0a2'],
  availabilityZones: ['eu-west-1a', 'eu-west-1b'],
  // both subnets share one route table: the gateway endpoint must list it once
  routeTableIds: ['rtb-0a0a0a0a0a0a0a0a1', 'rtb-0a0a0a0a0a0a0a0a1'],
};
const vpcB = {
  vpcId: 'vpc-0b0b0b0b0b0b0b0b0',
  cidrs: ['10.2.0.0/16'],
  subnetIds: ['subnet-0b0b0b0b0b0b0b0b1'],
  availabilityZones: ['eu-west-1c'],
  routeTableIds: ['rtb-0b0b0b0b0b0b0b0b1'],
};

let s: Synthesized;
beforeAll(() => {
  s = synthesize(
    configFrom({
      account: '123456789012',
      region: 'eu-west-1',
      vpc: { mode: 'existing', vpcs: [vpcA, vpcB], interfaceEndpoints: ['events'] },
      ingest: { createInstanceRole: false, queueEncryption: 'kms', archiveRetentionDays: 30 },
      org: { organizationId: 'o-a1b2c3d4e5' },
    }),
  );
});

describe('existing VPCs', () => {
  it('creates no VPC and no subnet', () => {
    s.template.resourceCountIs('AWS::EC2::VPC', 0);
    s.template.resourceCountIs('AWS::EC2::Subnet', 0);
  });

  it.each([vpcA, vpcB])('$vpcId gets the events endpoint in its subnets and an S3 gateway on its route tables', (vpc) => {
    s.template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      VpcId: vpc.vpcId,
      VpcEndpointType: 'Interface',
      // with a concrete region CDK renders the service name as a literal
      ServiceName: 'com.amazonaws.eu-west-1.events',
      SubnetIds: vpc.subnetIds,
      PrivateDnsEnabled: true,
    });
    s.template.hasResourceProperties('AWS::EC2::VPCEndpoint', { VpcId: vpc.vpcId, VpcEndpointType: 'Gateway', RouteTableIds: [...new Set(vpc.routeTableIds)] });
  });

  it('only the configured interface endpoints exist', () => {
    const interfaces = s.template.findResources('AWS::EC2::VPCEndpoint', { Properties: { VpcEndpointType: 'Interface' } });
    const names = Object.values(interfaces).map((r) => (r as { Properties: { ServiceName: unknown } }).Properties.ServiceName);
    expect(names).toEqual(['com.amazonaws.eu-west-1.events', 'com.amazonaws.eu-west-1.events']);
  });

  it.each([vpcA, vpcB])('the endpoint security group of $vpcId admits 443 from each of its CIDRs and nothing else', (vpc) => {
    s.template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      VpcId: vpc.vpcId,
      SecurityGroupIngress: vpc.cidrs.map((cidr) => ({ CidrIp: cidr, IpProtocol: 'tcp', FromPort: 443, ToPort: 443, Description: Match.anyValue() })),
    });
  });

  it('endpoint policies allow the organization instead of the account', () => {
    const endpoints = s.template.findResources('AWS::EC2::VPCEndpoint');
    expect(Object.keys(endpoints)).toHaveLength(4);
    for (const endpoint of Object.values(endpoints)) {
      const statements = (endpoint as { Properties: { PolicyDocument: { Statement: { Sid: string; Condition?: unknown }[] } } }).Properties.PolicyDocument.Statement;
      expect(statements.find((st) => st.Sid === 'OnlyOurPrincipals')!.Condition).toEqual({ StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } });
    }
  });
});

describe('other ingest options', () => {
  it('queues are encrypted with a rotated customer-managed key that EventBridge may use', () => {
    const keyArn = { 'Fn::GetAtt': [s.stack.getLogicalId(s.stack.ingest.queueKey!.node.defaultChild as never), 'Arn'] };
    s.template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    // The ingest queues (detector queue and its DLQ) use the ingest key; other constructs' queues choose their own.
    const queues = Object.fromEntries(Object.entries(s.template.findResources('AWS::SQS::Queue')).filter(([id]) => id.startsWith('Ingest')));
    expect(Object.keys(queues)).toHaveLength(2);
    for (const queue of Object.values(queues)) expect((queue as { Properties: { KmsMasterKeyId: unknown } }).Properties.KmsMasterKeyId).toEqual(keyArn);
    s.template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'events.amazonaws.com' }, Action: Match.arrayWith(['kms:GenerateDataKey*']) })]) },
    });
  });

  it('the runtime events are archived for the configured days', () => {
    s.template.hasResourceProperties('AWS::Events::Archive', { RetentionDays: 30, EventPattern: { source: [{ prefix: 'picket.agent/' }] } });
  });

  it('no instance role when the user brings their own; the agent policy is still there to attach', () => {
    expect(countUnder(s.template, 'AWS::IAM::InstanceProfile', 'Ingest')).toBe(0);
    expect(countUnder(s.template, 'AWS::IAM::ManagedPolicy', 'Ingest')).toBe(1);
    expect(s.stack.ingest.instanceRole).toBeUndefined();
  });

  it('the stack is bound to the configured environment', () => {
    expect(s.stack.account).toBe('123456789012');
    expect(s.stack.region).toBe('eu-west-1');
  });
});
