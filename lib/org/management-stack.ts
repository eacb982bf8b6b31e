/**
 * The management-account stack (run from the management account, or from a delegated administrator
 * with callAs DELEGATED_ADMIN): one service-managed StackSet per member variant, auto-deployed to the
 * configured OUs and regions (new accounts included, stacks removed when an account leaves), and, when
 * asked, the base member stack in the management account itself, which StackSets never reach.
 *
 * Templates come from the org asset bucket of the home region (published by `cdk publish-assets`).
 * Synthesized without bootstrap: it has no assets of its own.
 */
import { Aws, CfnOutput, CfnStack, Lazy, Stack, type StackProps } from 'aws-cdk-lib';
import * as cloudformation from 'aws-cdk-lib/aws-cloudformation';
import type { Construct } from 'constructs';
import { PicketNoAssetsSynthesizer } from './no-assets-synthesizer';
import type { PicketConfig } from '../config';
import { assetBucketPrefixOf } from '../config-org';
import { PropError } from '../prop-validation';
import { BASE_VARIANT, type StackSetPlan } from './member-variants';
import type { PicketOrgMemberSynthesizer } from './member-synthesizer';

/** Stands in for a member template key while CDK resolves tokens before synthesis; never in a synthesized template. */
export const PENDING_TEMPLATE_KEY = 'picket-member-template-not-synthesized-yet';

export interface PicketOrgMemberTemplate {
  /** 'base' or a scope name. */
  readonly variant: string;
  /** The member stack's synthesizer (knows the template's object key once synthesized). */
  readonly synthesizer: PicketOrgMemberSynthesizer;
}

export interface PicketOrgManagementStackProps extends StackProps {
  readonly config: PicketConfig;
  /** One per variant in `plans`. */
  readonly templates: readonly PicketOrgMemberTemplate[];
  /** planStackSets(config.org). */
  readonly plans: readonly StackSetPlan[];
}

export class PicketOrgManagementStack extends Stack {
  readonly stackSets: Readonly<Record<string, cloudformation.CfnStackSet>>;
  /** The base member stack in the management account, when org.deployToManagementAccount. */
  readonly managementAccountMember?: CfnStack;

  constructor(scope: Construct, id: string, props: PicketOrgManagementStackProps) {
    const { org, stackName } = props.config;
    if (!org.homeRegion) throw new PropError('PicketOrgManagementStackProps.config.org.homeRegion', undefined, 'the StackSet home region', 'set org.homeRegion');
    super(scope, id, {
      description: 'Picket management account: StackSets of the Picket member stack across the organization',
      ...props,
      env: { region: org.homeRegion, ...(org.managementAccountId ? { account: org.managementAccountId } : {}) },
      synthesizer: new PicketNoAssetsSynthesizer(),
    });
    const templateUrl = (variant: string): string => {
      const template = props.templates.find((t) => t.variant === variant);
      if (!template) throw new PropError('PicketOrgManagementStackProps.templates', props.templates.map((t) => t.variant), `a member template for variant "${variant}"`, 'build one member stack per planned variant');
      return PicketOrgManagementStack.memberTemplateUrl(props.config, template);
    };

    const stackSets: Record<string, cloudformation.CfnStackSet> = {};
    for (const plan of props.plans) {
      const name = plan.variant === BASE_VARIANT ? `${stackName}-member` : `${stackName}-member-${plan.variant}`;
      stackSets[plan.variant] = new cloudformation.CfnStackSet(this, plan.variant === BASE_VARIANT ? 'MemberStackSet' : `MemberStackSet-${plan.variant}`, {
        stackSetName: name,
        description: `Picket member stack, scope "${plan.variant}"`,
        permissionModel: 'SERVICE_MANAGED',
        autoDeployment: { enabled: true, retainStacksOnAccountRemoval: false },
        callAs: org.callAs,
        capabilities: ['CAPABILITY_NAMED_IAM'],
        managedExecution: { Active: true },
        operationPreferences: {
          maxConcurrentPercentage: org.stackSet.maxConcurrentPercentage,
          failureTolerancePercentage: org.stackSet.failureTolerancePercentage,
          regionConcurrencyType: org.stackSet.regionConcurrency,
        },
        stackInstancesGroup: plan.groups.map((g) => ({
          deploymentTargets: {
            organizationalUnitIds: [...g.organizationalUnitIds],
            ...(g.accountFilterType !== 'NONE' ? { accounts: [...g.accounts], accountFilterType: g.accountFilterType } : {}),
          },
          regions: [...g.regions],
        })),
        templateUrl: templateUrl(plan.variant),
      });
      new CfnOutput(this, plan.variant === BASE_VARIANT ? 'MemberStackSetName' : `MemberStackSetName${plan.variant.replace(/-/g, '')}`, { value: name, description: `StackSet of scope "${plan.variant}" (picket org status)` });
    }
    this.stackSets = stackSets;

    // From the management account itself, its own member stack is a stack this one owns (deleting the
    // management stack deletes it too). From a delegated administrator, this stack is not in the management
    // account: PicketOrgManagementAccountStack carries it instead.
    if (org.deployToManagementAccount && org.callAs === 'SELF') {
      this.managementAccountMember = new CfnStack(this, 'ManagementAccountMember', { templateUrl: templateUrl(BASE_VARIANT) });
    }
  }

  /** The S3 URL of a member variant's template in the home-region asset bucket (resolved at synthesis). */
  static memberTemplateUrl(config: PicketConfig, template: PicketOrgMemberTemplate): string {
    const { org } = config;
    const key = Lazy.uncachedString({ produce: () => template.synthesizer.templateObjectKey ?? PENDING_TEMPLATE_KEY });
    return `https://${assetBucketPrefixOf(org)}-${org.homeRegion}.s3.${org.homeRegion}.${Aws.URL_SUFFIX}/${key}`;
  }
}

export interface PicketOrgManagementAccountStackProps extends StackProps {
  readonly config: PicketConfig;
  /** The base member template. */
  readonly template: PicketOrgMemberTemplate;
}

/**
 * The member stack in the management account when the StackSets are run from a delegated administrator
 * (StackSets never deploy to the management account). Deployed with the management account's
 * credentials; it reads the base member template from the delegated admin's asset bucket (the bucket
 * policy admits every principal of the organization). Synthesized without bootstrap.
 */
export class PicketOrgManagementAccountStack extends Stack {
  readonly member: CfnStack;

  constructor(scope: Construct, id: string, props: PicketOrgManagementAccountStackProps) {
    const { org } = props.config;
    super(scope, id, {
      description: 'Picket member stack in the management account (StackSets do not reach it)',
      ...props,
      env: { region: org.homeRegion, ...(org.managementAccountId ? { account: org.managementAccountId } : {}) },
      synthesizer: new PicketNoAssetsSynthesizer(),
    });
    this.member = new CfnStack(this, 'ManagementAccountMember', { templateUrl: PicketOrgManagementStack.memberTemplateUrl(props.config, props.template) });
  }
}
