/**
 * Turns the org scoping config into concrete roll-out plans: one member-stack variant per scope with
 * different settings (each its own template and StackSet), and for each variant the StackSet instance
 * groups (OUs, account filter, regions) that together cover every target account-region pair exactly
 * once. Pure: no CDK constructs, so the rules are unit-tested on their own.
 *
 * Precedence (config-org.ts validates that scopes of one kind never overlap):
 *   account scope > OU scope > region-only scope > base.
 */
import type { PicketConfig } from '../config';
import type { OrgAccountSelfService, OrgConfig, OrgOverride } from '../config-org';
import type { SuppressionConfig, SuppressionRule } from '../../lambda/domain/findings/suppression';

export const BASE_VARIANT = 'base';

export type AccountFilterType = 'NONE' | 'INTERSECTION' | 'DIFFERENCE';

/** One `StackInstances` entry of a service-managed StackSet. */
export interface InstanceGroup {
  readonly organizationalUnitIds: readonly string[];
  /** With INTERSECTION: only these accounts of the OUs; with DIFFERENCE: all but these. */
  readonly accounts: readonly string[];
  readonly accountFilterType: AccountFilterType;
  readonly regions: readonly string[];
}

export interface StackSetPlan {
  /** 'base' or the scope's name. */
  readonly variant: string;
  readonly groups: readonly InstanceGroup[];
}

function scopeKind(s: OrgOverride): 'account' | 'ou' | 'region' {
  return s.accountIds.length > 0 ? 'account' : s.ouIds.length > 0 ? 'ou' : 'region';
}

function covers(s: OrgOverride, region: string): boolean {
  return s.regions.length === 0 || s.regions.includes(region);
}

/** The StackSets to create, with their instance groups; disabled scopes only carve their targets out. */
export function planStackSets(org: OrgConfig): StackSetPlan[] {
  // variant -> target key -> group being built (regions merged when targets are equal)
  const byVariant = new Map<string, Map<string, { g: Omit<InstanceGroup, 'regions'>; regions: string[] }>>();
  const add = (variant: string, g: Omit<InstanceGroup, 'regions'>, region: string): void => {
    const groups = byVariant.get(variant) ?? new Map();
    byVariant.set(variant, groups);
    const key = JSON.stringify(g);
    const entry = groups.get(key) ?? { g, regions: [] };
    groups.set(key, entry);
    entry.regions.push(region);
  };
  const filtered = (ous: readonly string[], excluded: readonly string[]): Omit<InstanceGroup, 'regions'> =>
    excluded.length > 0 ? { organizationalUnitIds: ous, accounts: excluded, accountFilterType: 'DIFFERENCE' } : { organizationalUnitIds: ous, accounts: [], accountFilterType: 'NONE' };

  for (const region of org.regions) {
    const active = org.overrides.filter((s) => covers(s, region));
    const accountScopes = active.filter((s) => scopeKind(s) === 'account');
    const ouScopes = active.filter((s) => scopeKind(s) === 'ou');
    const regionScope = active.find((s) => scopeKind(s) === 'region');
    const scopedAccounts = accountScopes.flatMap((s) => s.accountIds);
    const excluded = [...new Set([...org.excludeAccountIds, ...scopedAccounts])].sort();

    for (const s of accountScopes) {
      if (s.enabled) add(s.name, { organizationalUnitIds: org.targetOuIds, accounts: [...s.accountIds].sort(), accountFilterType: 'INTERSECTION' }, region);
    }
    for (const s of ouScopes) {
      if (s.enabled) add(s.name, filtered(s.ouIds, excluded), region);
    }
    const scopedOus = new Set(ouScopes.flatMap((s) => s.ouIds));
    const rest = org.targetOuIds.filter((ou) => !scopedOus.has(ou));
    const restVariant = regionScope ?? undefined;
    if (rest.length > 0 && (restVariant === undefined || restVariant.enabled)) add(restVariant?.name ?? BASE_VARIANT, filtered(rest, excluded), region);
  }

  const order = [BASE_VARIANT, ...org.overrides.map((s) => s.name)];
  return order
    .filter((v) => byVariant.has(v))
    .map((variant) => ({ variant, groups: [...byVariant.get(variant)!.values()].map(({ g, regions }) => ({ ...g, regions })) }));
}

/** Rules that turn an account's trusted lists into suppression rules for its own findings. */
export function trustedListRules(entry: OrgAccountSelfService): SuppressionRule[] {
  const rules: SuppressionRule[] = [];
  const v4 = entry.trustedIps.filter((ip) => !ip.includes(':'));
  const v6 = entry.trustedIps.filter((ip) => ip.includes(':'));
  const remote = 'service.action.networkConnectionAction.remoteIpDetails';
  if (v4.length > 0) rules.push({ name: 'org-trusted-ipv4', description: 'Trusted remote IPv4 addresses of this account (org.accounts)', action: 'ARCHIVE', criterion: { [`${remote}.ipAddressV4`]: { eq: v4 } } });
  if (v6.length > 0) rules.push({ name: 'org-trusted-ipv6', description: 'Trusted remote IPv6 addresses of this account (org.accounts)', action: 'ARCHIVE', criterion: { [`${remote}.ipAddressV6`]: { eq: v6 } } });
  if (entry.trustedDomains.length > 0) {
    rules.push({
      name: 'org-trusted-domains',
      description: 'Trusted domains of this account (org.accounts)',
      action: 'ARCHIVE',
      criterion: { 'service.action.dnsRequestAction.domain': { matches: entry.trustedDomains.map((d) => d.replace(/\.$/, '')) } },
    });
  }
  return rules;
}

/**
 * Central rules for every finding, plus each member account's own rules and trusted lists for its
 * findings only (SuppressionRuleSet applies `accounts` rules by the finding's accountId).
 */
export function orgSuppression(config: PicketConfig): SuppressionConfig {
  const accounts: Record<string, SuppressionRule[]> = {};
  for (const [account, rules] of Object.entries(config.suppression.accounts ?? {})) accounts[account] = [...rules];
  for (const [account, entry] of Object.entries(config.org.accounts)) {
    accounts[account] = [...(accounts[account] ?? []), ...entry.suppression, ...trustedListRules(entry)];
  }
  return { central: config.suppression.central ?? [], accounts };
}

/** The config a member variant is synthesized from: the central config with the scope's settings applied. */
export function memberVariantConfig(config: PicketConfig, variant: string): PicketConfig {
  const scope = variant === BASE_VARIANT ? undefined : config.org.overrides.find((s) => s.name === variant);
  if (variant !== BASE_VARIANT && scope === undefined) throw new Error(`memberVariantConfig: no scope named "${variant}" in org.overrides`);
  return {
    ...config,
    suppression: orgSuppression(config),
    response: {
      ...config.response,
      ...(scope?.isolationMode !== undefined ? { mode: scope.isolationMode } : {}),
      ...(scope?.severityThreshold !== undefined ? { minSeverity: scope.severityThreshold } : {}),
    },
    org: { ...config.org, memberScope: { name: variant, agentManagement: scope?.agentManagement ?? config.org.agentManagement } },
  };
}
