/**
 * esbuild command hooks that copy the shipped seed intel lists (intel/, with their licence notices) into
 * a Lambda asset, so the function always runs with the lists its code was built with
 * (lambda/detector/intel-cache.ts reads ./intel). Shared by the detector and the agentless detector.
 */
import type * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';

export function seedIntelBundlingHooks(): nodejs.ICommandHooks {
  return {
    beforeBundling: () => [],
    beforeInstall: () => [],
    afterBundling: (inputDir: string, outputDir: string) => [
      `mkdir -p "${outputDir}/intel/licenses"`,
      `cp "${inputDir}/intel/manifest.json" "${inputDir}/intel/NOTICE.md" "${inputDir}"/intel/*.txt "${outputDir}/intel/"`,
      `cp "${inputDir}"/intel/licenses/* "${outputDir}/intel/licenses/"`,
    ],
  };
}
