/**
 * One org asset bucket per region, `${prefix}-${region}`, in the management (or delegated-admin)
 * account: member templates and Lambda code of the member stacks are published here
 * (`cdk publish-assets`, docs/org.md), and StackSet instances in every account of the organization
 * read them from the bucket of their own region. Reads are allowed to principals of the organization
 * only (aws:PrincipalOrgID); writes stay with the owning account.
 *
 * Synthesized without bootstrap (PicketNoAssetsSynthesizer: no assets of its own) because it is what
 * the other org stacks publish into.
 */
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { PicketNoAssetsSynthesizer } from './no-assets-synthesizer';
import { requireProp } from '../prop-validation';

export interface PicketOrgAssetBucketStackProps extends StackProps {
  /** The organization allowed to read (`o-…`). */
  readonly organizationId: string;
  /** Bucket name prefix; the bucket is `${prefix}-${region}`. */
  readonly bucketPrefix: string;
  /** The region of the bucket (the stack is bound to it). */
  readonly region: string;
  /** Management or delegated-admin account. @default - env-agnostic account */
  readonly account?: string;
}

export class PicketOrgAssetBucketStack extends Stack {
  readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: PicketOrgAssetBucketStackProps) {
    super(scope, id, {
      ...props,
      env: { region: props.region, ...(props.account ? { account: props.account } : {}) },
      synthesizer: new PicketNoAssetsSynthesizer(),
      description: `Picket org asset bucket for ${props.region}: member templates and Lambda code, readable by the organization`,
    });
    requireProp(/^o-[a-z0-9]{10,32}$/.test(props.organizationId), 'PicketOrgAssetBucketStackProps.organizationId', props.organizationId, 'an organization id "o-…"', 'set org.organizationId');
    this.bucket = new s3.Bucket(this, 'AssetBucket', {
      bucketName: `${props.bucketPrefix}-${props.region}`,
      encryption: s3.BucketEncryption.S3_MANAGED, // SSE-S3: readable cross-account without a KMS key policy per member
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(90) }],
      // Retained: StackSet instances keep referring to their template and code until they are updated or deleted.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'OrganizationReadsMemberAssets',
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:GetObject', 's3:GetObjectVersion'],
        resources: [this.bucket.arnForObjects('*')],
        conditions: { StringEquals: { 'aws:PrincipalOrgID': props.organizationId } },
      }),
    );
    new CfnOutput(this, 'AssetBucketName', { value: this.bucket.bucketName, description: 'Publish member assets here: cdk publish-assets (docs/org.md)' });
  }
}
