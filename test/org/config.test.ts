/**
 * Org config validation: every problem is a ConfigError issue naming the key path, the value, what
 * was expected and the fix.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadConfig } from '../../lib/config';
import { ConfigError, type ConfigIssue } from '../../lib/config-error';

const VALID_ORG = {
  enabled: true,
  organizationId: 'o-a1b2c3d4e5',
  securityAccountId: '222233334444',
  securityRegion: 'eu-west-1',
  homeRegion: 'eu-west-1',
  targetOuIds: ['r-ab12', 'ou-ab12-cdef3456'],
  regions: ['eu-west-1', 'us-east-1'],
};

function issuesOf(org: Record<string, unknown>, extra: Record<string, unknown> = {}): ConfigIssue[] {
  try {
    loadConfig({ ...extra, org }, 'org test');
  } catch (error) {
    if (error instanceof ConfigError) return [...error.issues];
    throw error;
  }
  return [];
}

function issueAt(issues: ConfigIssue[], p: string): ConfigIssue {
  const found = issues.find((i) => i.path === p);
  if (!found) throw new Error(`no issue at ${p}; got ${JSON.stringify(issues.map((i) => i.path))}`);
  return found;
}

describe('org config', () => {
  it('the example org config is valid and keeps every key', () => {
    const raw = JSON.parse(readFileSync(path.resolve(__dirname, '../../examples/org.json'), 'utf8'));
    const config = loadConfig(raw, 'examples/org.json');
    expect(config.org.enabled).toBe(true);
    expect(config.org.callAs).toBe('DELEGATED_ADMIN');
    expect(config.org.overrides.map((o) => o.name)).toEqual(['sandbox', 'payments', 'no-us']);
    expect(config.org.accounts['333344445555']?.trustedIps).toEqual(['198.51.100.7']);
  });

  it('a minimal valid org config gets the documented defaults', () => {
    const config = loadConfig({ org: VALID_ORG }, 't');
    expect(config.org).toMatchObject({ callAs: 'SELF', orgBusName: 'picket-org-findings', deployToManagementAccount: false, centralResponse: false, retainData: true });
    expect(config.org.stackSet).toEqual({ maxConcurrentPercentage: 25, failureTolerancePercentage: 10, regionConcurrency: 'PARALLEL' });
  });

  it('the single-account default is unchanged: org off, and organizationId alone is still accepted', () => {
    expect(loadConfig({}, 't').org.enabled).toBe(false);
    expect(loadConfig({ org: { organizationId: 'o-a1b2c3d4e5' } }, 't').org.organizationId).toBe('o-a1b2c3d4e5');
  });

  it('an unknown OU id format names the key, the value, the expected format and a fix', () => {
    const issues = issuesOf({ ...VALID_ORG, targetOuIds: ['ou-ab12-cdef3456', 'ou-AB12-cdef3456', 'o-a1b2c3d4e5'] });
    const bad = issueAt(issues, 'org.targetOuIds[1]');
    expect(bad.value).toBe('ou-AB12-cdef3456');
    expect(bad.expected).toMatch(/"ou-" \+ 4-32 of \[0-9a-z\]/);
    expect(bad.expected).toMatch(/"r-"/);
    expect(bad.fix).toMatch(/org\.targetOuIds\[1\]/);
    expect(issueAt(issues, 'org.targetOuIds[2]').value).toBe('o-a1b2c3d4e5');
    expect(issues.find((i) => i.path === 'org.targetOuIds[0]')).toBeUndefined();
  });

  it('an OU id in a scope is checked the same way', () => {
    const issues = issuesOf({ ...VALID_ORG, overrides: [{ name: 'dev', ouIds: ['ou-x'] }] });
    expect(issueAt(issues, 'org.overrides[0].ouIds[0]').value).toBe('ou-x');
  });

  it('an account both excluded and included by a scope is an overlap error naming both keys', () => {
    const issues = issuesOf({ ...VALID_ORG, excludeAccountIds: ['333344445555'], overrides: [{ name: 'payments', accountIds: ['333344445555'], isolationMode: 'approval' }] });
    const overlap = issueAt(issues, 'org.overrides[0].accountIds[0]');
    expect(overlap.value).toBe('333344445555');
    expect(overlap.expected).toMatch(/both included by a scope and excluded/);
    expect(overlap.fix).toMatch(/org\.excludeAccountIds/);
  });

  it('two scopes covering the same OU in the same region overlap', () => {
    const issues = issuesOf({
      ...VALID_ORG,
      overrides: [
        { name: 'a', ouIds: ['ou-ab12-cdef3456'], regions: ['us-east-1'] },
        { name: 'b', ouIds: ['ou-ab12-cdef3456'] },
      ],
    });
    expect(issueAt(issues, 'org.overrides[1]').expected).toMatch(/OU ou-ab12-cdef3456 in us-east-1 is already covered by org\.overrides\[0\]/);
  });

  it('an opt-in region that is not enabled is an error that says how to enable it', () => {
    const issues = issuesOf({ ...VALID_ORG, regions: ['eu-west-1', 'me-central-1'] });
    const bad = issueAt(issues, 'org.regions[1]');
    expect(bad.value).toBe('me-central-1');
    expect(bad.expected).toMatch(/opt-in region, not enabled by default/);
    expect(bad.fix).toMatch(/org\.optInRegions/);
    // …and accepted once declared enabled.
    expect(issuesOf({ ...VALID_ORG, regions: ['eu-west-1', 'me-central-1'], optInRegions: ['me-central-1'] })).toEqual([]);
  });

  it('a string that is not a region, or a scope region outside org.regions, is refused', () => {
    const issues = issuesOf({ ...VALID_ORG, regions: ['eu-west-1', 'eu-wset-1', 'Europe'], overrides: [{ name: 'x', regions: ['eu-central-1'] }] });
    expect(issueAt(issues, 'org.regions[1]').fix).toMatch(/check the spelling of "eu-wset-1"/);
    expect(issueAt(issues, 'org.regions[2]').expected).toMatch(/region/);
    expect(issueAt(issues, 'org.overrides[0].regions[0]').expected).toMatch(/one of org\.regions/);
  });

  it('org.enabled without security account, regions or OUs lists every missing key at once', () => {
    const issues = issuesOf({ enabled: true, organizationId: 'o-a1b2c3d4e5' });
    for (const key of ['securityAccountId', 'securityRegion', 'homeRegion', 'targetOuIds', 'regions']) {
      expect(issueAt(issues, `org.${key}`).expected).toMatch(/when org\.enabled is true/);
    }
  });

  it('a scope OU must be one of the target OUs, and a scope cannot mix OUs and accounts', () => {
    const issues = issuesOf({ ...VALID_ORG, overrides: [{ name: 'x', ouIds: ['ou-zz99-abcdefgh'], accountIds: ['111122223333'] }] });
    expect(issueAt(issues, 'org.overrides[0].ouIds[0]').expected).toMatch(/also in org\.targetOuIds/);
    expect(issueAt(issues, 'org.overrides[0].accountIds').expected).toMatch(/either ouIds or accountIds/);
  });

  it('scope settings are type-checked (isolation mode, severity threshold)', () => {
    const issues = issuesOf({ ...VALID_ORG, overrides: [{ name: 'x', isolationMode: 'isolate', severityThreshold: 11 }] });
    expect(issueAt(issues, 'org.overrides[0].isolationMode').expected).toMatch(/"off", "dry-run", "approval", "auto"/);
    expect(issueAt(issues, 'org.overrides[0].severityThreshold').expected).toMatch(/from 1 to 10/);
  });

  it('self-service entries: account key format, rule format, trusted IPs and domains', () => {
    const issues = issuesOf({
      ...VALID_ORG,
      accounts: {
        '1234': {},
        '333344445555': { trustedIps: ['not-an-ip'], trustedDomains: ['*.example.com', 'bad domain'], suppression: [{ name: 'r1', criterion: { severity: { gt: 'high' } } }] },
      },
    });
    expect(issueAt(issues, 'org.accounts.1234').expected).toMatch(/12-digit/);
    expect(issueAt(issues, 'org.accounts.333344445555.trustedIps[0]').value).toBe('not-an-ip');
    expect(issueAt(issues, 'org.accounts.333344445555.trustedDomains[1]').value).toBe('bad domain');
    expect(issues.some((i) => i.path.startsWith('org.accounts.333344445555.suppression'))).toBe(true);
  });

  it('an org member template cannot use existing VPCs (ids differ per account), nor isolate without VPCs', () => {
    const existing = { mode: 'existing', vpcs: [{ vpcId: 'vpc-0a0a0a0a0a0a0a0a0', cidrs: ['10.1.0.0/16'], subnetIds: ['subnet-0a0a0a0a0a0a0a0a1'], availabilityZones: ['eu-west-1a'], routeTableIds: ['rtb-0a0a0a0a0a0a0a0a1'] }] };
    expect(issueAt(issuesOf(VALID_ORG, { vpc: existing }), 'vpc.mode').expected).toMatch(/VPC ids differ per account/);
    const none = issuesOf({ ...VALID_ORG, overrides: [{ name: 'x', isolationMode: 'auto' }] }, { vpc: { mode: 'none' } });
    expect(issueAt(none, 'org.overrides[0].isolationMode').expected).toMatch(/when vpc\.mode is "none"/);
  });

  it('the error message renders path, value, expectation and fix for each issue', () => {
    expect(() => loadConfig({ org: { ...VALID_ORG, targetOuIds: ['ou-bad'] } }, 'org.json')).toThrow(/org\.targetOuIds\[0\]: got "ou-bad"; expected .*Fix: /);
  });
});
