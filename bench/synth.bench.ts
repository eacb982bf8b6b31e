/**
 * Synth time of the whole Picket app, as the CLI does it (cdk-nag plugin, built-in CloudFormation
 * validation, bundling on), against an app with a one-resource Stack synthesized the same way in the same
 * run. Plus the wall time of `cdk synth` itself (new process, offline) against the in-process figure.
 * Target (issue 2): full-app synth under 15 s.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { App, CfnWaitConditionHandle, Stack } from 'aws-cdk-lib';
import { buildApp } from '../lib/build-app';
import { readPicketConfig } from '../lib/config-file';
import { PICKET_FEATURE_FLAGS } from '../lib/feature-flags';
import { type Reporter, timeMs } from './harness';

const TARGET_MS = 15_000;
const root = resolve(__dirname, '..');

export default async function (r: Reporter): Promise<void> {
  const scratch = mkdtempSync(join(tmpdir(), 'picket-synth-bench-'));
  let n = 0;
  const outdir = (): string => join(scratch, String(n++));
  try {
    const { config } = readPicketConfig({ cwd: root });
    const empty = await timeMs(() => {
      const app = new App({ outdir: outdir(), context: { ...PICKET_FEATURE_FLAGS } });
      // one trivial resource: CloudFormation (and its validator) reject a template with none
      new CfnWaitConditionHandle(new Stack(app, 'Baseline'), 'Handle');
      app.synth();
    });
    const full = await timeMs(() => buildApp(config, { outdir: outdir() }).app.synth());
    r.record({
      name: 'full app synth in-process, nag + CFN validation (ms, lower is better)',
      value: full,
      unit: 'ms',
      baseline: `one-resource Stack synth, same settings: ${empty.toFixed(0)} ms`,
      ratio: full / empty,
      target: `< ${TARGET_MS} ms`,
      met: full < TARGET_MS,
    });

    // Cold: the app process as the CLI starts it (tsx compile, module load, validation engine init).
    const appProcessMs = (validation: boolean): number => {
      const t = process.hrtime.bigint();
      const run = spawnSync(process.execPath, [join(root, 'node_modules/tsx/dist/cli.mjs'), 'bin/app.ts'], {
        cwd: root,
        encoding: 'utf8',
        env: { ...process.env, CDK_OUTDIR: outdir(), CDK_VALIDATION: validation ? 'true' : 'false' },
        timeout: 120_000,
      });
      if (run.status !== 0) throw new Error(`bin/app.ts failed (${run.status}): ${run.stderr}`);
      return Number(process.hrtime.bigint() - t) / 1e6;
    };
    const coldNoValidation = appProcessMs(false);
    const cold = appProcessMs(true);
    r.record({
      name: 'full app synth, cold app process (tsx bin/app.ts), nag + CFN validation (ms, lower is better)',
      value: cold,
      unit: 'ms',
      baseline: `same without the built-in CFN validation: ${coldNoValidation.toFixed(0)} ms`,
      ratio: cold / coldNoValidation,
      target: `< ${TARGET_MS} ms`,
      met: cold < TARGET_MS,
    });

    const t0 = process.hrtime.bigint();
    const cli = spawnSync(process.execPath, [join(root, 'node_modules/aws-cdk/bin/cdk'), 'synth', '--quiet', '-o', outdir()], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, AWS_PROFILE: undefined, AWS_EC2_METADATA_DISABLED: 'true' },
      timeout: 120_000,
    });
    const cliMs = Number(process.hrtime.bigint() - t0) / 1e6;
    if (cli.status !== 0) throw new Error(`cdk synth failed (${cli.status}): ${cli.stderr}`);
    r.record({
      name: '`cdk synth` wall time, new process, offline (ms, lower is better)',
      value: cliMs,
      unit: 'ms',
      baseline: `cold app process alone: ${cold.toFixed(0)} ms`,
      ratio: cliMs / cold,
      target: `< ${TARGET_MS} ms`,
      met: cliMs < TARGET_MS,
    });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
