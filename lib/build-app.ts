/**
 * Builds the whole Picket CDK app from a validated config. Used by bin/app.ts (the CDK CLI entry point),
 * `npm start`, the tests and the synth benchmark, so all of them synthesize exactly the same thing.
 */
import { App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { PicketConfig } from './config';
import { PICKET_FEATURE_FLAGS } from './feature-flags';
import { applyNagAcknowledgements } from './nag-acknowledgements';
import { applyOrgNagAcknowledgements } from './org/org-nag';
import { buildOrgStacks, type PicketOrgStacks } from './org/org-app';
import { PicketStack } from './picket-stack';

/** Context key that lists the stacks whose assets are bundled; `[]` skips all bundling. */
export const BUNDLING_STACKS_CONTEXT_KEY = 'aws:cdk:bundling-stacks';

export interface BuildAppOptions {
  /**
   * Add the stacks to this app (bin/app.ts passes the one holding the CLI's context). It must have no
   * children yet.
   * @default - a new App with Picket's feature flags
   */
  readonly app?: App;
  /**
   * Output directory of a new App.
   * @default - a temporary directory (CDK default)
   */
  readonly outdir?: string;
  /**
   * Register cdk-nag AwsSolutions as a validation plugin: synth fails on unacknowledged findings.
   * @default true
   */
  readonly nag?: boolean;
  /**
   * Bundle Lambda code with esbuild. Template tests turn it off (assets are then placeholders).
   * @default true
   */
  readonly bundling?: boolean;
  /**
   * CDK's built-in CloudFormation template validation of a new App (~2.4 s per synth). On in the CLI
   * and CI synth, off in unit tests.
   * @default true
   */
  readonly cloudFormationValidation?: boolean;
}

export interface PicketApp {
  readonly app: App;
  /** The main stack (one account); in org mode, the base member stack (the StackSet template). */
  readonly stack: PicketStack;
  /** The org stacks, when `org.enabled` (lib/org/org-app.ts). */
  readonly org?: PicketOrgStacks;
  /** The cdk-nag pack, when `nag` is on; `nagPack.validateScope(app)` reports without synthesizing. */
  readonly nagPack?: AwsSolutionsChecks;
}

export function buildApp(config: PicketConfig, options: BuildAppOptions = {}): PicketApp {
  const bundlingContext = options.bundling === false ? { [BUNDLING_STACKS_CONTEXT_KEY]: [] } : {};
  const app =
    options.app ??
    new App({
      context: { ...PICKET_FEATURE_FLAGS, ...bundlingContext },
      ...(options.outdir ? { outdir: options.outdir } : {}),
      builtinCloudFormationValidation: options.cloudFormationValidation ?? true,
    });
  if (options.app && options.bundling === false) app.node.setContext(BUNDLING_STACKS_CONTEXT_KEY, []);

  // Org mode: the member stacks (env-agnostic: one template for every account and region) and the org stacks.
  const org = config.org.enabled ? buildOrgStacks(app, config) : undefined;
  const env = config.account || config.region ? { env: { ...(config.account ? { account: config.account } : {}), ...(config.region ? { region: config.region } : {}) } } : {};
  const stack =
    org?.members[0] ??
    new PicketStack(app, config.stackName, {
      ...env,
      config,
      description: 'Picket: runtime threat detection and response for Amazon EC2',
    });
  for (const [key, value] of Object.entries(config.tags)) Tags.of(app).add(key, value);

  for (const member of org?.members ?? [stack]) applyNagAcknowledgements(member);
  if (org) applyOrgNagAcknowledgements(org);
  let nagPack: AwsSolutionsChecks | undefined;
  if (options.nag ?? true) {
    nagPack = new AwsSolutionsChecks(app);
    Validations.of(app).addPlugins(nagPack);
  }
  return { app, stack, ...(org ? { org } : {}), ...(nagPack ? { nagPack } : {}) };
}
