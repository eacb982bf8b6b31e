/**
 * The typed Picket configuration: one object, read in `bin/app.ts` from a JSON file (default
 * `picket.config.json`, another with `-c config=PATH`) merged with cdk.json / `-c` context (see
 * ./config-sources.ts), validated ONCE by `loadConfig`, then handed down to constructs as props.
 * No construct reads context or the environment itself.
 *
 * Every key has a default, and the defaults deploy into one account with no edits. docs/config.md lists
 * every key, its default and an example; keep it in step with this file.
 */
import { DEFAULT_RESPONSE_CONFIG, RESPONSE_MODES, type ResponseConfig } from '../lambda/domain/isolation/response-config';
import { parseSuppressionConfig, type SuppressionConfig, SuppressionConfigError } from '../lambda/domain/findings/suppression';
import { ConfigError } from './config-error';
import { crossCheckOrg, DEFAULT_ORG_CONFIG, type OrgConfig, readOrgConfig } from './config-org';
import { ConfigReader, isPlainObject, type JsonObject, joinPath, quoteList } from './config-reader';

// ---------------------------------------------------------------------------------------------------
// Types
// ---------------------------------------------------------------------------------------------------

/** Interface VPC endpoints Picket can create; each is `com.amazonaws.<region>.<name>`. */
export const INTERFACE_ENDPOINT_NAMES = ['events', 'ssm', 'ssmmessages', 'ec2messages'] as const;
export type InterfaceEndpointName = (typeof INTERFACE_ENDPOINT_NAMES)[number];

/** Which VPC endpoints to create in each VPC Picket manages. */
export interface VpcEndpointOptions {
  /**
   * Interface endpoints (private DNS on). Drop a service here when the VPC already has an endpoint
   * for it: two endpoints with private DNS for one service in one VPC cannot coexist.
   * @default ['events', 'ssm', 'ssmmessages', 'ec2messages']
   */
  readonly interfaceEndpoints: readonly InterfaceEndpointName[];
  /**
   * An S3 gateway endpoint (free): SSM agent updates, Amazon Linux package repositories and, later,
   * the agent bundle are fetched from S3.
   * @default true
   */
  readonly s3GatewayEndpoint: boolean;
}

/** Quick start: a new VPC with isolated subnets (no NAT, no internet), reachable AWS APIs through endpoints. */
export interface NewVpcConfig extends VpcEndpointOptions {
  readonly mode: 'new';
  /** IPv4 CIDR of the new VPC. @default '10.64.0.0/16' */
  readonly cidr: string;
  /** How many Availability Zones the VPC and its endpoints span. @default 2 */
  readonly maxAzs: number;
}

/**
 * An existing VPC, described in full in the config so synth needs no AWS lookup (`Vpc.fromLookup`
 * would need credentials or a committed cdk.context.json). Copy the values from the VPC console or
 * `aws ec2 describe-subnets --filters Name=vpc-id,Values=<id>`.
 */
export interface ExistingVpc {
  /** `vpc-…` id. */
  readonly vpcId: string;
  /** The VPC's IPv4 CIDR blocks: the endpoint security groups accept 443 from these only. */
  readonly cidrs: readonly string[];
  /** One subnet per Availability Zone to place the interface endpoints in (`subnet-…`). */
  readonly subnetIds: readonly string[];
  /** Availability Zone of each subnet, same order and length as `subnetIds` (e.g. `eu-west-1a`). */
  readonly availabilityZones: readonly string[];
  /** Route table of each subnet, same order and length as `subnetIds` (`rtb-…`); the S3 gateway endpoint is added to them. */
  readonly routeTableIds: readonly string[];
}

/** Existing VPCs, by id and attributes given in the config (synth stays offline). */
export interface ExistingVpcConfig extends VpcEndpointOptions {
  readonly mode: 'existing';
  /** At least one VPC. */
  readonly vpcs: readonly ExistingVpc[];
}

/** No VPC and no endpoints: instances reach EventBridge and SSM over their own route (NAT, internet, existing endpoints). */
export interface NoVpcConfig {
  readonly mode: 'none';
}

export type VpcConfig = NewVpcConfig | ExistingVpcConfig | NoVpcConfig;

/** The ingest path: runtime bus, detector queue, instance IAM. */
export interface IngestConfig {
  /** Name of the runtime EventBus the agents put events on. @default 'picket-runtime' */
  readonly busName: string;
  /** Days to keep every raw runtime event in an EventBridge archive (replayable); 0 = no archive. @default 0 */
  readonly archiveRetentionDays: number;
  /** Create an instance role + instance profile (SSM core + Picket agent policy) for instances that have none. @default true */
  readonly createInstanceRole: boolean;
  /** Encryption of the detector queue and its DLQ: SQS-managed keys, or a customer-managed KMS key (rotated). @default 'sqs-managed' */
  readonly queueEncryption: 'sqs-managed' | 'kms';
  /** Receives before a message moves to the DLQ. @default 5 */
  readonly maxReceiveCount: number;
}

/** The findings bus every finding and response event goes to. */
export interface FindingsConfig {
  /** Name of the findings EventBus. @default 'picket-findings' */
  readonly busName: string;
}

/** The host agent and how SSM rolls it out. */
export interface AgentConfig {
  /** Tag key that opts an instance in. @default 'PicketManaged' */
  readonly targetTagKey: string;
  /** Tag value that opts an instance in. @default 'true' */
  readonly targetTagValue: string;
  /** Install on every SSM-managed Linux instance instead of tagged ones only. @default false */
  readonly accountWide: boolean;
  /** CPU limit as a percentage of ALL the host's vCPUs (systemd CPUQuota = this × vCPUs). @default 10 (GuardDuty's) */
  readonly cpuQuotaPercent: number;
  /** Memory limit (systemd MemoryMax) in MB; 'auto' = GuardDuty's: 128 under 8 GB RAM, 256 under 32 GB, 1024 above. @default 'auto' */
  readonly memoryMaxMb: number | 'auto';
  /** SSM association MaxConcurrency: a count or a percentage. @default '10%' */
  readonly maxConcurrency: string;
  /** SSM association MaxErrors: a count or a percentage. @default '10%' */
  readonly maxErrors: string;
  /** Longest time events wait in the agent before a batch is sent (latency versus cost). @default 1000 */
  readonly flushIntervalMs: number;
  /** Disk spool for events when EventBridge is unreachable, in MB. @default 256 */
  readonly spoolMaxMb: number;
}

/** The detector (queue consumer). */
export interface DetectorConfig {
  /** How often a repeated finding is re-published with an updated count (GuardDuty: 6 h by default, 15 min minimum). @default 5 */
  readonly findingUpdateIntervalMinutes: number;
  /** Also import findings into AWS Security Hub (ASFF). @default false */
  readonly securityHubExport: boolean;
  /** S3 buckets holding threat lists (one IP, CIDR or domain per line) the detector loads. @default [] */
  readonly threatListBuckets: readonly string[];
  /** Detector Lambda timeout in seconds; the queue's visibility timeout is 6 × this (AWS guidance). @default 60 */
  readonly timeoutSeconds: number;
}

// The response section is the responder's own config type: one definition, validated here at the edge.
export { RESPONSE_MODES } from '../lambda/domain/isolation/response-config';
export type { ResponseConfig, ResponseMode } from '../lambda/domain/isolation/response-config';

/** Coverage (is every instance protected?). */
export interface CoverageConfig {
  /** How often coverage is computed. @default 5 */
  readonly scheduleMinutes: number;
  /** An agent with no heartbeat for this long is Unhealthy. @default 10 */
  readonly heartbeatStaleMinutes: number;
  /** Alarm when the healthy share of targeted instances drops below this percentage. @default 90 */
  readonly alarmCoveragePercent: number;
}

/** Detection without the agent. */
export interface AgentlessConfig {
  /** Route 53 Resolver query logs for DNS findings. @default true */
  readonly resolverQueryLogs: boolean;
  /** VPC Flow Logs for IP findings (costs per GB). @default false */
  readonly flowLogs: boolean;
}

/** AWS Organizations: the `org` section, typed and validated in ./config-org.ts. */
export type { OrgConfig } from './config-org';

export interface PicketConfig {
  /** Deploy account; absent = environment-agnostic (synth needs no credentials). */
  readonly account?: string;
  /** Deploy region; absent = environment-agnostic. */
  readonly region?: string;
  /** Name of the main CloudFormation stack. @default 'Picket' */
  readonly stackName: string;
  readonly vpc: VpcConfig;
  readonly ingest: IngestConfig;
  readonly findings: FindingsConfig;
  readonly agent: AgentConfig;
  readonly detector: DetectorConfig;
  /**
   * Suppression rules (GuardDuty filter semantics, lambda/domain/findings/suppression.ts): findings
   * matching every criterion of a rule are archived, not published. Written as an array of rules
   * (central) or `{"rules": [...], "accounts": {"<12-digit id>": [...]}}`.
   * @default { central: [] }
   */
  readonly suppression: SuppressionConfig;
  readonly response: ResponseConfig;
  readonly coverage: CoverageConfig;
  readonly agentless: AgentlessConfig;
  readonly org: OrgConfig;
  /** Tags put on every resource. @default {} */
  readonly tags: Readonly<Record<string, string>>;
}

// ---------------------------------------------------------------------------------------------------
// Defaults
// ---------------------------------------------------------------------------------------------------

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

export const DEFAULT_CONFIG: PicketConfig = deepFreeze({
  stackName: 'Picket',
  vpc: { mode: 'new', cidr: '10.64.0.0/16', maxAzs: 2, interfaceEndpoints: [...INTERFACE_ENDPOINT_NAMES], s3GatewayEndpoint: true },
  ingest: { busName: 'picket-runtime', archiveRetentionDays: 0, createInstanceRole: true, queueEncryption: 'sqs-managed', maxReceiveCount: 5 },
  findings: { busName: 'picket-findings' },
  agent: {
    targetTagKey: 'PicketManaged',
    targetTagValue: 'true',
    accountWide: false,
    cpuQuotaPercent: 10,
    memoryMaxMb: 'auto',
    maxConcurrency: '10%',
    maxErrors: '10%',
    flushIntervalMs: 1000,
    spoolMaxMb: 256,
  },
  detector: { findingUpdateIntervalMinutes: 5, securityHubExport: false, threatListBuckets: [], timeoutSeconds: 60 },
  suppression: { central: [] },
  response: { ...DEFAULT_RESPONSE_CONFIG },
  coverage: { scheduleMinutes: 5, heartbeatStaleMinutes: 10, alarmCoveragePercent: 90 },
  agentless: { resolverQueryLogs: true, flowLogs: false },
  org: { ...DEFAULT_ORG_CONFIG },
  tags: {},
} satisfies PicketConfig);

// ---------------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------------

const RE = {
  account: /^\d{12}$/,
  region: /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/,
  stackName: /^[A-Za-z][A-Za-z0-9-]{0,127}$/,
  busName: /^[A-Za-z0-9._-]{1,256}$/,
  cidr: /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}\/(\d|[12]\d|3[0-2])$/,
  vpcId: /^vpc-[0-9a-f]{8,17}$/,
  subnetId: /^subnet-[0-9a-f]{8,17}$/,
  routeTableId: /^rtb-[0-9a-f]{8,17}$/,
  az: /^[a-z]{2}(-gov)?-[a-z]+-\d{1,2}[a-z]$/,
  instanceId: /^i-[0-9a-f]{8,17}$/,
  tagKey: /^(?!aws:)[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u,
  tagValue: /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u,
  ssmRate: /^([1-9]\d*|([1-9]\d?|100)%)$/,
  bucket: /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
  findingType: /^[A-Za-z0-9]+:[A-Za-z0-9]+\/[A-Za-z0-9.!_*-]+$/,
  ruleName: /^[A-Za-z0-9._-]{3,64}$/,
  orgId: /^o-[a-z0-9]{10,32}$/,
  ouId: /^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$/,
} as const;

const TOP_KEYS = ['account', 'region', 'stackName', 'vpc', 'ingest', 'findings', 'agent', 'detector', 'suppression', 'response', 'coverage', 'agentless', 'org', 'tags'] as const;

/**
 * Validates raw configuration (already merged from file and context) and fills in defaults.
 * Pure: no I/O. Collects every problem and throws one ConfigError listing them all.
 * @param raw parsed JSON (anything: it is checked)
 * @param source where it came from, for the error message, e.g. `picket.config.json + cdk.json context`
 */
export function loadConfig(raw: unknown, source: string): PicketConfig {
  const r = new ConfigReader();
  const top = raw === undefined || raw === null ? {} : r.section(raw, '', TOP_KEYS);
  const d = DEFAULT_CONFIG;
  const account = r.optionalString(top, '', 'account', { pattern: RE.account, describe: 'a 12-digit AWS account id as a string, e.g. "123456789012"' });
  const region = r.optionalString(top, '', 'region', { pattern: RE.region, describe: 'an AWS region name, e.g. "eu-west-1"' });
  const config: PicketConfig = {
    ...(account !== undefined ? { account } : {}),
    ...(region !== undefined ? { region } : {}),
    stackName: r.string(top, '', 'stackName', d.stackName, { pattern: RE.stackName, describe: 'a CloudFormation stack name (letters, digits, hyphens; starts with a letter)' }),
    vpc: readVpc(r, top['vpc']),
    ingest: readIngest(r, top['ingest']),
    findings: readFindings(r, top['findings']),
    agent: readAgent(r, top['agent']),
    detector: readDetector(r, top['detector']),
    suppression: readSuppression(r, top['suppression']),
    response: readResponse(r, top['response']),
    coverage: readCoverage(r, top['coverage']),
    agentless: readAgentless(r, top['agentless']),
    org: readOrg(r, top['org']),
    tags: readTags(r, top['tags']),
  };
  crossCheck(r, config);
  if (r.issues.length > 0) throw new ConfigError(source, r.issues);
  return deepFreeze(config);
}

function readEndpoints(r: ConfigReader, o: JsonObject, path: string): VpcEndpointOptions {
  const d = DEFAULT_CONFIG.vpc as NewVpcConfig;
  return {
    interfaceEndpoints: r.stringArray(o, path, 'interfaceEndpoints', d.interfaceEndpoints, {
      pattern: new RegExp(`^(${INTERFACE_ENDPOINT_NAMES.join('|')})$`),
      describe: `one of ${quoteList(INTERFACE_ENDPOINT_NAMES)}`,
      unique: true,
    }) as InterfaceEndpointName[],
    s3GatewayEndpoint: r.boolean(o, path, 's3GatewayEndpoint', d.s3GatewayEndpoint),
  };
}

function readVpc(r: ConfigReader, value: unknown): VpcConfig {
  const path = 'vpc';
  const modeProbe = r.section(value, path, ['mode', 'cidr', 'maxAzs', 'vpcs', 'interfaceEndpoints', 's3GatewayEndpoint']);
  const issuesBefore = r.issues.length;
  const mode = r.oneOf(modeProbe, path, 'mode', 'new', ['new', 'existing', 'none'] as const);
  // With an unknown mode, the other keys cannot be judged: report the mode alone.
  if (r.issues.length > issuesBefore) return DEFAULT_CONFIG.vpc;
  const misplaced = (key: string, where: string): void => {
    if (modeProbe[key] !== undefined) {
      r.report(joinPath(path, key), modeProbe[key], `no ${key} when vpc.mode is "${mode}" (${key} belongs to mode "${where}")`, `remove vpc.${key}, or set vpc.mode to "${where}"`);
    }
  };
  if (mode === 'none') {
    for (const key of ['cidr', 'maxAzs', 'vpcs', 'interfaceEndpoints', 's3GatewayEndpoint']) misplaced(key, key === 'vpcs' ? 'existing' : 'new');
    return { mode };
  }
  const endpoints = readEndpoints(r, modeProbe, path);
  if (mode === 'new') {
    misplaced('vpcs', 'existing');
    const d = DEFAULT_CONFIG.vpc as NewVpcConfig;
    return {
      mode,
      cidr: r.string(modeProbe, path, 'cidr', d.cidr, { pattern: RE.cidr, describe: 'an IPv4 CIDR such as "10.64.0.0/16"' }),
      maxAzs: r.number(modeProbe, path, 'maxAzs', d.maxAzs, { integer: true, min: 1, max: 6 }),
      ...endpoints,
    };
  }
  misplaced('cidr', 'new');
  misplaced('maxAzs', 'new');
  const vpcsPath = joinPath(path, 'vpcs');
  const rawVpcs = modeProbe['vpcs'];
  const vpcs: ExistingVpc[] = [];
  if (!Array.isArray(rawVpcs) || rawVpcs.length === 0) {
    r.report(
      vpcsPath,
      rawVpcs,
      'a non-empty array of {vpcId, cidrs, subnetIds, availabilityZones, routeTableIds} when vpc.mode is "existing"',
      'list each VPC with its id, CIDRs, one subnet per AZ, their AZs and route tables (aws ec2 describe-subnets --filters Name=vpc-id,Values=<id>); see docs/config.md',
    );
  } else {
    rawVpcs.forEach((entry, index) => {
      const p = joinPath(vpcsPath, index);
      const o = r.section(entry, p, ['vpcId', 'cidrs', 'subnetIds', 'availabilityZones', 'routeTableIds']);
      const vpcId = r.optionalString(o, p, 'vpcId', { pattern: RE.vpcId, describe: 'a VPC id such as "vpc-0123456789abcdef0"' });
      if (vpcId === undefined && o['vpcId'] === undefined) r.report(joinPath(p, 'vpcId'), undefined, 'a VPC id such as "vpc-0123456789abcdef0"', `add ${joinPath(p, 'vpcId')}`);
      const need = (key: string, list: string[], what: string): string[] => {
        const given = o[key];
        if (given === undefined || (Array.isArray(given) && given.length === 0)) r.report(joinPath(p, key), given, `a non-empty array of ${what}`, `add ${joinPath(p, key)}`);
        return list;
      };
      const cidrs = need('cidrs', r.stringArray(o, p, 'cidrs', [], { pattern: RE.cidr, describe: 'IPv4 CIDRs such as "10.0.0.0/16"', unique: true }), 'IPv4 CIDRs');
      const subnetIds = need('subnetIds', r.stringArray(o, p, 'subnetIds', [], { pattern: RE.subnetId, describe: 'subnet ids such as "subnet-0123456789abcdef0"', unique: true }), 'subnet ids');
      const availabilityZones = need('availabilityZones', r.stringArray(o, p, 'availabilityZones', [], { pattern: RE.az, describe: 'Availability Zone names such as "eu-west-1a"' }), 'AZ names');
      const routeTableIds = need('routeTableIds', r.stringArray(o, p, 'routeTableIds', [], { pattern: RE.routeTableId, describe: 'route table ids such as "rtb-0123456789abcdef0"' }), 'route table ids');
      if (subnetIds.length > 0 && availabilityZones.length > 0 && availabilityZones.length !== subnetIds.length) {
        r.report(joinPath(p, 'availabilityZones'), o['availabilityZones'], `one AZ per subnet (${subnetIds.length}, same order as subnetIds)`, `list the AZ of each subnet in ${joinPath(p, 'subnetIds')}, in the same order`);
      }
      if (new Set(availabilityZones).size !== availabilityZones.length) {
        r.report(joinPath(p, 'availabilityZones'), o['availabilityZones'], 'one subnet per Availability Zone (interface endpoints take at most one subnet per AZ)', `keep one subnet per AZ in ${joinPath(p, 'subnetIds')}`);
      }
      if (subnetIds.length > 0 && routeTableIds.length > 0 && routeTableIds.length !== subnetIds.length) {
        r.report(joinPath(p, 'routeTableIds'), o['routeTableIds'], `one route table per subnet (${subnetIds.length}, same order as subnetIds; repeat an id when subnets share a table)`, `list the route table of each subnet in ${joinPath(p, 'subnetIds')}, in the same order`);
      }
      if (vpcId !== undefined) vpcs.push({ vpcId, cidrs, subnetIds, availabilityZones, routeTableIds });
    });
    const ids = vpcs.map((v) => v.vpcId);
    ids.forEach((id, i) => {
      if (ids.indexOf(id) !== i) r.report(joinPath(joinPath(vpcsPath, i), 'vpcId'), id, 'each VPC once', `remove the second entry for ${id}`);
    });
  }
  return { mode, vpcs, ...endpoints };
}

function readIngest(r: ConfigReader, value: unknown): IngestConfig {
  const p = 'ingest';
  const d = DEFAULT_CONFIG.ingest;
  const o = r.section(value, p, ['busName', 'archiveRetentionDays', 'createInstanceRole', 'queueEncryption', 'maxReceiveCount']);
  return {
    busName: r.string(o, p, 'busName', d.busName, { pattern: RE.busName, describe: 'an event bus name (letters, digits, . _ -; not "default")' }),
    archiveRetentionDays: r.number(o, p, 'archiveRetentionDays', d.archiveRetentionDays, { integer: true, min: 0, max: 3650 }),
    createInstanceRole: r.boolean(o, p, 'createInstanceRole', d.createInstanceRole),
    queueEncryption: r.oneOf(o, p, 'queueEncryption', d.queueEncryption, ['sqs-managed', 'kms'] as const),
    maxReceiveCount: r.number(o, p, 'maxReceiveCount', d.maxReceiveCount, { integer: true, min: 1, max: 1000 }),
  };
}

function readFindings(r: ConfigReader, value: unknown): FindingsConfig {
  const o = r.section(value, 'findings', ['busName']);
  return { busName: r.string(o, 'findings', 'busName', DEFAULT_CONFIG.findings.busName, { pattern: RE.busName, describe: 'an event bus name (letters, digits, . _ -; not "default")' }) };
}

function readAgent(r: ConfigReader, value: unknown): AgentConfig {
  const p = 'agent';
  const d = DEFAULT_CONFIG.agent;
  const o = r.section(value, p, ['targetTagKey', 'targetTagValue', 'accountWide', 'cpuQuotaPercent', 'memoryMaxMb', 'maxConcurrency', 'maxErrors', 'flushIntervalMs', 'spoolMaxMb']);
  let memoryMaxMb: number | 'auto' = d.memoryMaxMb;
  if (o['memoryMaxMb'] !== undefined && o['memoryMaxMb'] !== 'auto') {
    memoryMaxMb = r.numberValue(o['memoryMaxMb'], 'agent.memoryMaxMb', { integer: true, min: 64, max: 65536 }, 'set it to "auto" (GuardDuty\'s RAM-based default)') ?? d.memoryMaxMb;
  }
  const rate = { pattern: RE.ssmRate, describe: 'an SSM rate: a positive count such as "5" or a percentage such as "10%"' };
  return {
    targetTagKey: r.string(o, p, 'targetTagKey', d.targetTagKey, { pattern: RE.tagKey, describe: 'an EC2 tag key (1-128 characters, not starting with "aws:")' }),
    targetTagValue: r.string(o, p, 'targetTagValue', d.targetTagValue, { pattern: RE.tagValue, describe: 'an EC2 tag value (at most 256 characters)' }),
    accountWide: r.boolean(o, p, 'accountWide', d.accountWide),
    cpuQuotaPercent: r.number(o, p, 'cpuQuotaPercent', d.cpuQuotaPercent, { min: 1, max: 100 }),
    memoryMaxMb,
    maxConcurrency: r.string(o, p, 'maxConcurrency', d.maxConcurrency, rate),
    maxErrors: r.string(o, p, 'maxErrors', d.maxErrors, rate),
    flushIntervalMs: r.number(o, p, 'flushIntervalMs', d.flushIntervalMs, { integer: true, min: 0, max: 300_000 }),
    spoolMaxMb: r.number(o, p, 'spoolMaxMb', d.spoolMaxMb, { integer: true, min: 0, max: 102_400 }),
  };
}

function readDetector(r: ConfigReader, value: unknown): DetectorConfig {
  const p = 'detector';
  const d = DEFAULT_CONFIG.detector;
  const o = r.section(value, p, ['findingUpdateIntervalMinutes', 'securityHubExport', 'threatListBuckets', 'timeoutSeconds']);
  return {
    findingUpdateIntervalMinutes: r.number(o, p, 'findingUpdateIntervalMinutes', d.findingUpdateIntervalMinutes, { integer: true, min: 1, max: 1440 }),
    securityHubExport: r.boolean(o, p, 'securityHubExport', d.securityHubExport),
    threatListBuckets: r.stringArray(o, p, 'threatListBuckets', d.threatListBuckets, { pattern: RE.bucket, describe: 'S3 bucket names (not ARNs), e.g. "my-threat-lists"', unique: true }),
    timeoutSeconds: r.number(o, p, 'timeoutSeconds', d.timeoutSeconds, { integer: true, min: 3, max: 900 }),
  };
}

/** Operators of a suppression condition, with GuardDuty's long names (the domain parser accepts both). */
const SUPPRESSION_OPERATORS = ['eq', 'equals', 'neq', 'notEquals', 'gt', 'greaterThan', 'gte', 'greaterThanOrEqual', 'lt', 'lessThan', 'lte', 'lessThanOrEqual', 'matches', 'notMatches'] as const;
const SUPPRESSION_RULE_KEYS = ['name', 'description', 'action', 'criterion', 'criteria', 'findingCriteria'] as const;

/** Structural checks of one rule, collecting every problem; the domain parser then checks semantics. */
function checkSuppressionRule(r: ConfigReader, entry: unknown, p: string, seen: Set<string>): void {
  const o = r.section(entry, p, SUPPRESSION_RULE_KEYS);
  const name = r.optionalString(o, p, 'name', { pattern: RE.ruleName, describe: 'a name of 3-64 characters from A-Z a-z 0-9 . _ -' });
  if (o['name'] === undefined) r.report(joinPath(p, 'name'), undefined, 'a rule name', `add ${joinPath(p, 'name')}, e.g. "ignore-build-hosts"`);
  if (name !== undefined) {
    if (seen.has(name)) r.report(joinPath(p, 'name'), name, 'a name used once', 'give each suppression rule its own name');
    seen.add(name);
  }
  r.optionalString(o, p, 'description', { maxLength: 512 });
  if (o['action'] !== undefined && o['action'] !== 'ARCHIVE') r.report(joinPath(p, 'action'), o['action'], '"ARCHIVE" (the only action)', `remove ${joinPath(p, 'action')} or set it to "ARCHIVE"`);
  const fc = o['findingCriteria'];
  const [key, criterion] = fc !== undefined ? ['findingCriteria.criterion', (fc as JsonObject | null)?.['criterion']] : o['criterion'] !== undefined ? ['criterion', o['criterion']] : ['criteria', o['criteria']];
  const cp = joinPath(p, key);
  if (typeof criterion !== 'object' || criterion === null || Array.isArray(criterion) || Object.keys(criterion).length === 0) {
    r.report(cp, criterion, 'an object of finding field → condition with at least one field', `set ${joinPath(p, 'criterion')} to e.g. {"type": {"eq": ["Execution:Runtime/ReverseShell"]}}`);
    return;
  }
  for (const [field, condition] of Object.entries(criterion as JsonObject)) {
    const fp = joinPath(cp, field);
    if (!/^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z][A-Za-z0-9]*)*$/.test(field)) {
      r.report(fp, field, 'a dotted finding field path such as "resource.instanceDetails.instanceId"', 'use the camelCase field names of the finding JSON');
    }
    const c = r.section(condition, fp, SUPPRESSION_OPERATORS);
    if (Object.keys(c).length === 0) r.report(fp, condition, `at least one of ${quoteList(SUPPRESSION_OPERATORS)}`, `add a condition to ${fp}, e.g. {"eq": ["value"]}`);
  }
}

function checkSuppressionRules(r: ConfigReader, rules: readonly unknown[], path: string, seen: Set<string>): void {
  for (const [i, entry] of rules.entries()) checkSuppressionRule(r, entry, joinPath(path, i), seen);
}

function readSuppression(r: ConfigReader, value: unknown): SuppressionConfig {
  const path = 'suppression';
  if (value === undefined) return { central: [] };
  const before = r.issues.length;
  const seen = new Set<string>();
  if (Array.isArray(value)) {
    checkSuppressionRules(r, value, path, seen);
  } else {
    const o = r.section(value, path, ['rules', 'central', 'accounts']);
    for (const key of ['rules', 'central'] as const) {
      if (o[key] === undefined) continue;
      if (!Array.isArray(o[key])) r.report(joinPath(path, key), o[key], 'an array of rules', `wrap the rules in [ ]`);
      else checkSuppressionRules(r, o[key], joinPath(path, key), seen);
    }
    const accounts = o['accounts'];
    if (accounts !== undefined && !isPlainObject(accounts)) r.report(joinPath(path, 'accounts'), accounts, 'an object of account id → rules', 'set it to e.g. {"111122223333": [ ...rules ]}');
    for (const [account, rules] of Object.entries(isPlainObject(accounts) ? accounts : {})) {
      const ap = joinPath(joinPath(path, 'accounts'), account);
      if (!RE.account.test(account)) r.report(ap, account, 'a 12-digit AWS account id as the key', 'key the account rules by account id, e.g. "111122223333"');
      if (!Array.isArray(rules)) r.report(ap, rules, 'an array of rules', 'wrap the rules in [ ]');
      else checkSuppressionRules(r, rules, ap, new Set<string>());
    }
  }
  if (r.issues.length > before) return { central: [] };
  try {
    return parseSuppressionConfig(value, path);
  } catch (error) {
    if (!(error instanceof SuppressionConfigError)) throw error;
    const problem = error.message.slice(error.where.length + 2);
    r.report(error.where, value, `a rule the suppression engine accepts (${problem})`, 'correct that rule; operators and their value types are in docs/config.md#suppression');
    return { central: [] };
  }
}

function readResponse(r: ConfigReader, value: unknown): ResponseConfig {
  const p = 'response';
  const d = DEFAULT_CONFIG.response;
  const o = r.section(value, p, ['mode', 'minSeverity', 'includeTypes', 'excludeTypes', 'actOnGuardDutyFindings', 'maxIsolationsPerHour', 'exemptInstanceIds', 'exemptTagKey', 'maxFindingAgeMinutes', 'forensics']);
  const type = { pattern: RE.findingType, describe: 'finding types such as "Execution:Runtime/ReverseShell" (a trailing * matches a prefix)', unique: true };
  return {
    mode: r.oneOf(o, p, 'mode', d.mode, RESPONSE_MODES),
    minSeverity: r.number(o, p, 'minSeverity', d.minSeverity, { min: 1, max: 10 }),
    includeTypes: r.stringArray(o, p, 'includeTypes', d.includeTypes, type),
    excludeTypes: r.stringArray(o, p, 'excludeTypes', d.excludeTypes, type),
    actOnGuardDutyFindings: r.boolean(o, p, 'actOnGuardDutyFindings', d.actOnGuardDutyFindings),
    maxIsolationsPerHour: r.number(o, p, 'maxIsolationsPerHour', d.maxIsolationsPerHour, { integer: true, min: 0, max: 1000 }),
    exemptInstanceIds: r.stringArray(o, p, 'exemptInstanceIds', d.exemptInstanceIds, { pattern: RE.instanceId, describe: 'instance ids such as "i-0123456789abcdef0"', unique: true }),
    exemptTagKey: r.string(o, p, 'exemptTagKey', d.exemptTagKey, { pattern: RE.tagKey, describe: 'an EC2 tag key (1-128 characters, not starting with "aws:")' }),
    maxFindingAgeMinutes: r.number(o, p, 'maxFindingAgeMinutes', d.maxFindingAgeMinutes, { integer: true, min: 1, max: 10_080 }),
    forensics: r.boolean(o, p, 'forensics', d.forensics),
  };
}

function readCoverage(r: ConfigReader, value: unknown): CoverageConfig {
  const p = 'coverage';
  const d = DEFAULT_CONFIG.coverage;
  const o = r.section(value, p, ['scheduleMinutes', 'heartbeatStaleMinutes', 'alarmCoveragePercent']);
  return {
    scheduleMinutes: r.number(o, p, 'scheduleMinutes', d.scheduleMinutes, { integer: true, min: 1, max: 1440 }),
    heartbeatStaleMinutes: r.number(o, p, 'heartbeatStaleMinutes', d.heartbeatStaleMinutes, { integer: true, min: 2, max: 1440 }),
    alarmCoveragePercent: r.number(o, p, 'alarmCoveragePercent', d.alarmCoveragePercent, { min: 0, max: 100 }),
  };
}

function readAgentless(r: ConfigReader, value: unknown): AgentlessConfig {
  const p = 'agentless';
  const d = DEFAULT_CONFIG.agentless;
  const o = r.section(value, p, ['resolverQueryLogs', 'flowLogs']);
  return { resolverQueryLogs: r.boolean(o, p, 'resolverQueryLogs', d.resolverQueryLogs), flowLogs: r.boolean(o, p, 'flowLogs', d.flowLogs) };
}

function readOrg(r: ConfigReader, value: unknown): OrgConfig {
  return readOrgConfig(r, value);
}

function readTags(r: ConfigReader, value: unknown): Record<string, string> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    r.report('tags', value, 'an object of tag key → string value', 'set tags to e.g. {"team": "security"}');
    return {};
  }
  const tags: Record<string, string> = {};
  for (const [key, tagValue] of Object.entries(value)) {
    const p = joinPath('tags', key);
    if (!RE.tagKey.test(key)) r.report(p, key, 'a tag key of 1-128 characters, not starting with "aws:"', 'rename the tag key');
    else if (typeof tagValue !== 'string' || !RE.tagValue.test(tagValue)) r.report(p, tagValue, 'a string tag value of at most 256 characters', `quote the value, e.g. "${String(tagValue)}"`);
    else tags[key] = tagValue;
  }
  return tags;
}

/** Rules that span sections. */
function crossCheck(r: ConfigReader, c: PicketConfig): void {
  if (c.ingest.busName === 'default' || c.findings.busName === 'default') {
    r.report(c.ingest.busName === 'default' ? 'ingest.busName' : 'findings.busName', 'default', 'a bus of Picket\'s own, not the account\'s default bus', 'remove the key to use the default name');
  }
  if (c.ingest.busName === c.findings.busName) {
    r.report('findings.busName', c.findings.busName, 'a name different from ingest.busName (hosts may put events on the runtime bus, never findings)', 'use two names, e.g. "picket-runtime" and "picket-findings"');
  }
  const both = c.response.includeTypes.filter((t) => c.response.excludeTypes.includes(t));
  if (both.length > 0) r.report('response.excludeTypes', both, 'no type both included and excluded', `remove ${quoteList(both)} from one of response.includeTypes / response.excludeTypes`);
  crossCheckOrg(r, c);
}
