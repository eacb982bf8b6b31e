/**
 * The coverage handler bundles with esbuild as NodejsFunction bundles it (local esbuild, no Docker):
 * one CommonJS file for Node 22 with both handlers exported and the AWS SDK inside.
 */
import * as path from 'node:path';
import { buildSync } from 'esbuild';

test('lambda/coverage/index.ts bundles into one file exporting scheduledHandler and heartbeatHandler', () => {
  const result = buildSync({
    entryPoints: [path.join(__dirname, '../../lambda/coverage/index.ts')],
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    mainFields: ['module', 'main'],
    minify: true,
    write: false,
    metafile: true,
  });
  expect(result.errors).toEqual([]);
  const code = result.outputFiles[0]!.text;
  expect(code).toMatch(/scheduledHandler/);
  expect(code).toMatch(/heartbeatHandler/);
  const inputs = Object.keys(result.metafile!.inputs);
  expect(inputs.some((i) => i.includes('@aws-sdk/client-ec2'))).toBe(true);
  expect(inputs.some((i) => i.includes('lambda/domain/events/ingest-gate.ts'))).toBe(true);
  // Sanity on size (the SDK clients dominate); a runaway dependency would show here.
  expect(code.length).toBeLessThan(3 * 1024 * 1024);
});
