/**
 * bin/app.ts as the CDK CLI runs it (a subprocess with CDK_OUTDIR / CDK_CONTEXT_JSON, no AWS credentials,
 * no network): a good config synthesizes; a bad one stops before synth with every problem listed.
 * Also keeps cdk.json (the CLI's flags) and lib/feature-flags.ts (in-process apps) equal.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PICKET_FEATURE_FLAGS } from '../../lib/feature-flags';

const root = resolve(__dirname, '../..');

function runApp(context: Record<string, unknown>): { status: number | null; stderr: string; outdir: string } {
  const outdir = mkdtempSync(join(tmpdir(), 'picket-app-'));
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: outdir, CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify(context), CDK_VALIDATION: 'false' };
  const result = spawnSync(process.execPath, [join(root, 'node_modules/tsx/dist/cli.mjs'), 'bin/app.ts'], { cwd: root, env, encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, stderr: result.stderr, outdir };
}

describe('bin/app.ts', () => {
  it('synthesizes the default config offline with no credentials', () => {
    const run = runApp({ ...PICKET_FEATURE_FLAGS });
    expect(run.stderr).not.toMatch(/Error/);
    expect(run.status).toBe(0);
    const template = JSON.parse(readFileSync(join(run.outdir, 'Picket.template.json'), 'utf8'));
    expect(Object.values(template.Resources).some((r) => (r as { Type: string }).Type === 'AWS::Events::EventBus')).toBe(true);
  }, 60_000);

  it('a bad config chosen with -c config=PATH exits 1 before synth, listing every problem with its fix', () => {
    const dir = mkdtempSync(join(tmpdir(), 'picket-bad-'));
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ response: { mode: 'yolo' }, agnet: {} }));
    const run = runApp({ config: file, 'picket.coverage.scheduleMinutes': 'often' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`Invalid Picket configuration in ${file} + context picket.coverage.scheduleMinutes (3 problems)`);
    expect(run.stderr).toContain('response.mode: got "yolo"; expected one of "off", "dry-run", "approval", "auto"');
    expect(run.stderr).toContain('rename "agnet" to "agent"');
    expect(run.stderr).toContain('coverage.scheduleMinutes: got "often"');
    expect(run.stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
    expect(existsSync(join(run.outdir, 'manifest.json'))).toBe(false);
  }, 60_000);
});

describe('cdk.json', () => {
  const cdkJson = JSON.parse(readFileSync(join(root, 'cdk.json'), 'utf8'));

  it('runs bin/app.ts and never phones home (notices and telemetry off)', () => {
    expect(cdkJson.app).toBe('npx tsx bin/app.ts');
    expect(cdkJson.notices).toBe(false);
    expect(cdkJson['cli-telemetry']).toBe(false);
  });

  it('has the same feature flags as in-process apps (lib/feature-flags.ts)', () => {
    const flags = Object.fromEntries(Object.entries(cdkJson.context).filter(([k]) => k.startsWith('@aws-cdk/')));
    expect(flags).toEqual(PICKET_FEATURE_FLAGS);
  });
});
