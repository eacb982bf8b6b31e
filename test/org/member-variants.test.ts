/**
 * Scoping: the StackSet plans cover every target account-region pair exactly once, with the right
 * variant; member self-service rules apply to that account's findings only; central rules to all.
 */
import { loadConfig, type PicketConfig } from '../../lib/config';
import { BASE_VARIANT, type InstanceGroup, memberVariantConfig, orgSuppression, planStackSets } from '../../lib/org/member-variants';
import type { Finding } from '../../lambda/domain/findings/finding';
import { SuppressionRuleSet } from '../../lambda/domain/findings/suppression';

const ORG = {
  enabled: true,
  organizationId: 'o-a1b2c3d4e5',
  securityAccountId: '222233334444',
  securityRegion: 'eu-west-1',
  homeRegion: 'eu-west-1',
  targetOuIds: ['ou-ab12-prod0001', 'ou-ab12-sand0001'],
  excludeAccountIds: ['999999999999'],
  regions: ['eu-west-1', 'us-east-1'],
};

function configWith(org: Record<string, unknown>, extra: Record<string, unknown> = {}): PicketConfig {
  return loadConfig({ ...extra, org: { ...ORG, ...org } }, 'test');
}

/** Which variant an account (in an OU) gets in a region, by evaluating the plans as CloudFormation would. */
function variantsFor(plans: ReturnType<typeof planStackSets>, ou: string, account: string, region: string): string[] {
  const hit = (g: InstanceGroup): boolean => {
    if (!g.regions.includes(region) || !g.organizationalUnitIds.includes(ou)) return false;
    if (g.accountFilterType === 'INTERSECTION') return g.accounts.includes(account);
    if (g.accountFilterType === 'DIFFERENCE') return !g.accounts.includes(account);
    return true;
  };
  return plans.filter((p) => p.groups.some(hit)).map((p) => p.variant);
}

describe('planStackSets', () => {
  it('without scopes: one base StackSet over every OU and region, excluded accounts left out', () => {
    const plans = planStackSets(configWith({}).org);
    expect(plans).toEqual([
      { variant: BASE_VARIANT, groups: [{ organizationalUnitIds: ORG.targetOuIds, accounts: ['999999999999'], accountFilterType: 'DIFFERENCE', regions: ORG.regions }] },
    ]);
  });

  it('account, OU and region scopes: each account-region pair gets exactly one variant, by precedence', () => {
    const org = configWith({
      overrides: [
        { name: 'sandbox', ouIds: ['ou-ab12-sand0001'], isolationMode: 'off' },
        { name: 'payments', accountIds: ['333344445555'], regions: ['eu-west-1'], isolationMode: 'approval' },
        { name: 'us', regions: ['us-east-1'], severityThreshold: 9 },
        { name: 'off-in-us', accountIds: ['444455556666'], regions: ['us-east-1'], enabled: false },
      ],
    }).org;
    const plans = planStackSets(org);
    const cases: [string, string, string, string[]][] = [
      ['ou-ab12-prod0001', '111111111111', 'eu-west-1', ['base']],
      ['ou-ab12-prod0001', '111111111111', 'us-east-1', ['us']],
      ['ou-ab12-sand0001', '111111111111', 'eu-west-1', ['sandbox']],
      ['ou-ab12-sand0001', '111111111111', 'us-east-1', ['sandbox']],
      ['ou-ab12-prod0001', '333344445555', 'eu-west-1', ['payments']],
      ['ou-ab12-sand0001', '333344445555', 'eu-west-1', ['payments']],
      ['ou-ab12-prod0001', '333344445555', 'us-east-1', ['us']],
      ['ou-ab12-prod0001', '444455556666', 'us-east-1', []],
      ['ou-ab12-prod0001', '444455556666', 'eu-west-1', ['base']],
      ['ou-ab12-prod0001', '999999999999', 'eu-west-1', []],
    ];
    for (const [ou, account, region, expected] of cases) {
      expect({ ou, account, region, variants: variantsFor(plans, ou, account, region) }).toEqual({ ou, account, region, variants: expected });
    }
    expect(plans.map((p) => p.variant)).toEqual(['base', 'sandbox', 'payments', 'us']);
  });

  it('a disabled OU scope removes that OU from the roll-out (no StackSet for it)', () => {
    const plans = planStackSets(configWith({ overrides: [{ name: 'sandbox', ouIds: ['ou-ab12-sand0001'], enabled: false }] }).org);
    expect(plans.map((p) => p.variant)).toEqual(['base']);
    expect(variantsFor(plans, 'ou-ab12-sand0001', '111111111111', 'eu-west-1')).toEqual([]);
  });
});

describe('member variants and self-service', () => {
  const config = configWith(
    {
      overrides: [{ name: 'payments', accountIds: ['333344445555'], isolationMode: 'approval', severityThreshold: 5, agentManagement: false }],
      accounts: { '333344445555': { trustedIps: ['198.51.100.7'], trustedDomains: ['*.updates.example.com'] } },
    },
    { suppression: [{ name: 'central-rule', criterion: { type: { eq: ['Custom:Runtime/Noisy'] } } }] },
  );

  it('a scope variant changes isolation mode, severity threshold and agent management; the base keeps the central values', () => {
    const payments = memberVariantConfig(config, 'payments');
    expect(payments.response.mode).toBe('approval');
    expect(payments.response.minSeverity).toBe(5);
    expect(payments.org.memberScope).toEqual({ name: 'payments', agentManagement: false });
    const base = memberVariantConfig(config, BASE_VARIANT);
    expect(base.response.mode).toBe(config.response.mode);
    expect(base.org.memberScope).toEqual({ name: 'base', agentManagement: true });
    expect(() => memberVariantConfig(config, 'nope')).toThrow(/no scope named "nope"/);
  });

  const finding = (accountId: string, action: Record<string, unknown>, type = 'CryptoCurrency:Runtime/BitcoinTool.B!DNS'): Finding =>
    ({ accountId, region: 'eu-west-1', id: 'f1', type, severity: 8, resource: { instanceDetails: { instanceId: 'i-0123456789abcdef0' } }, service: { archived: false, action } }) as unknown as Finding;
  const dns = (domain: string): Record<string, unknown> => ({ actionType: 'DNS_REQUEST', dnsRequestAction: { domain } });
  const net = (ip: string): Record<string, unknown> => ({ actionType: 'NETWORK_CONNECTION', networkConnectionAction: { remoteIpDetails: { ipAddressV4: ip } } });

  it("an account's trusted lists archive its own findings only", () => {
    const rules = new SuppressionRuleSet(orgSuppression(config));
    expect(rules.match(finding('333344445555', dns('mirror.updates.example.com')))?.name).toBe('org-trusted-domains');
    expect(rules.match(finding('333344445555', net('198.51.100.7')))?.name).toBe('org-trusted-ipv4');
    expect(rules.match(finding('111111111111', dns('mirror.updates.example.com')))).toBeUndefined();
    expect(rules.match(finding('111111111111', net('198.51.100.7')))).toBeUndefined();
    expect(rules.match(finding('333344445555', net('203.0.113.9')))).toBeUndefined();
  });

  it('central rules apply to every account, members cannot opt out of them', () => {
    const rules = new SuppressionRuleSet(orgSuppression(config));
    expect(rules.match(finding('111111111111', net('203.0.113.9'), 'Custom:Runtime/Noisy'))?.name).toBe('central-rule');
    expect(rules.match(finding('333344445555', net('203.0.113.9'), 'Custom:Runtime/Noisy'))?.name).toBe('central-rule');
  });
});
