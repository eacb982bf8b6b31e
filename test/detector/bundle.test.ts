/**
 * The one test that bundles for real: esbuild (local, no Docker) builds the detector function, the
 * asset exists, is under 3 MB, and carries the seed intel lists and their manifest and notices.
 */
import { existsSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { PicketDetector } from '../../lib/detector';
import { PicketFindingsBus } from '../../lib/findings-bus';

jest.setTimeout(120_000);

function sizeOf(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    total += entry.isDirectory() ? sizeOf(p) : statSync(p).size;
  }
  return total;
}

test('the detector bundles locally into an asset under 3 MB with the seed intel lists inside', () => {
  const outdir = path.join(os.tmpdir(), `picket-detector-bundle-${process.pid}`);
  const app = new App({ outdir, builtinCloudFormationValidation: false });
  const stack = new Stack(app, 'BundleTest', { env: { account: '111122223333', region: 'eu-west-1' } });
  const dlq = new sqs.Queue(stack, 'Dlq');
  const queue = new sqs.Queue(stack, 'Queue', { visibilityTimeout: Duration.seconds(360), deadLetterQueue: { queue: dlq, maxReceiveCount: 5 } });
  const detector = new PicketDetector(stack, 'Detector', { queue, deadLetterQueue: dlq, findingsBus: new PicketFindingsBus(stack, 'Findings') });
  const assembly = app.synth();
  const fn = assembly.getStackByName('BundleTest').template.Resources[stack.getLogicalId(detector.function.node.defaultChild as never)];
  const key = String(fn.Properties.Code.S3Key);
  const assetDir = path.join(assembly.directory, `asset.${key.replace(/\.zip$/, '')}`);
  expect(existsSync(path.join(assetDir, 'index.js'))).toBe(true);
  const bytes = sizeOf(assetDir);
  expect(bytes).toBeLessThan(3 * 1024 * 1024);
  const manifest = JSON.parse(readFileSync(path.join(assetDir, 'intel', 'manifest.json'), 'utf8')) as { lists: { file: string }[] };
  for (const l of manifest.lists) expect(existsSync(path.join(assetDir, 'intel', l.file))).toBe(true);
  expect(existsSync(path.join(assetDir, 'intel', 'NOTICE.md'))).toBe(true);
  // The bundled code itself (without the lists) is what cold start loads.
  const codeBytes = statSync(path.join(assetDir, 'index.js')).size;
  process.stdout.write(`detector asset: ${(bytes / 1024).toFixed(0)} KB total, index.js ${(codeBytes / 1024).toFixed(0)} KB\n`);
  // The SDK is bundled (pinned versions), not taken from the runtime: a few hundred KB at least.
  expect(codeBytes).toBeGreaterThan(500 * 1024);
  rmSync(outdir, { recursive: true, force: true });
});
