/**
 * The network side of ingest: the VPC(s) agents run in and the VPC endpoints that let an instance with
 * no internet route reach EventBridge (events), SSM (ssm, ssmmessages, ec2messages) and S3.
 *
 * - mode "new": a quick-start VPC with isolated subnets only (no NAT, no internet gateway).
 * - mode "existing": VPCs imported from ids and attributes given in the config (`Vpc.fromVpcAttributes`),
 *   so synth never calls AWS (`Vpc.fromLookup` would need credentials or a committed cdk.context.json).
 * - mode "none": no VPC and no endpoints.
 *
 * Endpoint security groups accept TCP 443 from the VPC CIDRs only. Endpoint policies allow principals of
 * this account (`aws:PrincipalAccount`), or of the organization (`aws:PrincipalOrgID`) when one is given;
 * the S3 gateway additionally allows anonymous reads of the AWS-owned buckets Amazon Linux package
 * repositories and the SSM agent are served from (dnf fetches them unsigned).
 */
import { Aws } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { ExistingVpc, InterfaceEndpointName, VpcConfig } from './config';

/** The endpoint service of each interface endpoint name (renders as `com.amazonaws.<region>.<name>`). */
const INTERFACE_SERVICES: Readonly<Record<InterfaceEndpointName, ec2.InterfaceVpcEndpointAwsService>> = {
  events: ec2.InterfaceVpcEndpointAwsService.EVENTBRIDGE,
  ssm: ec2.InterfaceVpcEndpointAwsService.SSM,
  ssmmessages: ec2.InterfaceVpcEndpointAwsService.SSM_MESSAGES,
  ec2messages: ec2.InterfaceVpcEndpointAwsService.EC2_MESSAGES,
};

/** Construct IDs of the endpoints (API: they name the CloudFormation resources). */
const ENDPOINT_IDS: Readonly<Record<InterfaceEndpointName, string>> = {
  events: 'Events',
  ssm: 'Ssm',
  ssmmessages: 'SsmMessages',
  ec2messages: 'Ec2Messages',
};

/** AWS-owned buckets instances read anonymously: AL2023 / AL2 package repos and SSM agent content. */
const AWS_OWNED_READ_BUCKETS = [
  `al2023-repos-${Aws.REGION}-de612dc2`,
  `amazonlinux-2-repos-${Aws.REGION}`,
  `amazonlinux.${Aws.REGION}.amazonaws.com`,
  `amazon-ssm-${Aws.REGION}`,
  `amazon-ssm-packages-${Aws.REGION}`,
  `aws-ssm-${Aws.REGION}`,
  `${Aws.REGION}-birdwatcher-prod`,
  `aws-ssm-document-attachments-${Aws.REGION}`,
  `patch-baseline-snapshot-${Aws.REGION}`,
] as const;

export interface PicketNetworkProps {
  /** Which VPC(s) and endpoints; `vpc` section of PicketConfig. */
  readonly vpc: VpcConfig;
  /**
   * When set, endpoint policies allow principals of this organization (`aws:PrincipalOrgID`) instead of
   * this account only.
   * @default - this account only (`aws:PrincipalAccount`)
   */
  readonly organizationId?: string;
}

/** One VPC Picket serves and its endpoint security group. */
export interface PicketVpc {
  readonly vpc: ec2.IVpc;
  /** Security group of the interface endpoints (443 from `cidrs` only); undefined when no interface endpoint. */
  readonly endpointSecurityGroup?: ec2.SecurityGroup;
  /** CIDRs allowed to reach the endpoints (tokens for a new VPC). */
  readonly cidrs: readonly string[];
  readonly interfaceEndpoints: Readonly<Partial<Record<InterfaceEndpointName, ec2.InterfaceVpcEndpoint>>>;
  readonly s3GatewayEndpoint?: ec2.GatewayVpcEndpoint;
}

export class PicketNetwork extends Construct {
  /** Every VPC Picket serves, in config order (empty in mode "none"). */
  readonly vpcs: readonly PicketVpc[];
  /** The quick-start VPC, when mode is "new". */
  readonly createdVpc?: ec2.Vpc;

  constructor(scope: Construct, id: string, props: PicketNetworkProps) {
    super(scope, id);
    const config = props.vpc;
    if (config.mode === 'none') {
      this.vpcs = [];
      return;
    }
    const principalCondition: Record<string, Record<string, string>> = props.organizationId
      ? { StringEquals: { 'aws:PrincipalOrgID': props.organizationId } }
      : { StringEquals: { 'aws:PrincipalAccount': Aws.ACCOUNT_ID } };

    if (config.mode === 'new') {
      const vpc = new ec2.Vpc(this, 'Vpc', {
        ipAddresses: ec2.IpAddresses.cidr(config.cidr),
        maxAzs: config.maxAzs,
        natGateways: 0,
        subnetConfiguration: [{ name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 20 }],
        restrictDefaultSecurityGroup: true,
      });
      this.createdVpc = vpc;
      this.vpcs = [this.addEndpoints(vpc, 'Endpoints', [config.cidr], { subnetType: ec2.SubnetType.PRIVATE_ISOLATED }, config.interfaceEndpoints, config.s3GatewayEndpoint, principalCondition)];
      return;
    }

    this.vpcs = config.vpcs.map((existing, index) => {
      const vpc = importVpc(this, `Existing${index}`, existing);
      return this.addEndpoints(vpc, `Endpoints${existing.vpcId}`, existing.cidrs, { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }, config.interfaceEndpoints, config.s3GatewayEndpoint, principalCondition);
    });
  }

  private addEndpoints(
    vpc: ec2.IVpc,
    id: string,
    cidrs: readonly string[],
    subnets: ec2.SubnetSelection,
    interfaceNames: readonly InterfaceEndpointName[],
    s3Gateway: boolean,
    principalCondition: Record<string, Record<string, string>>,
  ): PicketVpc {
    const scope = new Construct(this, id);
    let endpointSecurityGroup: ec2.SecurityGroup | undefined;
    const interfaceEndpoints: Partial<Record<InterfaceEndpointName, ec2.InterfaceVpcEndpoint>> = {};
    if (interfaceNames.length > 0) {
      endpointSecurityGroup = new ec2.SecurityGroup(scope, 'SecurityGroup', {
        vpc,
        description: 'Picket VPC endpoints: HTTPS from the VPC only',
        allowAllOutbound: false,
      });
      for (const cidr of cidrs) endpointSecurityGroup.addIngressRule(ec2.Peer.ipv4(cidr), ec2.Port.tcp(443), 'HTTPS from the VPC to AWS API endpoints');
      for (const name of interfaceNames) {
        const endpoint = new ec2.InterfaceVpcEndpoint(scope, ENDPOINT_IDS[name], {
          vpc,
          service: INTERFACE_SERVICES[name],
          privateDnsEnabled: true,
          securityGroups: [endpointSecurityGroup],
          subnets,
          // `open` would add an ingress rule for the primary CIDR only; the rules above cover every CIDR.
          open: false,
        });
        endpoint.addToPolicy(
          new iam.PolicyStatement({
            sid: 'OnlyOurPrincipals',
            principals: [new iam.AnyPrincipal()],
            actions: ['*'],
            resources: ['*'],
            conditions: principalCondition,
          }),
        );
        interfaceEndpoints[name] = endpoint;
      }
    }
    let s3GatewayEndpoint: ec2.GatewayVpcEndpoint | undefined;
    if (s3Gateway) {
      s3GatewayEndpoint = new ec2.GatewayVpcEndpoint(scope, 'S3Gateway', { vpc, service: ec2.GatewayVpcEndpointAwsService.S3, subnets: [subnets] });
      s3GatewayEndpoint.addToPolicy(
        new iam.PolicyStatement({ sid: 'OnlyOurPrincipals', principals: [new iam.AnyPrincipal()], actions: ['*'], resources: ['*'], conditions: principalCondition }),
      );
      s3GatewayEndpoint.addToPolicy(
        new iam.PolicyStatement({
          sid: 'AwsOwnedRepositoriesAndSsmContent',
          principals: [new iam.AnyPrincipal()],
          actions: ['s3:GetObject'],
          resources: AWS_OWNED_READ_BUCKETS.map((bucket) => `arn:${Aws.PARTITION}:s3:::${bucket}/*`),
        }),
      );
    }
    return { vpc, cidrs, interfaceEndpoints, ...(endpointSecurityGroup ? { endpointSecurityGroup } : {}), ...(s3GatewayEndpoint ? { s3GatewayEndpoint } : {}) };
  }
}

function importVpc(scope: Construct, id: string, existing: ExistingVpc): ec2.IVpc {
  return ec2.Vpc.fromVpcAttributes(scope, id, {
    vpcId: existing.vpcId,
    vpcCidrBlock: existing.cidrs[0]!,
    availabilityZones: [...existing.availabilityZones],
    privateSubnetIds: [...existing.subnetIds],
    privateSubnetRouteTableIds: [...existing.routeTableIds],
  });
}
