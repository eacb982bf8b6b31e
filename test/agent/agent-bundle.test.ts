/** main.ts must bundle into one file with esbuild (no dynamic requires) and run from that file alone. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

describe('agent bundle', () => {
  const dir = mkdtempSync(join(tmpdir(), 'picket-bundle-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('bundles main.ts into one file that runs on its own, reads --config and rejects bad configs with exit 2', async () => {
    const outfile = join(dir, 'picket-agent.js');
    const result = await build({
      entryPoints: [resolve(__dirname, '../../agent-bootstrap/agent/main.ts')],
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      outfile,
      logLevel: 'silent',
      mainFields: ['module', 'main'],
      define: { PICKET_AGENT_VERSION: '"9.9.9-test"' },
    });
    expect(result.errors).toEqual([]);
    expect(statSync(outfile).size).toBeLessThan(3 * 1024 * 1024);
    // Run from a directory without node_modules: everything must be inside the bundle.
    const run = (...args: string[]) => spawnSync(process.execPath, ['--no-warnings', outfile, ...args], { cwd: dir, encoding: 'utf8' });
    expect(run('--version').stdout.trim()).toBe('9.9.9-test');
    const config = join(dir, 'agent.json');
    writeFileSync(config, JSON.stringify({ eventBusName: 'picket-runtime', flushIntervalMs: 250 }));
    const printed = run('--config', config, '--print-config');
    expect(printed.status).toBe(0);
    expect(JSON.parse(printed.stdout)).toMatchObject({ eventBusName: 'picket-runtime', flushIntervalMs: 250, spoolMaxBytes: 268435456 });
    writeFileSync(config, JSON.stringify({ flushIntervalMs: 'soon' }));
    const bad = run('--config', config);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('"flushIntervalMs" is "soon"');
  }, 90_000);
});
