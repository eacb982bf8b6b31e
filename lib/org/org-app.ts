/**
 * Builds the org stacks of a config with org.enabled (called by buildApp):
 *   <stackName>                     base member stack (PicketStack + forwarding), StackSet template
 *   <stackName>-<scope>             one member variant per scope with other settings
 *   <stackName>-OrgAssets-<region>  org asset bucket per region (management / delegated-admin account)
 *   <stackName>-OrgSecurity         org bus, aggregated tables, dashboard, intel (security account)
 *   <stackName>-OrgManagement       the StackSets (+ the member stack in the management account, callAs SELF)
 *   <stackName>-OrgManagementAccount  the member stack in the management account (callAs DELEGATED_ADMIN)
 * Member stacks are created first: the management stack reads their template keys at synthesis.
 */
import type { App } from 'aws-cdk-lib';
import type { PicketConfig } from '../config';
import { assetBucketPrefixOf } from '../config-org';
import { PropError } from '../prop-validation';
import { PicketOrgAssetBucketStack } from './asset-bucket-stack';
import { PicketOrgManagementAccountStack, PicketOrgManagementStack } from './management-stack';
import { PicketOrgMemberStack } from './member-stack';
import { PicketOrgMemberSynthesizer } from './member-synthesizer';
import { BASE_VARIANT, memberVariantConfig, planStackSets, type StackSetPlan } from './member-variants';
import { PicketOrgSecurityStack } from './security-stack';

export interface PicketOrgStacks {
  /** Base member stack first, then one per scope that has a StackSet. */
  readonly members: readonly PicketOrgMemberStack[];
  readonly assetBuckets: readonly PicketOrgAssetBucketStack[];
  readonly security: PicketOrgSecurityStack;
  readonly management: PicketOrgManagementStack;
  /** With deployToManagementAccount and callAs DELEGATED_ADMIN: the member stack for the management account. */
  readonly managementAccount?: PicketOrgManagementAccountStack;
  readonly plans: readonly StackSetPlan[];
}

/** Stack id of a member variant. */
export function memberStackId(config: PicketConfig, variant: string): string {
  return variant === BASE_VARIANT ? config.stackName : `${config.stackName}-${variant}`;
}

export function buildOrgStacks(app: App, config: PicketConfig): PicketOrgStacks {
  const { org } = config;
  if (!org.enabled || !org.organizationId || !org.homeRegion) {
    throw new PropError('config.org', org, 'org.enabled with organizationId and homeRegion (a config validated by loadConfig)', 'set org.enabled, org.organizationId and org.homeRegion');
  }
  const prefix = assetBucketPrefixOf(org);
  const plans = planStackSets(org);
  const variants = [BASE_VARIANT, ...plans.map((p) => p.variant).filter((v) => v !== BASE_VARIANT)];
  const members = variants.map(
    (variant) =>
      new PicketOrgMemberStack(app, memberStackId(config, variant), {
        config: memberVariantConfig(config, variant),
        synthesizer: new PicketOrgMemberSynthesizer({ assetBucketPrefix: prefix }),
      }),
  );
  const regions = [...new Set([org.homeRegion, ...org.regions])];
  const assetBuckets = regions.map(
    (region) =>
      new PicketOrgAssetBucketStack(app, `${config.stackName}-OrgAssets-${region}`, {
        organizationId: org.organizationId!,
        bucketPrefix: prefix,
        region,
        ...(org.managementAccountId ? { account: org.managementAccountId } : {}),
      }),
  );
  const security = new PicketOrgSecurityStack(app, `${config.stackName}-OrgSecurity`, { config });
  const management = new PicketOrgManagementStack(app, `${config.stackName}-OrgManagement`, {
    config,
    plans,
    templates: variants.map((variant, i) => ({ variant, synthesizer: members[i]!.memberSynthesizer })),
  });
  const managementAccount =
    org.deployToManagementAccount && org.callAs === 'DELEGATED_ADMIN'
      ? new PicketOrgManagementAccountStack(app, `${config.stackName}-OrgManagementAccount`, { config, template: { variant: BASE_VARIANT, synthesizer: members[0]!.memberSynthesizer } })
      : undefined;
  return { members, assetBuckets, security, management, plans, ...(managementAccount ? { managementAccount } : {}) };
}
