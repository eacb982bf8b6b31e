/**
 * The one test that bundles for real: esbuild compiles agent/main.ts, the tar.gz is staged as the CDK
 * asset, the association carries its true SHA-256, and the bundled agent accepts the agent.json that
 * install.sh writes.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { AgentBundleError, buildAgentBundle, bundleAgentSource, sha256Hex } from '../../lib/agent-bundle';
import { synthAgentDeployment } from './helpers';
import { Sandbox } from './sandbox';

const BOOTSTRAP = join(__dirname, '..', '..', 'agent-bootstrap');
// esbuild, node start-up and install.sh run for real: seconds each, more on a loaded CI machine.
jest.setTimeout(60_000);
const outdir = mkdtempSync(join(tmpdir(), 'picket-bundle-synth-'));
const { template, deployment, stack } = synthAgentDeployment({}, { bundling: true, outdir });
const stagedFile = join(outdir, deployment.bundle.assetPath);
const extracted = mkdtempSync(join(tmpdir(), 'picket-bundle-x-'));

afterAll(() => {
  rmSync(outdir, { recursive: true, force: true });
  rmSync(extracted, { recursive: true, force: true });
});

describe('the staged asset', () => {
  it('is one tar.gz file whose SHA-256 is the one the association passes', () => {
    expect(deployment.bundle.isFile).toBe(true);
    expect(existsSync(stagedFile)).toBe(true);
    const sha = sha256Hex(readFileSync(stagedFile));
    expect(deployment.bundleSha256).toBe(sha);
    template.hasResourceProperties('AWS::SSM::Association', { Parameters: Match.objectLike({ bundleSha256: [sha], bundleKey: [stack.resolve(deployment.bundle.s3ObjectKey)] }) });
    expect(stack.resolve(deployment.bundle.s3ObjectKey)).toMatch(/^[0-9a-f]{64}\.gz$/);
  });

  it('unpacks with the system tar into agent, rules, unit, scripts and a manifest that matches them', () => {
    const out = spawnSync('tar', ['-xzf', stagedFile, '-C', extracted], { encoding: 'utf8' });
    expect(out.status).toBe(0);
    const manifest = JSON.parse(readFileSync(join(extracted, 'manifest.json'), 'utf8')) as { files: Record<string, string> };
    expect(Object.keys(manifest.files)).toEqual(expect.arrayContaining(['agent/picket-agent.js', 'rules/picket.rules', 'rules/picket-aarch64.rules', 'rules/af_unix.conf', 'systemd/picket-agent.service', 'scripts/install.sh', 'scripts/uninstall.sh', 'scripts/limits.sh', 'scripts/host-rules.sh', 'scripts/common.sh']));
    for (const [path, sha] of Object.entries(manifest.files)) expect({ path, sha: sha256Hex(readFileSync(join(extracted, path))) }).toEqual({ path, sha });
  });

  it('is reproducible: the same sources give the same bytes (no reinstall on an unchanged deploy)', () => {
    const again = mkdtempSync(join(tmpdir(), 'picket-bundle-again-'));
    try {
      expect(buildAgentBundle(BOOTSTRAP, again)).toBe(deployment.bundleSha256);
    } finally {
      rmSync(again, { recursive: true, force: true });
    }
  });
});

describe('the bundled agent', () => {
  it('runs on node as one file', () => {
    const out = spawnSync(process.execPath, [join(extracted, 'agent/picket-agent.js'), '--version'], { encoding: 'utf8' });
    expect({ status: out.status, stderr: out.stderr }).toEqual({ status: 0, stderr: '' });
    expect(out.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('accepts the agent.json install.sh writes (the two sides of the config contract agree)', () => {
    const sandbox = new Sandbox({ auditInstalled: true });
    try {
      const sha = deployment.bundleSha256;
      const install = sandbox.run('install.sh', ['--sha256', sha, '--bundle-file', stagedFile, '--event-bus-arn', 'arn:aws:events:eu-west-1:123456789012:event-bus/picket-runtime', '--region', 'eu-west-1', '--endpoint', 'https://vpce-0123.events.eu-west-1.vpce.amazonaws.com', '--spool-max-mb', '64']);
      expect({ status: install.status, stderr: install.stderr }).toEqual({ status: 0, stderr: expect.stringContaining(`installed ${sha}`) });
      const config = join(sandbox.root, 'etc/picket/agent.json');
      const out = spawnSync(process.execPath, [join(sandbox.root, 'opt/picket/current/agent/picket-agent.js'), '--config', config, '--print-config'], { encoding: 'utf8' });
      expect({ status: out.status, stderr: out.stderr }).toEqual({ status: 0, stderr: '' });
      expect(JSON.parse(out.stdout)).toMatchObject({ eventBusName: 'arn:aws:events:eu-west-1:123456789012:event-bus/picket-runtime', region: 'eu-west-1', spoolMaxBytes: 64 * 1048576, endpoint: 'https://vpce-0123.events.eu-west-1.vpce.amazonaws.com' });
    } finally {
      sandbox.dispose();
    }
  });
});

describe('bundling errors are clear', () => {
  it('names the missing entry point and how to synth without bundling', () => {
    const empty = mkdtempSync(join(tmpdir(), 'picket-no-agent-'));
    try {
      expect(() => bundleAgentSource(empty)).toThrow(AgentBundleError);
      expect(() => bundleAgentSource(empty)).toThrow(/agent\/main\.ts does not exist.*aws:cdk:bundling-stacks/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
