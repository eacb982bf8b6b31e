/**
 * `npm start`: the main job on its embedded defaults, with no AWS account.
 *  1. synthesizes every stack of the configured app offline into cdk.out/ (cdk-nag AwsSolutions on: a
 *     finding fails the synth), and lists what it made;
 *  2. runs the detection pipeline — the agent's audit parser and the detector's engine, as deployed —
 *     on a bundled real audit capture, and prints the findings.
 * `npm start -- --input FILE` runs step 2 on another log instead (any format `picket detect` reads).
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { detectFromSource } from '../lambda/cli/commands/detect';
import { buildEngine } from '../lambda/cli/engine-from-files';
import { openLineSource } from '../lambda/cli/line-source';
import { findingsTable } from '../lambda/cli/render';
import { buildApp } from '../lib/build-app';
import { ConfigError } from '../lib/config-error';
import { readPicketConfig } from '../lib/config-file';

const SAMPLE = path.resolve(__dirname, '../samples/attack-session.audit.log');

function synthesizeEverything(): void {
  const started = Date.now();
  const { config, source } = readPicketConfig({ cwd: process.cwd() });
  const { app } = buildApp(config, { outdir: 'cdk.out' });
  const assembly = app.synth();
  console.log(`Synthesized ${assembly.stacks.length} stack(s) from ${source} into cdk.out/ in ${((Date.now() - started) / 1000).toFixed(1)} s (cdk-nag AwsSolutions: no unacknowledged findings):`);
  for (const stack of assembly.stacks) {
    const template = JSON.parse(readFileSync(path.join(assembly.directory, stack.templateFile), 'utf8')) as { Resources?: Record<string, { Type: string }> };
    const types = new Map<string, number>();
    for (const r of Object.values(template.Resources ?? {})) types.set(r.Type, (types.get(r.Type) ?? 0) + 1);
    const top = [...types.entries()].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([t, n]) => `${n} ${t.replace('AWS::', '')}`);
    console.log(`  ${stack.stackName}: ${Object.keys(template.Resources ?? {}).length} resources (${top.join(', ')}, …) -> ${stack.templateFile}`);
  }
  const assets = readdirSync(assembly.directory).filter((f) => f.startsWith('asset.'));
  if (assets.length > 0) console.log(`  ${assets.length} bundled asset(s) (Lambda code, agent bundle)`);
}

async function detectOnSample(input: string): Promise<void> {
  const options = {
    input,
    threatLists: [],
    trustedLists: [],
    hashLists: [],
    output: 'table' as const,
    instanceId: 'i-0000000000000000',
    accountId: '000000000000',
    region: 'local',
    seedIntel: true,
  };
  const warnings: string[] = [];
  const engine = buildEngine(options, (m) => warnings.push(m));
  const result = await detectFromSource(openLineSource(input), options, engine, (where) => warnings.push(`malformed input: ${where}`));
  console.log(`\nDetection on ${path.relative(process.cwd(), input)}: ${result.events} runtime events (${result.format}), ${result.findings.length} findings`);
  for (const w of warnings.slice(0, 10)) console.log(`  warning: ${w}`);
  const bySeverity = [...result.findings].sort((a, b) => b.severity - a.severity);
  console.log(findingsTable(bySeverity));
  console.log('\nEach finding is GuardDuty-shaped JSON: `npx picket detect --input samples/attack-session.audit.log` prints them in full.');
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { input: { type: 'string' }, 'skip-synth': { type: 'boolean' } }, strict: true });
  try {
    if (!values['skip-synth']) synthesizeEverything();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  }
  await detectOnSample(values.input ?? SAMPLE);
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exitCode = 1;
  },
);
