/**
 * The CDK app entry point (`npx cdk synth|deploy`, see cdk.json). Reads the config file
 * (`picket.config.json`, or `-c config=PATH`) and context overrides, validates them once, then builds
 * every stack. A bad config stops here with every problem listed, before any construct exists.
 */
import { App } from 'aws-cdk-lib';
import { buildApp } from '../lib/build-app';
import { ConfigError } from '../lib/config-error';
import { readPicketConfig } from '../lib/config-file';
import { PICKET_FEATURE_FLAGS } from '../lib/feature-flags';

export { buildApp } from '../lib/build-app';
export type { BuildAppOptions, PicketApp } from '../lib/build-app';

export function main(): number {
  // Feature flags as the lowest-precedence context; cdk.json and `-c` win. No auto-synth: a bad config
  // must not leave an empty cloud assembly behind.
  const app = new App({ context: { ...PICKET_FEATURE_FLAGS }, autoSynth: false });
  try {
    const { config } = readPicketConfig({ cwd: process.cwd(), context: app.node.getAllContext() });
    buildApp(config, { app });
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  }
  app.synth();
  return 0;
}

if (require.main === module) {
  process.exitCode = main();
}
