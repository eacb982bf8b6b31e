/** VPC endpoints of the quick-start VPC (default config): services, private DNS, policies, security group. One synth. */
import { Match } from 'aws-cdk-lib/assertions';
import { DEFAULT_CONFIG, type NewVpcConfig } from '../../lib/config';
import { countUnder, regionalServiceName, type Synthesized, synthesize } from './helpers';

let s: Synthesized;
beforeAll(() => {
  s = synthesize(DEFAULT_CONFIG);
});

const vpcConfig = DEFAULT_CONFIG.vpc as NewVpcConfig;
const accountOnly = { StringEquals: { 'aws:PrincipalAccount': { Ref: 'AWS::AccountId' } } };

describe('quick-start VPC', () => {
  it('is new, with isolated subnets only: no NAT, no internet gateway', () => {
    s.template.resourceCountIs('AWS::EC2::VPC', 1);
    s.template.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: vpcConfig.cidr });
    s.template.resourceCountIs('AWS::EC2::NatGateway', 0);
    s.template.resourceCountIs('AWS::EC2::InternetGateway', 0);
    s.template.resourceCountIs('AWS::EC2::Subnet', 2);
  });
});

describe('interface endpoints', () => {
  it.each(['events', 'ssm', 'ssmmessages', 'ec2messages'])('com.amazonaws.<region>.%s: private DNS, the endpoint security group, account-only policy', (name) => {
    s.template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      ServiceName: regionalServiceName(name),
      VpcEndpointType: 'Interface',
      PrivateDnsEnabled: true,
      SecurityGroupIds: [{ 'Fn::GetAtt': [s.stack.getLogicalId(s.stack.ingest.endpointSecurityGroups[0]!.node.defaultChild as never), 'GroupId'] }],
      SubnetIds: Match.arrayWith([Match.objectLike({ Ref: Match.stringLikeRegexp('IsolatedSubnet') })]),
      PolicyDocument: {
        Statement: [{ Sid: 'OnlyOurPrincipals', Effect: 'Allow', Principal: { AWS: '*' }, Action: '*', Resource: '*', Condition: Match.exact(accountOnly) }],
      },
    });
  });

  it('exactly four interface endpoints and one gateway endpoint', () => {
    expect(Object.keys(s.template.findResources('AWS::EC2::VPCEndpoint', { Properties: { VpcEndpointType: 'Interface' } }))).toHaveLength(4);
    expect(Object.keys(s.template.findResources('AWS::EC2::VPCEndpoint', { Properties: { VpcEndpointType: 'Gateway' } }))).toHaveLength(1);
  });
});

describe('S3 gateway endpoint', () => {
  it('com.amazonaws.<region>.s3 on every subnet route table, account principals plus read of AWS-owned repositories', () => {
    s.template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      ServiceName: regionalServiceName('s3'),
      VpcEndpointType: 'Gateway',
      RouteTableIds: [Match.objectLike({ Ref: Match.stringLikeRegexp('IsolatedSubnet1RouteTable') }), Match.objectLike({ Ref: Match.stringLikeRegexp('IsolatedSubnet2RouteTable') })],
      PolicyDocument: {
        Statement: [
          { Sid: 'OnlyOurPrincipals', Effect: 'Allow', Principal: { AWS: '*' }, Action: '*', Resource: '*', Condition: Match.exact(accountOnly) },
          {
            Sid: 'AwsOwnedRepositoriesAndSsmContent',
            Effect: 'Allow',
            Principal: { AWS: '*' },
            Action: 's3:GetObject',
            Resource: Match.arrayWith([{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::al2023-repos-', { Ref: 'AWS::Region' }, '-de612dc2/*']] }]),
            Condition: Match.absent(),
          },
        ],
      },
    });
  });

  it('the anonymous statement only reads objects of AWS-owned buckets (no wildcard bucket, no write)', () => {
    const endpoint = Object.values(s.template.findResources('AWS::EC2::VPCEndpoint', { Properties: { VpcEndpointType: 'Gateway' } }))[0] as {
      Properties: { PolicyDocument: { Statement: { Sid: string; Action: unknown; Resource: unknown[] }[] } };
    };
    const anonymous = endpoint.Properties.PolicyDocument.Statement.find((st) => st.Sid === 'AwsOwnedRepositoriesAndSsmContent')!;
    expect(anonymous.Action).toBe('s3:GetObject');
    for (const resource of anonymous.Resource) {
      const text = JSON.stringify(resource);
      expect(text).toMatch(/:s3:::.+\/\*"\]\]\}$/);
      expect(text).not.toMatch(/:s3:::\*/);
    }
  });
});

describe('endpoint security group', () => {
  it('allows TCP 443 from the VPC CIDR only, and no egress', () => {
    expect(countUnder(s.template, 'AWS::EC2::SecurityGroup', 'Ingest')).toBe(1);
    s.template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupIngress: [{ CidrIp: vpcConfig.cidr, IpProtocol: 'tcp', FromPort: 443, ToPort: 443, Description: Match.anyValue() }],
      SecurityGroupEgress: [Match.objectLike({ CidrIp: '255.255.255.255/32', Description: 'Disallow all traffic' })],
    });
    s.template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
  });
});
