/** The SSM Command document as data: structure, parameter references, and no way to inject shell. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadAgentSsmDocument } from '../../lib/agent-deployment';

const doc = loadAgentSsmDocument();
type Step = { action: string; name: string; precondition?: unknown; inputs: Record<string, unknown> };
const steps = doc.mainSteps as Step[];
const shellStep = steps.find((s) => s.action === 'aws:runShellScript')!;
const script = (shellStep.inputs['runCommand'] as string[]).join('\n');
const INSTALL_SH = readFileSync(join(__dirname, '..', '..', 'agent-bootstrap', 'scripts', 'install.sh'), 'utf8');

const VALID: Record<string, string> = {
  action: 'Install',
  bundleBucket: 'cdk-hnb659fds-assets-123456789012-eu-west-1',
  bundleKey: `${'ab'.repeat(32)}.gz`,
  bundleSha256: 'cd'.repeat(32),
  eventBusArn: 'arn:aws:events:eu-west-1:123456789012:event-bus/picket-runtime',
  region: 'eu-west-1',
  cpuQuotaPercent: '10',
  memoryMaxMb: '',
  flushIntervalMs: '1000',
  spoolMaxMb: '256',
  eventsEndpoint: 'https://vpce-0123-abcd.events.eu-west-1.vpce.amazonaws.com',
  excludeTagKey: 'PicketManaged',
  excludeTagValue: 'false',
};
const HOSTILE = ["'", '"', '$(id)', '`id`', 'a;b', 'a\nb', 'a b', 'a\\b', 'a|b', 'a&b', 'a>b', `$${'{IFS}'}`, "x'; reboot; '"];

function referencedParameters(text: string): Set<string> {
  return new Set([...text.matchAll(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g)].map((m) => m[1]!));
}

describe('structure', () => {
  it('is a schema 2.2 Linux document: download the bundle, then one shell step', () => {
    expect(doc.schemaVersion).toBe('2.2');
    expect(steps.map((s) => s.action)).toEqual(['aws:downloadContent', 'aws:runShellScript']);
    for (const step of steps) expect(step.precondition).toEqual({ StringEquals: ['platformType', 'Linux'] });
  });

  it('downloads the bundle from S3 (through the gateway endpoint) into a root-only directory', () => {
    const download = steps[0]!.inputs;
    expect(download['sourceType']).toBe('S3');
    expect(JSON.parse(download['sourceInfo'] as string)).toEqual({ path: 'https://{{ bundleBucket }}.s3.{{ region }}.amazonaws.com/{{ bundleKey }}' });
    expect(download['destinationPath']).toBe('/var/lib/picket-bundle');
  });

  it('offers Install and Uninstall only', () => {
    expect(doc.parameters['action']).toMatchObject({ allowedValues: ['Install', 'Uninstall'], default: 'Install' });
  });
});

describe('parameters', () => {
  const names = Object.keys(doc.parameters);

  it('every {{ parameter }} the steps use is declared, and every declared parameter is used', () => {
    const used = referencedParameters(JSON.stringify(doc.mainSteps));
    expect([...used].sort()).toEqual([...names].sort());
  });

  it('every parameter is a String constrained by an anchored allowedPattern or by allowedValues', () => {
    for (const [name, spec] of Object.entries(doc.parameters)) {
      expect({ name, type: spec.type }).toEqual({ name, type: 'String' });
      const constrained = spec.allowedValues !== undefined || (spec.allowedPattern?.startsWith('^') === true && spec.allowedPattern.endsWith('$'));
      expect({ name, constrained }).toEqual({ name, constrained: true });
    }
  });

  it('accepts realistic values and each default', () => {
    for (const [name, spec] of Object.entries(doc.parameters)) {
      const accepts = (v: string): boolean => (spec.allowedValues ? spec.allowedValues.includes(v) : new RegExp(spec.allowedPattern!).test(v));
      expect({ name, valid: accepts(VALID[name]!) }).toEqual({ name, valid: true });
      if (spec.default !== undefined) expect({ name, default: accepts(spec.default) }).toEqual({ name, default: true });
    }
  });

  it.each(HOSTILE)('refuses %p in every parameter (no quote, space, newline or shell metacharacter gets through)', (hostile) => {
    for (const [name, spec] of Object.entries(doc.parameters)) {
      for (const value of [hostile, `${VALID[name]}${hostile}`, `${hostile}${VALID[name]}`]) {
        const accepted = spec.allowedValues ? spec.allowedValues.includes(value) : new RegExp(spec.allowedPattern!).test(value);
        expect({ name, value, accepted }).toEqual({ name, value, accepted: false });
      }
    }
  });

  it('install.sh re-checks the same patterns (defence in depth when run by hand)', () => {
    const installName: Record<string, string> = { sha256: 'bundleSha256', endpoint: 'eventsEndpoint' };
    const needs = [...INSTALL_SH.matchAll(/need (\w+) "\$\w+" '([^']+)'/g)].map((m) => ({ name: installName[m[1]!] ?? m[1]!, pattern: m[2]! }));
    expect(needs.length).toBeGreaterThanOrEqual(10);
    for (const { name, pattern } of needs) {
      const spec = doc.parameters[name];
      expect({ name, declared: spec !== undefined }).toEqual({ name, declared: true });
      const shell = new RegExp(`^(${pattern})$`);
      const ssm = new RegExp(spec!.allowedPattern!);
      for (const probe of [VALID[name]!, '', 'auto', '0', '64', '100', '100.5', '2.5', ...HOSTILE]) {
        expect({ name, probe, same: shell.test(probe) === ssm.test(probe) }).toEqual({ name, probe, same: true });
      }
    }
  });
});

describe('the shell step', () => {
  it('puts every parameter in single quotes, on an assignment line of its own', () => {
    const lines = script.split('\n').filter((l) => l.includes('{{'));
    expect(lines.length).toBe(Object.keys(doc.parameters).length - 1); // bundleBucket is only used by the download step
    for (const line of lines) expect(line).toMatch(/^[a-z_0-9]+='\{\{ [A-Za-z0-9]+ \}\}'$/);
  });

  it('verifies the SHA-256 before unpacking or running anything from the bundle', () => {
    const verify = script.indexOf('sha256sum "$bundle"');
    expect(verify).toBeGreaterThan(0);
    expect(script.indexOf('tar -xzf')).toBeGreaterThan(verify);
    for (const fromBundle of ['"$work/scripts/install.sh"', '"$work/scripts/uninstall.sh"']) {
      expect(script.indexOf(fromBundle)).toBeGreaterThan(verify);
    }
  });

  it('rendered with valid parameters, is valid bash (and shellcheck-clean when shellcheck is installed)', () => {
    const rendered = script.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, name: string) => VALID[name]!);
    const syntax = spawnSync('bash', ['-n'], { input: rendered, encoding: 'utf8' });
    expect({ status: syntax.status, stderr: syntax.stderr }).toEqual({ status: 0, stderr: '' });
    if (spawnSync('shellcheck', ['--version']).status === 0) {
      const lint = spawnSync('shellcheck', ['-s', 'bash', '-'], { input: rendered, encoding: 'utf8' });
      expect(lint.stdout).toBe('');
    }
  });
});
