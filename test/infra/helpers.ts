/** Shared by the infra tests: build the real app from a config, without bundling, nag or CFN validation. */
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp, type PicketApp } from '../../lib/build-app';
import { type PicketConfig, loadConfig } from '../../lib/config';

/** A validated config from a partial raw one (exactly what a user would write in picket.config.json). */
export function configFrom(raw: unknown): PicketConfig {
  return loadConfig(raw, 'test config');
}

export interface Synthesized extends PicketApp {
  readonly template: Template;
}

/** Builds and synthesizes the whole app once (call it in beforeAll). */
export function synthesize(config: PicketConfig, options: { nag?: boolean } = {}): Synthesized {
  const built = buildApp(config, { nag: options.nag ?? false, bundling: false, cloudFormationValidation: false });
  return { ...built, template: Template.fromStack(built.stack) };
}

/** `{Fn::Join: ['', ['com.amazonaws.', {Ref: 'AWS::Region'}, '.<name>']]}`: how CDK renders an endpoint service name in an env-agnostic stack. */
export function regionalServiceName(name: string): unknown {
  return { 'Fn::Join': ['', ['com.amazonaws.', { Ref: 'AWS::Region' }, `.${name}`]] };
}

/**
 * How many resources of `type` a construct subtree holds, by logical-ID prefix (CDK derives logical IDs
 * from the construct path, e.g. `Ingest…`): counts about one construct stay true as others join the stack.
 */
export function countUnder(template: Template, type: string, logicalIdPrefix: string): number {
  return Object.keys(template.findResources(type)).filter((id) => id.startsWith(logicalIdPrefix)).length;
}
