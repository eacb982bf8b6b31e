/**
 * The `org` section of the Picket config: how the member stack reaches every account and region of an
 * AWS Organization, where findings and coverage are aggregated, and what each OU, account or region may
 * change. Read and validated by `readOrgConfig` (called from lib/config.ts); every problem names the key,
 * the value, what was expected and the fix, like the rest of the config.
 *
 * This file must not import lib/config.ts at run time (config.ts imports it; a cycle would leave
 * DEFAULT_CONFIG half-built), so the few shared names are repeated here as types only.
 */
import { parseSuppressionConfig, type SuppressionRule, SuppressionConfigError } from '../lambda/domain/findings/suppression';
import { type ConfigReader, isPlainObject, joinPath, quoteList } from './config-reader';

export const ORG_ISOLATION_MODES = ['off', 'dry-run', 'approval', 'auto'] as const;
export type OrgIsolationMode = (typeof ORG_ISOLATION_MODES)[number];

/** Who creates the StackSet: the management account itself, or a registered delegated administrator. */
export const STACKSET_CALL_AS = ['SELF', 'DELEGATED_ADMIN'] as const;
export type StackSetCallAs = (typeof STACKSET_CALL_AS)[number];

export const REGION_CONCURRENCY = ['PARALLEL', 'SEQUENTIAL'] as const;

/** Regions enabled by default in every account (no opt-in needed). */
export const DEFAULT_ENABLED_REGIONS = [
  'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'ca-central-1', 'sa-east-1',
  'eu-central-1', 'eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-north-1',
  'ap-south-1', 'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3', 'ap-southeast-1', 'ap-southeast-2',
] as const;

/** Regions an account must opt in to (Account settings → AWS Regions) before a stack can be created there. */
export const OPT_IN_REGIONS = [
  'af-south-1', 'ap-east-1', 'ap-east-2', 'ap-south-2', 'ap-southeast-3', 'ap-southeast-4', 'ap-southeast-5', 'ap-southeast-6',
  'ap-southeast-7', 'ca-west-1', 'eu-central-2', 'eu-south-1', 'eu-south-2', 'il-central-1', 'me-central-1', 'me-south-1', 'mx-central-1',
] as const;

/** Organization, root, OU and account id formats (AWS Organizations API reference). */
export const ORG_ID_PATTERNS = {
  organizationId: /^o-[a-z0-9]{10,32}$/,
  rootOrOu: /^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$/,
  account: /^\d{12}$/,
  region: /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/,
  name: /^[A-Za-z][A-Za-z0-9-]{0,31}$/,
  bucketPrefix: /^[a-z0-9][a-z0-9-]{1,40}[a-z0-9]$/,
  busName: /^[A-Za-z0-9._-]{1,256}$/,
  ipAddress: /^(\d{1,3}(\.\d{1,3}){3}|[0-9a-fA-F:]+:[0-9a-fA-F:.]*)$/,
  domain: /^(\*\.)?([A-Za-z0-9_-]{1,63}\.)+[A-Za-z0-9-]{1,63}\.?$/,
} as const;

const OU_DESCRIBE = 'a root id "r-" + 4-32 of [0-9a-z] (e.g. "r-ab12") or an OU id "ou-" + 4-32 of [0-9a-z] + "-" + 8-32 of [a-z0-9] (e.g. "ou-ab12-cdef3456")';

/**
 * A scope that runs with different settings, or not at all. A scope is some OUs (from `targetOuIds`),
 * or some accounts, or neither (= every target account), optionally limited to some regions. Each
 * scope becomes a StackSet of its own member template; the base StackSet leaves its accounts and
 * regions out, so no account-region pair ever gets two member stacks.
 * Precedence: account scopes win over OU scopes, OU scopes over region-only scopes.
 */
export interface OrgOverride {
  /** Short name, used in the StackSet and stack names (letters, digits, hyphens). */
  readonly name: string;
  /** OUs this scope covers; each must also be in `org.targetOuIds`. @default [] */
  readonly ouIds: readonly string[];
  /** Accounts this scope covers (they must sit in one of `org.targetOuIds`). @default [] */
  readonly accountIds: readonly string[];
  /** Regions this scope covers, a subset of `org.regions`; empty = all of them. @default [] */
  readonly regions: readonly string[];
  /** false = Picket is not deployed in this scope at all. @default true */
  readonly enabled: boolean;
  /** Roll out and manage the agent with SSM in this scope. @default - `org.agentManagement` */
  readonly agentManagement?: boolean;
  /** Isolation mode in this scope. @default - `response.mode` */
  readonly isolationMode?: OrgIsolationMode;
  /** Lowest finding severity (1.0-10.0) that triggers a response in this scope. @default - `response.minSeverity` */
  readonly severityThreshold?: number;
}

/** What one member account adds for itself; it applies to that account's findings only. */
export interface OrgAccountSelfService {
  /** Suppression rules for this account's findings (same format as `suppression`). @default [] */
  readonly suppression: readonly SuppressionRule[];
  /** Remote IPs this account trusts: network findings to them are archived. @default [] */
  readonly trustedIps: readonly string[];
  /** Domains this account trusts (a leading `*.` matches subdomains): DNS findings for them are archived. @default [] */
  readonly trustedDomains: readonly string[];
}

/** How CloudFormation rolls the member stack out. */
export interface OrgStackSetOptions {
  /** Share of accounts deployed at once per region. @default 25 */
  readonly maxConcurrentPercentage: number;
  /** Share of accounts that may fail per region before the operation stops. @default 10 */
  readonly failureTolerancePercentage: number;
  /** Regions at once (PARALLEL) or one after the other. @default 'PARALLEL' */
  readonly regionConcurrency: (typeof REGION_CONCURRENCY)[number];
}

/** Set on the config of a scoped member variant (never written by users): which scope it runs for. */
export interface OrgMemberScope {
  /** 'base' or the override's name. */
  readonly name: string;
  /** Whether the member stack should roll out the agent with SSM (the agent-deployment construct reads this). */
  readonly agentManagement: boolean;
}

export interface OrgConfig {
  /** Build the org stacks (security account, management account, member StackSets). @default false */
  readonly enabled: boolean;
  /** `o-…`: when set, endpoint and bus policies allow the organization (aws:PrincipalOrgID) instead of the account. */
  readonly organizationId?: string;
  /** Account that aggregates findings and coverage (the org bus, tables, dashboard). */
  readonly securityAccountId?: string;
  /** Region of the org bus in the security account. */
  readonly securityRegion?: string;
  /** Region the management stack (the StackSets) is deployed in; also gets an asset bucket. */
  readonly homeRegion?: string;
  /** Management (or delegated-admin) account: when set the management stack is bound to it. @default - env-agnostic */
  readonly managementAccountId?: string;
  /** SELF from the management account, DELEGATED_ADMIN from a delegated administrator account. @default 'SELF' */
  readonly callAs: StackSetCallAs;
  /** OUs (`r-…` or `ou-…`) the member stack is deployed to, new accounts included. @default [] */
  readonly targetOuIds: readonly string[];
  /** Accounts inside the target OUs that never get the member stack. @default [] */
  readonly excludeAccountIds: readonly string[];
  /** Regions the member stack is deployed to. @default [] */
  readonly regions: readonly string[];
  /** Opt-in regions enabled in the member accounts (others of OPT_IN_REGIONS are refused). @default [] */
  readonly optInRegions: readonly string[];
  /** Also deploy the member stack into the management account (StackSets never reach it). @default false */
  readonly deployToManagementAccount: boolean;
  /** Name of the org findings bus in the security account. @default 'picket-org-findings' */
  readonly orgBusName: string;
  /** Prefix of the per-region asset buckets `${prefix}-${region}`. @default - `picket-assets-${organizationId}` */
  readonly assetBucketPrefix?: string;
  /** StackSet roll-out preferences. */
  readonly stackSet: OrgStackSetOptions;
  /** Member stacks create a role the security account's central responder may assume to isolate. @default false */
  readonly centralResponse: boolean;
  /** Roll out the agent with SSM in the member accounts (base setting; scopes may change it). @default true */
  readonly agentManagement: boolean;
  /** Keep the aggregated tables and the intel bucket when the security stack is deleted. @default true */
  readonly retainData: boolean;
  /** Scoped settings; see OrgOverride. @default [] */
  readonly overrides: readonly OrgOverride[];
  /** Self-service of member accounts (account id → rules and trusted lists for its own findings). @default {} */
  readonly accounts: Readonly<Record<string, OrgAccountSelfService>>;
  /** Set only on a member variant's config (lib/org/member-variants.ts). */
  readonly memberScope?: OrgMemberScope;
}

export const DEFAULT_ORG_CONFIG: OrgConfig = {
  enabled: false,
  callAs: 'SELF',
  targetOuIds: [],
  excludeAccountIds: [],
  regions: [],
  optInRegions: [],
  deployToManagementAccount: false,
  orgBusName: 'picket-org-findings',
  stackSet: { maxConcurrentPercentage: 25, failureTolerancePercentage: 10, regionConcurrency: 'PARALLEL' },
  centralResponse: false,
  agentManagement: true,
  retainData: true,
  overrides: [],
  accounts: {},
};

const ORG_KEYS = [
  'enabled', 'organizationId', 'securityAccountId', 'securityRegion', 'homeRegion', 'managementAccountId', 'callAs', 'targetOuIds',
  'excludeAccountIds', 'regions', 'optInRegions', 'deployToManagementAccount', 'orgBusName', 'assetBucketPrefix', 'stackSet',
  'centralResponse', 'agentManagement', 'retainData', 'overrides', 'accounts',
] as const;

const ACCOUNT = { pattern: ORG_ID_PATTERNS.account, describe: 'a 12-digit AWS account id as a string, e.g. "111122223333"' };
const REGION = { pattern: ORG_ID_PATTERNS.region, describe: 'an AWS region name such as "eu-west-1"' };

/** The asset bucket prefix in effect (explicit, or derived from the organization id). */
export function assetBucketPrefixOf(org: OrgConfig): string {
  return org.assetBucketPrefix ?? `picket-assets-${org.organizationId ?? 'unknown'}`;
}

/** Reads and checks the `org` section; problems go to `r`, the defaults fill what is absent or wrong. */
export function readOrgConfig(r: ConfigReader, value: unknown): OrgConfig {
  const p = 'org';
  const d = DEFAULT_ORG_CONFIG;
  const o = r.section(value, p, ORG_KEYS);
  const opt = <T>(key: string, v: T | undefined): Record<string, T> => (v === undefined ? {} : { [key]: v });
  const organizationId = r.optionalString(o, p, 'organizationId', { pattern: ORG_ID_PATTERNS.organizationId, describe: 'an organization id such as "o-a1b2c3d4e5" (o- and 10-32 of [a-z0-9])' });
  const org: OrgConfig = {
    enabled: r.boolean(o, p, 'enabled', d.enabled),
    ...opt('organizationId', organizationId),
    ...opt('securityAccountId', r.optionalString(o, p, 'securityAccountId', ACCOUNT)),
    ...opt('securityRegion', r.optionalString(o, p, 'securityRegion', REGION)),
    ...opt('homeRegion', r.optionalString(o, p, 'homeRegion', REGION)),
    ...opt('managementAccountId', r.optionalString(o, p, 'managementAccountId', ACCOUNT)),
    callAs: r.oneOf(o, p, 'callAs', d.callAs, STACKSET_CALL_AS),
    targetOuIds: r.stringArray(o, p, 'targetOuIds', d.targetOuIds, { pattern: ORG_ID_PATTERNS.rootOrOu, describe: OU_DESCRIBE, unique: true }),
    excludeAccountIds: r.stringArray(o, p, 'excludeAccountIds', d.excludeAccountIds, { ...ACCOUNT, unique: true }),
    regions: r.stringArray(o, p, 'regions', d.regions, { ...REGION, unique: true }),
    optInRegions: r.stringArray(o, p, 'optInRegions', d.optInRegions, { ...REGION, unique: true }),
    deployToManagementAccount: r.boolean(o, p, 'deployToManagementAccount', d.deployToManagementAccount),
    orgBusName: r.string(o, p, 'orgBusName', d.orgBusName, { pattern: ORG_ID_PATTERNS.busName, describe: 'an event bus name (letters, digits, . _ -)' }),
    ...opt('assetBucketPrefix', r.optionalString(o, p, 'assetBucketPrefix', { pattern: ORG_ID_PATTERNS.bucketPrefix, describe: 'a bucket name prefix of 3-42 characters from a-z 0-9 - (the region is appended)' })),
    stackSet: readStackSet(r, o['stackSet']),
    centralResponse: r.boolean(o, p, 'centralResponse', d.centralResponse),
    agentManagement: r.boolean(o, p, 'agentManagement', d.agentManagement),
    retainData: r.boolean(o, p, 'retainData', d.retainData),
    overrides: readOverrides(r, o['overrides']),
    accounts: readAccounts(r, o['accounts']),
  };
  checkOrg(r, org);
  return org;
}

function readStackSet(r: ConfigReader, value: unknown): OrgStackSetOptions {
  const p = 'org.stackSet';
  const d = DEFAULT_ORG_CONFIG.stackSet;
  const o = r.section(value, p, ['maxConcurrentPercentage', 'failureTolerancePercentage', 'regionConcurrency']);
  return {
    maxConcurrentPercentage: r.number(o, p, 'maxConcurrentPercentage', d.maxConcurrentPercentage, { integer: true, min: 1, max: 100 }),
    failureTolerancePercentage: r.number(o, p, 'failureTolerancePercentage', d.failureTolerancePercentage, { integer: true, min: 0, max: 100 }),
    regionConcurrency: r.oneOf(o, p, 'regionConcurrency', d.regionConcurrency, REGION_CONCURRENCY),
  };
}

const OVERRIDE_KEYS = ['name', 'ouIds', 'accountIds', 'regions', 'enabled', 'agentManagement', 'isolationMode', 'severityThreshold'] as const;

function readOverrides(r: ConfigReader, value: unknown): OrgOverride[] {
  const p = 'org.overrides';
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    r.report(p, value, 'an array of scopes {name, ouIds | accountIds, regions, …}', 'wrap the scopes in [ ]; see docs/org.md#scoping');
    return [];
  }
  const out: OrgOverride[] = [];
  value.forEach((entry, i) => {
    const ep = joinPath(p, i);
    const o = r.section(entry, ep, OVERRIDE_KEYS);
    const name = r.optionalString(o, ep, 'name', { pattern: ORG_ID_PATTERNS.name, describe: 'a name of 1-32 letters, digits and hyphens, starting with a letter' });
    if (o['name'] === undefined) r.report(joinPath(ep, 'name'), undefined, 'a scope name', `add ${joinPath(ep, 'name')}, e.g. "prod"`);
    const agentManagement = o['agentManagement'] === undefined ? undefined : r.boolean(o, ep, 'agentManagement', true);
    const isolationMode = o['isolationMode'] === undefined ? undefined : r.oneOf(o, ep, 'isolationMode', 'dry-run', ORG_ISOLATION_MODES);
    const severityThreshold = r.optionalNumber(o, ep, 'severityThreshold', { min: 1, max: 10 });
    const override: OrgOverride = {
      name: name ?? `scope${i}`,
      ouIds: r.stringArray(o, ep, 'ouIds', [], { pattern: ORG_ID_PATTERNS.rootOrOu, describe: OU_DESCRIBE, unique: true }),
      accountIds: r.stringArray(o, ep, 'accountIds', [], { ...ACCOUNT, unique: true }),
      regions: r.stringArray(o, ep, 'regions', [], { ...REGION, unique: true }),
      enabled: r.boolean(o, ep, 'enabled', true),
      ...(agentManagement !== undefined ? { agentManagement } : {}),
      ...(isolationMode !== undefined ? { isolationMode } : {}),
      ...(severityThreshold !== undefined ? { severityThreshold } : {}),
    };
    if (override.ouIds.length > 0 && override.accountIds.length > 0) {
      r.report(joinPath(ep, 'accountIds'), o['accountIds'], 'either ouIds or accountIds in one scope, not both', `split ${ep} into one scope for the OUs and one for the accounts`);
    }
    out.push(override);
  });
  const names = out.map((s) => s.name);
  names.forEach((n, i) => {
    if (names.indexOf(n) !== i) r.report(joinPath(joinPath(p, i), 'name'), n, 'each scope name once', `rename the second scope called "${n}"`);
  });
  return out;
}

const ACCOUNT_KEYS = ['suppression', 'trustedIps', 'trustedDomains'] as const;

function readAccounts(r: ConfigReader, value: unknown): Record<string, OrgAccountSelfService> {
  const p = 'org.accounts';
  if (value === undefined) return {};
  if (!isPlainObject(value)) {
    r.report(p, value, 'an object of account id → {suppression, trustedIps, trustedDomains}', 'set it to e.g. {"111122223333": {"trustedIps": ["198.51.100.7"]}}');
    return {};
  }
  const out: Record<string, OrgAccountSelfService> = {};
  for (const [account, entry] of Object.entries(value)) {
    const ap = joinPath(p, account);
    if (!ORG_ID_PATTERNS.account.test(account)) {
      r.report(ap, account, 'a 12-digit AWS account id as the key', 'key the self-service entry by the member account id, e.g. "111122223333"');
      continue;
    }
    const o = r.section(entry, ap, ACCOUNT_KEYS);
    let suppression: SuppressionRule[] = [];
    const rawRules = o['suppression'];
    if (rawRules !== undefined) {
      if (!Array.isArray(rawRules)) {
        r.report(joinPath(ap, 'suppression'), rawRules, 'an array of suppression rules', 'wrap the rules in [ ]; the rule format is in docs/config.md#suppression');
      } else {
        try {
          suppression = [...(parseSuppressionConfig(rawRules, joinPath(ap, 'suppression')).central ?? [])];
        } catch (error) {
          if (!(error instanceof SuppressionConfigError)) throw error;
          r.report(error.where, rawRules, `a rule the suppression engine accepts (${error.message.slice(error.where.length + 2)})`, 'correct that rule; operators and their value types are in docs/config.md#suppression');
        }
      }
    }
    out[account] = {
      suppression,
      trustedIps: r.stringArray(o, ap, 'trustedIps', [], { pattern: ORG_ID_PATTERNS.ipAddress, describe: 'IP addresses such as "198.51.100.7" or "2001:db8::1"', unique: true }),
      trustedDomains: r.stringArray(o, ap, 'trustedDomains', [], { pattern: ORG_ID_PATTERNS.domain, describe: 'domain names such as "updates.example.com" or "*.example.com"', unique: true }),
    };
  }
  return out;
}

/** Whether `region` is a region Picket can deploy to given the opt-in regions the org enabled. */
function regionProblem(region: string, org: OrgConfig): { expected: string; fix: string } | undefined {
  if ((DEFAULT_ENABLED_REGIONS as readonly string[]).includes(region)) return undefined;
  if ((OPT_IN_REGIONS as readonly string[]).includes(region)) {
    if (org.optInRegions.includes(region)) return undefined;
    return {
      expected: `a region enabled in the member accounts ("${region}" is an opt-in region, not enabled by default)`,
      fix: `enable ${region} for the accounts (Organizations → Account settings → AWS Regions, or aws account enable-region) and add it to org.optInRegions, or remove it`,
    };
  }
  if (org.optInRegions.includes(region)) return undefined;
  return {
    expected: `an AWS region (one of ${quoteList(DEFAULT_ENABLED_REGIONS)} or an opt-in region listed in org.optInRegions)`,
    fix: `check the spelling of "${region}"; a region newer than Picket's list can be declared in org.optInRegions`,
  };
}

/** Rules across the keys of the section (and, when enabled, what the org stacks need). */
function checkOrg(r: ConfigReader, org: OrgConfig): void {
  const p = 'org';
  const checkRegions = (path: string, regions: readonly string[]): void => {
    regions.forEach((region, i) => {
      const problem = regionProblem(region, org);
      if (problem) r.report(joinPath(path, i), region, problem.expected, problem.fix);
    });
  };
  checkRegions('org.regions', org.regions);
  for (const key of ['securityRegion', 'homeRegion'] as const) {
    const region = org[key];
    const problem = region === undefined ? undefined : regionProblem(region, org);
    if (problem && region) r.report(joinPath(p, key), region, problem.expected, problem.fix);
  }
  if (org.enabled) {
    const need = (key: keyof OrgConfig, what: string, fix: string): void => {
      const v = org[key];
      if (v === undefined || (Array.isArray(v) && v.length === 0)) r.report(joinPath(p, key), v, `${what} when org.enabled is true`, fix);
    };
    need('organizationId', 'an organization id', 'add org.organizationId ("o-…", from `aws organizations describe-organization`) or set org.enabled to false');
    need('securityAccountId', 'the 12-digit security (aggregation) account id', 'add org.securityAccountId, e.g. "222233334444"');
    need('securityRegion', 'the region of the org findings bus', 'add org.securityRegion, e.g. "eu-west-1"');
    need('homeRegion', 'the region the management stack and its StackSets live in', 'add org.homeRegion, e.g. "eu-west-1"');
    need('targetOuIds', 'at least one root or OU id to deploy the member stack to', 'add org.targetOuIds, e.g. ["r-ab12"] for the whole organization');
    need('regions', 'at least one region to deploy the member stack to', 'add org.regions, e.g. ["eu-west-1", "us-east-1"]');
  }
  if (org.managementAccountId !== undefined && org.managementAccountId === org.securityAccountId && org.callAs === 'SELF') {
    r.report('org.securityAccountId', org.securityAccountId, 'a security account other than the management account (AWS guidance: keep workloads and tooling out of the management account)', 'delegate a security tooling account and set org.securityAccountId to it');
  }
  checkScopes(r, org, checkRegions);
  for (const account of Object.keys(org.accounts)) {
    if (org.excludeAccountIds.includes(account)) {
      r.report(joinPath('org.accounts', account), account, 'self-service only for accounts that get the member stack', `remove org.accounts.${account}, or remove ${account} from org.excludeAccountIds`);
    }
  }
}

function checkScopes(r: ConfigReader, org: OrgConfig, checkRegions: (path: string, regions: readonly string[]) => void): void {
  const covered = new Map<string, string>(); // "<target>@<region>" -> scope path
  org.overrides.forEach((scope, i) => {
    const sp = joinPath('org.overrides', i);
    checkRegions(joinPath(sp, 'regions'), scope.regions);
    scope.regions.forEach((region, j) => {
      if (org.regions.length > 0 && !org.regions.includes(region)) {
        r.report(joinPath(joinPath(sp, 'regions'), j), region, `one of org.regions (${quoteList(org.regions)})`, `add ${region} to org.regions or remove it from the scope`);
      }
    });
    scope.ouIds.forEach((ou, j) => {
      if (!org.targetOuIds.includes(ou)) {
        r.report(joinPath(joinPath(sp, 'ouIds'), j), ou, `an OU that is also in org.targetOuIds (${quoteList(org.targetOuIds)})`, `add ${ou} to org.targetOuIds (list the child OUs there instead of their parent), or remove it from the scope`);
      }
    });
    scope.accountIds.forEach((account, j) => {
      if (org.excludeAccountIds.includes(account)) {
        r.report(joinPath(joinPath(sp, 'accountIds'), j), account, 'an account not also in org.excludeAccountIds (an account cannot be both included by a scope and excluded)', `remove ${account} from org.excludeAccountIds or from ${sp}.accountIds; to switch Picket off there, use a scope with "enabled": false`);
      }
    });
    const targets = scope.accountIds.length > 0 ? scope.accountIds.map((a) => `account ${a}`) : scope.ouIds.length > 0 ? scope.ouIds.map((o) => `OU ${o}`) : ['every account'];
    const regions = scope.regions.length > 0 ? scope.regions : org.regions;
    for (const target of targets) {
      for (const region of regions) {
        const key = `${target} in ${region}`;
        const other = covered.get(key);
        if (other !== undefined) {
          r.report(sp, scope.name, `scopes that do not overlap (${key} is already covered by ${other})`, `narrow the regions or targets of ${sp} or of ${other}`);
          return;
        }
        covered.set(key, sp);
      }
    }
  });
}

/** The parts of the whole config the org checks need (kept structural: this file must not import config.ts). */
export interface OrgCrossCheckInput {
  readonly vpc: { readonly mode: string };
  readonly response: { readonly mode: string };
  readonly org: OrgConfig;
}

/** Org rules that depend on other sections (called by lib/config.ts crossCheck). */
export function crossCheckOrg(r: ConfigReader, c: OrgCrossCheckInput): void {
  if (!c.org.enabled) return;
  if (c.vpc.mode === 'existing') {
    r.report('vpc.mode', 'existing', '"new" or "none" when org.enabled is true (one member template serves every account: VPC ids differ per account)', 'set vpc.mode to "none" (instances use their own routes or endpoints) or "new"');
  }
  if (c.vpc.mode === 'none') {
    const isolating = (mode: string | undefined): boolean => mode === 'approval' || mode === 'auto';
    if (isolating(c.response.mode)) {
      r.report('response.mode', c.response.mode, '"off" or "dry-run" when vpc.mode is "none" (isolation needs the VPCs Picket manages for its security groups)', 'use "dry-run", or set vpc.mode to "new"');
    }
    c.org.overrides.forEach((s, i) => {
      if (isolating(s.isolationMode)) {
        r.report(joinPath(joinPath('org.overrides', i), 'isolationMode'), s.isolationMode, '"off" or "dry-run" when vpc.mode is "none"', 'use "dry-run", or set vpc.mode to "new"');
      }
    });
  }
}
