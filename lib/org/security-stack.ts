/**
 * The security-account stack: the org findings bus (organization-only, Picket sources only), the
 * aggregated findings and coverage tables with the aggregator, the org dashboard, the org-wide intel
 * bucket (threat lists the member detectors read) and, with org.centralResponse, the central responder
 * role that may start isolation in member accounts. Deployed with `cdk deploy` in the security account
 * (which is bootstrapped: the aggregator's code is an asset).
 */
import { Aws, CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import type { PicketConfig } from '../config';
import { assetBucketPrefixOf } from '../config-org';
import { PropError } from '../prop-validation';
import { PicketOrgAggregation } from './aggregation';
import { PicketOrgDashboard } from './dashboard';
import { orgSuppression } from './member-variants';
import { CENTRAL_RESPONDER_ROLE_NAME, MEMBER_RESPONSE_ROLE_PREFIX } from './names';
import { PicketOrgBus } from './org-bus';

export interface PicketOrgSecurityStackProps extends StackProps {
  /** The validated config with org.enabled. */
  readonly config: PicketConfig;
}

/** Name of the org-wide intel bucket (threat lists), from the org config. */
export function orgIntelBucketName(config: PicketConfig): string {
  return `${assetBucketPrefixOf(config.org)}-intel`;
}

export class PicketOrgSecurityStack extends Stack {
  readonly orgBus: PicketOrgBus;
  readonly aggregation: PicketOrgAggregation;
  readonly dashboard: PicketOrgDashboard;
  readonly intelBucket: s3.Bucket;
  readonly centralResponderRole?: iam.Role;

  constructor(scope: Construct, id: string, props: PicketOrgSecurityStackProps) {
    const { org } = props.config;
    if (!org.organizationId || !org.securityAccountId || !org.securityRegion) {
      throw new PropError('PicketOrgSecurityStackProps.config.org', org, 'organizationId, securityAccountId and securityRegion', 'validate the config with loadConfig and org.enabled true');
    }
    super(scope, id, {
      description: 'Picket security account: org findings bus, aggregated findings and coverage, dashboard, org intel',
      ...props,
      env: { account: org.securityAccountId, region: org.securityRegion },
    });
    const retain = org.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    this.orgBus = new PicketOrgBus(this, 'OrgBus', { organizationId: org.organizationId, busName: org.orgBusName });
    this.aggregation = new PicketOrgAggregation(this, 'Aggregation', { orgBus: this.orgBus.bus, suppression: orgSuppression(props.config), retainData: org.retainData });
    this.dashboard = new PicketOrgDashboard(this, 'Dashboard', { dashboardName: `${props.config.stackName}-org`, aggregator: this.aggregation.function, deadLetterQueue: this.aggregation.deadLetterQueue });

    this.intelBucket = new s3.Bucket(this, 'IntelBucket', {
      bucketName: orgIntelBucketName(props.config),
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(90) }],
      removalPolicy: retain,
      autoDeleteObjects: false,
    });
    this.intelBucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'OrganizationReadsThreatLists',
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:GetObject', 's3:ListBucket'],
        resources: [this.intelBucket.bucketArn, this.intelBucket.arnForObjects('*')],
        conditions: { StringEquals: { 'aws:PrincipalOrgID': org.organizationId } },
      }),
    );

    if (org.centralResponse) {
      this.centralResponderRole = new iam.Role(this, 'CentralResponderRole', {
        roleName: CENTRAL_RESPONDER_ROLE_NAME,
        description: 'Picket central response: assumes the member response roles to start isolation there',
        assumedBy: new iam.AccountPrincipal(org.securityAccountId),
      });
      this.centralResponderRole.addToPolicy(
        new iam.PolicyStatement({
          actions: ['sts:AssumeRole'],
          resources: [`arn:${Aws.PARTITION}:iam::*:role/${MEMBER_RESPONSE_ROLE_PREFIX}*`],
          conditions: { StringEquals: { 'aws:ResourceOrgID': org.organizationId } },
        }),
      );
      new CfnOutput(this, 'CentralResponderRoleArn', { value: this.centralResponderRole.roleArn, description: 'Assume this role to run isolation in member accounts' });
    }

    const out = (oid: string, value: string, description: string): void => {
      new CfnOutput(this, oid, { value, description });
    };
    out('OrgBusArn', this.orgBus.bus.eventBusArn, 'Org findings bus (member stacks forward to it)');
    out('OrgFindingsTable', this.aggregation.findingsTable.tableName, 'picket findings --org --table <this>');
    out('OrgCoverageTable', this.aggregation.coverageTable.tableName, 'picket coverage --org --table <this>');
    out('OrgIntelBucket', this.intelBucket.bucketName, 'Org-wide threat lists (add to detector.threatListBuckets)');
    out('OrgDashboard', this.dashboard.dashboard.dashboardName, 'CloudWatch dashboard of the organization');
  }
}
