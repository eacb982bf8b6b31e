import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_CONFIG, loadConfig, type PicketConfig } from '../../lib/config';
import { ConfigError } from '../../lib/config-error';
import { readPicketConfig } from '../../lib/config-file';
import { mergeConfigSources, parseConfigText } from '../../lib/config-sources';

function errorOf(raw: unknown): ConfigError {
  try {
    loadConfig(raw, 'my.json');
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected loadConfig to throw a ConfigError');
}

describe('loadConfig defaults', () => {
  it('an empty config is exactly DEFAULT_CONFIG', () => {
    expect(loadConfig({}, 'x')).toEqual(DEFAULT_CONFIG);
    expect(loadConfig(undefined, 'x')).toEqual(DEFAULT_CONFIG);
  });

  it('defaults deploy into one account with no edits: env-agnostic, new VPC, dry-run response', () => {
    expect(DEFAULT_CONFIG.account).toBeUndefined();
    expect(DEFAULT_CONFIG.region).toBeUndefined();
    expect(DEFAULT_CONFIG.vpc.mode).toBe('new');
    expect(DEFAULT_CONFIG.response.mode).toBe('dry-run');
    expect(DEFAULT_CONFIG.agent).toMatchObject({ targetTagKey: 'PicketManaged', targetTagValue: 'true', accountWide: false, cpuQuotaPercent: 10, memoryMaxMb: 'auto', maxConcurrency: '10%', maxErrors: '10%' });
  });

  it('the shipped picket.config.json is valid', () => {
    const loaded = readPicketConfig({ cwd: join(__dirname, '../..') });
    expect(loaded.file).toMatch(/picket\.config\.json$/);
    expect(loaded.config.vpc.mode).toBe('new');
  });

  it('keeps given values and fills the rest', () => {
    const config = loadConfig({ response: { mode: 'auto', minSeverity: 8.5 }, agent: { memoryMaxMb: 512 } }, 'x');
    expect(config.response.mode).toBe('auto');
    expect(config.response.minSeverity).toBe(8.5);
    expect(config.response.maxIsolationsPerHour).toBe(DEFAULT_CONFIG.response.maxIsolationsPerHour);
    expect(config.agent.memoryMaxMb).toBe(512);
  });

  it('returns a frozen object so nothing downstream can change the validated config', () => {
    const config = loadConfig({}, 'x') as { response: { mode: string } };
    expect(() => {
      config.response.mode = 'auto';
    }).toThrow(TypeError);
  });
});

describe('loadConfig errors name key, value, expectation and fix', () => {
  it('unknown key, with a suggestion for a near miss', () => {
    const error = errorOf({ response: { mod: 'auto' } });
    expect(error.issues).toHaveLength(1);
    const [issue] = error.issues;
    expect(issue!.path).toBe('response.mod');
    expect(error.message).toContain('response.mod');
    expect(error.message).toContain('"auto"');
    expect(error.message).toContain('known keys');
    expect(error.message).toContain('rename "mod" to "mode"');
    expect(error.message).toContain('my.json');
  });

  it('unknown top-level key without a near miss points at the docs', () => {
    const error = errorOf({ zzzzzzzz: 1 });
    expect(error.issues[0]!.path).toBe('zzzzzzzz');
    expect(error.issues[0]!.fix).toContain('docs/config.md');
  });

  it('wrong type', () => {
    const error = errorOf({ agent: { accountWide: 'yes' } });
    expect(error.issues[0]).toMatchObject({ path: 'agent.accountWide', value: 'yes' });
    expect(error.message).toMatch(/agent\.accountWide: got "yes"; expected true or false.*Fix: set agent\.accountWide to true or false/);
  });

  it('bad enum lists the allowed values and the default', () => {
    const error = errorOf({ response: { mode: 'yolo' } });
    expect(error.message).toContain('response.mode: got "yolo"; expected one of "off", "dry-run", "approval", "auto"');
    expect(error.message).toContain('default ("dry-run")');
  });

  it('numbers out of range and strings where numbers belong', () => {
    const error = errorOf({ response: { minSeverity: 11 }, coverage: { scheduleMinutes: '5' } });
    const paths = error.issues.map((i) => i.path);
    expect(paths).toEqual(['response.minSeverity', 'coverage.scheduleMinutes']);
    expect(error.message).toContain('from 1 to 10');
    expect(error.message).toContain('not a string');
  });

  it('collects every problem, not only the first', () => {
    const error = errorOf({ region: 'mars', vpc: { mode: 'existing' }, agent: { maxErrors: 'lots' }, response: { exemptInstanceIds: ['i-123', 'i-0123456789abcdef0'] }, tags: { 'aws:x': 'y' } });
    expect(error.issues.map((i) => i.path).sort()).toEqual(['agent.maxErrors', 'region', 'response.exemptInstanceIds[0]', 'tags.aws:x', 'vpc.vpcs'].sort());
    expect(error.message).toContain('5 problems');
  });

  it('the root must be an object', () => {
    expect(errorOf([1, 2]).message).toContain('(root): got [1,2]; expected an object');
  });

  it('existing VPCs need consistent subnets, AZs and route tables', () => {
    const error = errorOf({
      vpc: {
        mode: 'existing',
        vpcs: [{ vpcId: 'vpc-0123456789abcdef0', cidrs: ['10.0.0.0/16'], subnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'], availabilityZones: ['eu-west-1a', 'eu-west-1a'], routeTableIds: ['rtb-0123456789abcdef0'] }],
      },
    });
    const messages = error.issues.map((i) => `${i.path}: ${i.expected}`);
    expect(messages).toEqual(
      expect.arrayContaining([expect.stringMatching(/^vpc\.vpcs\[0\]\.availabilityZones: one subnet per Availability Zone/), expect.stringMatching(/^vpc\.vpcs\[0\]\.routeTableIds: one route table per subnet/)]),
    );
  });

  it('keys of another VPC mode are rejected with the mode they belong to', () => {
    const error = errorOf({ vpc: { mode: 'none', cidr: '10.0.0.0/16' } });
    expect(error.issues[0]).toMatchObject({ path: 'vpc.cidr' });
    expect(error.issues[0]!.fix).toContain('"new"');
  });

  it('suppression rules: GuardDuty filter shape, checked structurally and then by the domain parser', () => {
    const ok = loadConfig({ suppression: [{ name: 'build-hosts', criterion: { 'resource.instanceDetails.instanceId': { eq: 'i-0123456789abcdef0' }, severity: { lessThan: 5 } } }] }, 'x');
    expect(ok.suppression.central![0]).toEqual({ name: 'build-hosts', action: 'ARCHIVE', criterion: { 'resource.instanceDetails.instanceId': { eq: ['i-0123456789abcdef0'] }, severity: { lt: 5 } } });
    const scoped = loadConfig({ suppression: { rules: [], accounts: { '111122223333': [{ name: 'scanner', criteria: { type: { matches: ['Discovery:*'] } } }] } } }, 'x');
    expect(scoped.suppression.accounts!['111122223333']![0]!.name).toBe('scanner');
    const error = errorOf({ suppression: [{ name: 'a', criterion: { severity: { gtee: 5 } } }, { name: 'dup1', criterion: { type: { eq: ['x'] } } }, { name: 'dup1', criterion: {} }] });
    const paths = error.issues.map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['suppression[0].name', 'suppression[0].criterion.severity.gtee', 'suppression[2].name', 'suppression[2].criterion']));
    expect(error.message).toContain('rename "gtee" to "gte"');
  });

  it('suppression semantics the structure cannot see come from the domain parser, as a config issue', () => {
    const error = errorOf({ suppression: [{ name: 'bad-bound', criterion: { severity: { gt: 'high' } } }] });
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]!.path).toContain('suppression');
    expect(error.message).toMatch(/gt needs a number/);
  });

  it('the runtime and findings buses must differ', () => {
    expect(errorOf({ findings: { busName: 'picket-runtime' } }).issues[0]!.path).toBe('findings.busName');
  });

  it('org.enabled requires an organization id', () => {
    expect(errorOf({ org: { enabled: true } }).issues[0]!.path).toBe('org.organizationId');
  });
});

describe('config sources', () => {
  it('context object and dotted context keys override the file, objects merge, arrays replace', () => {
    const file = { response: { mode: 'off', excludeTypes: ['A:B/C'] }, agent: { spoolMaxMb: 64 } };
    const merged = mergeConfigSources(file, {
      picket: JSON.stringify({ response: { excludeTypes: ['D:E/F'] } }),
      'picket.response.mode': 'auto',
      'picket.response.minSeverity': '8',
      'aws:cdk:bundling-stacks': [],
    });
    const config: PicketConfig = loadConfig(merged, 'x');
    expect(config.response.mode).toBe('auto');
    expect(config.response.minSeverity).toBe(8);
    expect(config.response.excludeTypes).toEqual(['D:E/F']);
    expect(config.agent.spoolMaxMb).toBe(64);
  });

  it('a JSON syntax error names the file, line and column', () => {
    expect(() => parseConfigText('{\n  "vpc": {\n    "mode": "new",\n  }\n}', 'conf.json')).toThrow(/conf\.json[\s\S]*line 4, column 3/);
  });

  it('-c config=PATH picks another file; a missing chosen file is an error, a missing default file is not', () => {
    const dir = mkdtempSync(join(tmpdir(), 'picket-config-'));
    writeFileSync(join(dir, 'other.json'), JSON.stringify({ response: { mode: 'off' } }));
    expect(readPicketConfig({ cwd: dir, context: { config: 'other.json' } }).config.response.mode).toBe('off');
    expect(readPicketConfig({ cwd: dir }).config).toEqual(DEFAULT_CONFIG);
    expect(() => readPicketConfig({ cwd: dir, context: { config: 'nope.json' } })).toThrow(/nope\.json[\s\S]*expected an existing JSON file/);
  });

  it('the error source lists the file and the context overrides that took part', () => {
    const dir = mkdtempSync(join(tmpdir(), 'picket-config-'));
    writeFileSync(join(dir, 'picket.config.json'), JSON.stringify({ response: { mode: 'off' } }));
    expect(() => readPicketConfig({ cwd: dir, context: { 'picket.response.mode': 'sometimes' } })).toThrow(
      /picket\.config\.json \+ context picket\.response\.mode[\s\S]*response\.mode: got "sometimes"/,
    );
  });
});

describe('agent limits derived from the config (GuardDuty defaults)', () => {
  // imported here to keep the limits next to the config keys they interpret
  const { systemdLimits, guardDutyMemoryLimitMb } = require('../../lib/agent-limits') as typeof import('../../lib/agent-limits');

  it.each([
    [2, 4 * 1024, '20%', '128M'],
    [4, 16 * 1024, '40%', '256M'],
    [16, 64 * 1024, '160%', '1024M'],
    [1, 8 * 1024, '10%', '256M'],
  ])('%i vCPUs, %i MB RAM: CPUQuota=%s MemoryMax=%s by default', (vcpus, ramMb, cpu, mem) => {
    expect(systemdLimits(DEFAULT_CONFIG.agent, { vcpus, ramMb })).toEqual({ cpuQuota: cpu, memoryMax: mem });
  });

  it('explicit values win, one key each', () => {
    expect(systemdLimits(loadConfig({ agent: { cpuQuotaPercent: 25, memoryMaxMb: 300 } }, 'x').agent, { vcpus: 2, ramMb: 1024 })).toEqual({ cpuQuota: '50%', memoryMax: '300M' });
    expect(guardDutyMemoryLimitMb(32 * 1024 - 1)).toBe(256);
  });
});

describe('docs/config.md', () => {
  const { readFileSync } = require('node:fs') as typeof import('node:fs');
  const doc = readFileSync(join(__dirname, '../../docs/config.md'), 'utf8');
  const examples = [...doc.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => m[1]!);

  it('has examples, and every JSON example is a valid config', () => {
    expect(examples.length).toBeGreaterThanOrEqual(3);
    for (const example of examples) expect(() => loadConfig(JSON.parse(example), 'docs/config.md')).not.toThrow();
  });

  it('documents every key of DEFAULT_CONFIG', () => {
    const keys = new Set<string>();
    const walk = (o: unknown): void => {
      if (typeof o !== 'object' || o === null || Array.isArray(o)) return;
      for (const [k, v] of Object.entries(o)) {
        keys.add(k);
        walk(v);
      }
    };
    walk(DEFAULT_CONFIG);
    for (const key of ['account', 'region', 'vpcs', 'vpcId', 'cidrs', 'subnetIds', 'availabilityZones', 'routeTableIds', 'organizationId', 'securityAccountId']) keys.add(key);
    const missing = [...keys].filter((k) => !doc.includes(`\`${k}\``));
    expect(missing).toEqual([]);
  });
});

describe('vpc edge cases', () => {
  it('an unknown vpc.mode is reported alone, not with every key of the other modes', () => {
    const error = errorOf({ vpc: { mode: 'existng', vpcs: [] } });
    expect(error.issues.map((i) => i.path)).toEqual(['vpc.mode']);
  });

  it('empty lists of an existing VPC are errors (an endpoint needs subnets, its security group CIDRs)', () => {
    const error = errorOf({ vpc: { mode: 'existing', vpcs: [{ vpcId: 'vpc-0123456789abcdef0', cidrs: [], subnetIds: [], availabilityZones: [], routeTableIds: [] }] } });
    expect(error.issues.map((i) => i.path).sort()).toEqual(['vpc.vpcs[0].availabilityZones', 'vpc.vpcs[0].cidrs', 'vpc.vpcs[0].routeTableIds', 'vpc.vpcs[0].subnetIds']);
  });
});
