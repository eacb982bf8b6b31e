/**
 * Synthesizer of the member stack: a StackSet instance in a member account has no CDK bootstrap
 * (no `cdk-…-assets-…` bucket, no bootstrap roles, no BootstrapVersion parameter), so the template
 * must not point at one. Lambda code and the template itself go to the org asset bucket of the region
 * the instance runs in, `${prefix}-${AWS::Region}` (lib/org/asset-bucket-stack.ts: readable by the
 * organization only), and are published from the management or delegated-admin account with that
 * account's CLI credentials (`cdk publish-assets`, once per region; docs/org.md).
 *
 * It also remembers the object key of the template, so the management stack can point its StackSets
 * (and the management account's own copy) at exactly this template version.
 */
import { CliCredentialsStackSynthesizer, type FileAssetLocation, type FileAssetSource, type IBoundStackSynthesizer, type Stack } from 'aws-cdk-lib';
import { MEMBER_ASSET_KEY_PREFIX } from './names';

export interface PicketOrgMemberSynthesizerProps {
  /** Asset buckets are `${bucketPrefix}-${region}`, one per region. */
  readonly assetBucketPrefix: string;
}

export class PicketOrgMemberSynthesizer extends CliCredentialsStackSynthesizer {
  readonly assetBucketPrefix: string;
  private templateKey?: string;

  constructor(props: PicketOrgMemberSynthesizerProps) {
    super({ fileAssetsBucketName: `${props.assetBucketPrefix}-\${AWS::Region}`, bucketPrefix: MEMBER_ASSET_KEY_PREFIX });
    this.assetBucketPrefix = props.assetBucketPrefix;
  }

  /** One instance per member stack: bind this very instance (the default clones it) so the template key stays readable here. */
  override reusableBind(stack: Stack): IBoundStackSynthesizer {
    this.bind(stack);
    return this;
  }

  override addFileAsset(asset: FileAssetSource): FileAssetLocation {
    const location = super.addFileAsset(asset);
    if (asset.fileName !== undefined && asset.fileName === this.boundStack.templateFile) this.templateKey = location.objectKey;
    return location;
  }

  /**
   * Object key of the synthesized template in every asset bucket, or undefined before this stack is
   * synthesized. CDK resolves every token once before synthesis (to find cross-stack references): the
   * management stack then gets a placeholder; it is itself synthesized after the member stacks (it is
   * created after them), when the key is known.
   */
  get templateObjectKey(): string | undefined {
    return this.templateKey;
  }
}
