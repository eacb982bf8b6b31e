/**
 * PicketAgentDeployment: how the host agent gets onto instances and stays there.
 *
 *   agent-bootstrap/ ──esbuild + tar (local bundling)──> S3 asset picket-agent.tar.gz (+ its SHA-256)
 *   SSM Command document (agent-bootstrap/ssm/picket-agent-install.json): download through the S3 gateway
 *     endpoint, verify the SHA-256, install (rules, service, limits computed on the instance)
 *   State Manager association: targets tag <targetTagKey>=<targetTagValue> (or every managed instance in
 *     account-wide mode), rate-controlled, re-applied on a schedule, compliance reported to SSM.
 *
 * Account-wide mode and the opt-out tag: State Manager targets cannot express NOT, so the association
 * targets `InstanceIds: ['*']` and the document's script checks the instance's own tag
 * (<targetTagKey>=<excludeTagValue>, default PicketManaged=false) from instance metadata tags or, without
 * them, `aws ec2 describe-tags`; an opted-out instance removes the agent (if present) and reports success.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type AssetStaging, BundlingOutput, DockerImage, Stack, Token } from 'aws-cdk-lib';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { AgentLocalBundling, sha256Hex } from './agent-bundle';
import { requireProp } from './prop-validation';

/** Where the on-instance files live in this repository. */
export const AGENT_BOOTSTRAP_DIR = join(__dirname, '..', 'agent-bootstrap');
/** The SSM document, as data. */
export const AGENT_SSM_DOCUMENT_PATH = join(AGENT_BOOTSTRAP_DIR, 'ssm', 'picket-agent-install.json');

export type ComplianceSeverity = 'CRITICAL' | 'HIGH' | 'MEDIUM' | 'LOW' | 'UNSPECIFIED';

export interface PicketAgentDeploymentProps {
  /** The runtime bus the agents put events on (its ARN goes into the agent's configuration). */
  readonly eventBus: events.IEventBus;
  /**
   * Tag key that opts an instance in (and, set to `excludeTagValue`, out in account-wide mode).
   * @default 'PicketManaged'
   */
  readonly targetTagKey?: string;
  /**
   * Tag value that opts an instance in.
   * @default 'true'
   */
  readonly targetTagValue?: string;
  /**
   * Install on every SSM-managed instance, except those tagged `targetTagKey`=`excludeTagValue`.
   * @default false
   */
  readonly accountWide?: boolean;
  /**
   * Value of `targetTagKey` that opts an instance out (checked on the instance by the document).
   * @default 'false'
   */
  readonly excludeTagValue?: string;
  /**
   * CPU limit as a percentage of ALL the host's vCPUs (systemd CPUQuota = this × vCPUs, on the instance).
   * @default 10 (GuardDuty's)
   */
  readonly cpuQuotaPercent?: number;
  /**
   * MemoryMax in MB; 'auto' = GuardDuty's table applied to each instance's RAM (128 MB under 8 GB, 256 MB under 32 GB, 1 GB above).
   * @default 'auto'
   */
  readonly memoryMaxMb?: number | 'auto';
  /**
   * Association MaxConcurrency: how many instances install at once (count or percentage).
   * @default '10%'
   */
  readonly maxConcurrency?: string;
  /**
   * Association MaxErrors: failures after which the rollout stops (count or percentage).
   * @default '10%'
   */
  readonly maxErrors?: string;
  /**
   * Longest time an event waits in the agent before a batch is sent.
   * @default 1000
   */
  readonly flushIntervalMs?: number;
  /**
   * On-disk spool while EventBridge is unreachable, in MB.
   * @default 256
   */
  readonly spoolMaxMb?: number;
  /**
   * How often State Manager re-applies the document (repairs drift, picks up new users' watches).
   * @default 'rate(30 minutes)'
   */
  readonly scheduleExpression?: string;
  /**
   * Severity of the association's compliance item when it fails on an instance.
   * @default 'HIGH'
   */
  readonly complianceSeverity?: ComplianceSeverity;
  /**
   * EventBridge endpoint URL for the agent. Not needed when the `events` interface endpoint has private DNS.
   * @default - the SDK's regional endpoint
   */
  readonly eventsEndpoint?: string;
  /**
   * Roles that get `bundleReadPolicy` attached (e.g. the ingest construct's instance role).
   * @default - none; attach `bundleReadPolicy` yourself
   */
  readonly instanceRoles?: readonly iam.IRole[];
  /**
   * Name of the State Manager association.
   * @default 'picket-agent'
   */
  readonly associationName?: string;
  /**
   * Directory with agent/, rules/, systemd/, scripts/ and ssm/ (tests point it at fixtures).
   * @default AGENT_BOOTSTRAP_DIR
   */
  readonly agentBootstrapDir?: string;
}

/** One parameter of the SSM document (as in the JSON data). */
interface DocumentParameter {
  readonly type: string;
  readonly allowedPattern?: string;
  readonly allowedValues?: readonly string[];
  readonly default?: string;
}

/** The SSM document JSON (schemaVersion 2.2). */
export interface AgentSsmDocument {
  readonly schemaVersion: string;
  readonly description: string;
  readonly parameters: Readonly<Record<string, DocumentParameter>>;
  readonly mainSteps: readonly unknown[];
}

/** Reads the document data. */
export function loadAgentSsmDocument(path: string = AGENT_SSM_DOCUMENT_PATH): AgentSsmDocument {
  return JSON.parse(readFileSync(path, 'utf8')) as AgentSsmDocument;
}

const SCHEDULE = /^(rate\((\d+) (minutes?|hours?|days?)\)|cron\(.+\))$/;
const MAX_CONCURRENCY = /^([1-9][0-9]*|[1-9][0-9]?%|100%)$/;
const MAX_ERRORS = /^([0-9]+|[0-9]{1,2}%|100%)$/;
const SEVERITIES: readonly ComplianceSeverity[] = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNSPECIFIED'];
const TAG_KEY = /^[A-Za-z0-9_.:/=+@-]{1,128}$/;

export class PicketAgentDeployment extends Construct {
  /** The bundle (agent + rules + unit + scripts) in the CDK asset bucket. */
  readonly bundle: s3assets.Asset;
  /** SHA-256 of the uploaded bundle, verified on every instance before use. */
  readonly bundleSha256: string;
  /** s3:GetObject on exactly the bundle object: attach to instance roles (done for `instanceRoles`). */
  readonly bundleReadPolicy: iam.ManagedPolicy;
  /** The SSM Command document. */
  readonly document: ssm.CfnDocument;
  /** The State Manager association. */
  readonly association: ssm.CfnAssociation;
  /** Parameter values the association passes to the document (tokens for bucket, key and bus ARN). */
  readonly associationParameters: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: PicketAgentDeploymentProps) {
    super(scope, id);
    const bootstrapDir = props.agentBootstrapDir ?? AGENT_BOOTSTRAP_DIR;
    const documentContent = loadAgentSsmDocument(join(bootstrapDir, 'ssm', 'picket-agent-install.json'));
    const p = validate(props, documentContent);

    this.bundle = new s3assets.Asset(this, 'AgentBundle', {
      path: bootstrapDir,
      exclude: ['**/*.test.ts', 'node_modules', '.*'],
      bundling: {
        // Never used: local bundling always succeeds or throws a clear error. CDK requires an image.
        image: DockerImage.fromRegistry('picket/agent-bundle-local-only'),
        local: new AgentLocalBundling(bootstrapDir),
        outputType: BundlingOutput.ARCHIVED,
      },
    });
    this.bundleSha256 = stagedSha256(this.bundle);

    const statements = [
      new iam.PolicyStatement({ sid: 'ReadPicketAgentBundle', actions: ['s3:GetObject'], resources: [this.bundle.bucket.arnForObjects(this.bundle.s3ObjectKey)] }),
      new iam.PolicyStatement({ sid: 'LocateBundleBucket', actions: ['s3:GetBucketLocation'], resources: [this.bundle.bucket.bucketArn] }),
    ];
    if (p.accountWide) {
      // The opt-out tag is read with DescribeTags when instance metadata tags are off; EC2 supports no resource scoping for it.
      statements.push(new iam.PolicyStatement({ sid: 'ReadOwnOptOutTag', actions: ['ec2:DescribeTags'], resources: ['*'] }));
    }
    this.bundleReadPolicy = new iam.ManagedPolicy(this, 'BundleReadPolicy', { description: 'Picket agent install: read the agent bundle from the CDK asset bucket', statements });
    for (const role of props.instanceRoles ?? []) this.bundleReadPolicy.attachToRole(role);

    this.document = new ssm.CfnDocument(this, 'InstallDocument', {
      documentType: 'Command',
      documentFormat: 'JSON',
      targetType: '/AWS::EC2::Instance',
      content: documentContent,
      updateMethod: 'Replace',
    });

    this.associationParameters = {
      action: 'Install',
      bundleBucket: this.bundle.s3BucketName,
      bundleKey: this.bundle.s3ObjectKey,
      bundleSha256: this.bundleSha256,
      eventBusArn: props.eventBus.eventBusArn,
      region: Stack.of(this).region,
      cpuQuotaPercent: String(p.cpuQuotaPercent),
      memoryMaxMb: String(p.memoryMaxMb),
      flushIntervalMs: String(p.flushIntervalMs),
      spoolMaxMb: String(p.spoolMaxMb),
      eventsEndpoint: props.eventsEndpoint ?? '',
      excludeTagKey: p.targetTagKey,
      excludeTagValue: p.excludeTagValue,
    };
    this.association = new ssm.CfnAssociation(this, 'Association', {
      name: this.document.ref,
      associationName: props.associationName ?? 'picket-agent',
      targets: p.accountWide ? [{ key: 'InstanceIds', values: ['*'] }] : [{ key: `tag:${p.targetTagKey}`, values: [p.targetTagValue] }],
      parameters: Object.fromEntries(Object.entries(this.associationParameters).map(([k, v]) => [k, [v]])),
      scheduleExpression: p.scheduleExpression,
      maxConcurrency: p.maxConcurrency,
      maxErrors: p.maxErrors,
      complianceSeverity: p.complianceSeverity,
      syncCompliance: 'AUTO',
      applyOnlyAtCronInterval: false,
    });
  }
}

/** SHA-256 of the staged bundle file; with bundling skipped (template tests) a stand-in derived from the asset hash. */
function stagedSha256(asset: s3assets.Asset): string {
  const staging = asset.node.findChild('Stage') as AssetStaging;
  if (!asset.isFile) return sha256Hex(Buffer.from(`bundling skipped: ${asset.assetHash}`));
  return sha256Hex(readFileSync(staging.absoluteStagedPath));
}

interface ResolvedProps {
  readonly targetTagKey: string;
  readonly targetTagValue: string;
  readonly excludeTagValue: string;
  readonly accountWide: boolean;
  readonly cpuQuotaPercent: number;
  readonly memoryMaxMb: number | 'auto';
  readonly maxConcurrency: string;
  readonly maxErrors: string;
  readonly flushIntervalMs: number;
  readonly spoolMaxMb: number;
  readonly scheduleExpression: string;
  readonly complianceSeverity: ComplianceSeverity;
}

/** Props first: each value must also pass the document parameter's allowedPattern it ends up in. */
function validate(props: PicketAgentDeploymentProps, doc: AgentSsmDocument): ResolvedProps {
  const r: ResolvedProps = {
    targetTagKey: props.targetTagKey ?? 'PicketManaged',
    targetTagValue: props.targetTagValue ?? 'true',
    excludeTagValue: props.excludeTagValue ?? 'false',
    accountWide: props.accountWide ?? false,
    cpuQuotaPercent: props.cpuQuotaPercent ?? 10,
    memoryMaxMb: props.memoryMaxMb ?? 'auto',
    maxConcurrency: props.maxConcurrency ?? '10%',
    maxErrors: props.maxErrors ?? '10%',
    flushIntervalMs: props.flushIntervalMs ?? 1000,
    spoolMaxMb: props.spoolMaxMb ?? 256,
    scheduleExpression: props.scheduleExpression ?? 'rate(30 minutes)',
    complianceSeverity: props.complianceSeverity ?? 'HIGH',
  };
  const P = 'PicketAgentDeploymentProps';
  const fitsDocument = (parameter: string, value: string): boolean => {
    const pattern = doc.parameters[parameter]?.allowedPattern;
    if (pattern === undefined) throw new Error(`SSM document has no allowedPattern for parameter ${parameter}`);
    return new RegExp(pattern).test(value);
  };
  requireProp(TAG_KEY.test(r.targetTagKey) && fitsDocument('excludeTagKey', r.targetTagKey), `${P}.targetTagKey`, r.targetTagKey, 'a tag key of letters, digits and _ . : / = + @ - (no spaces), 1-128 characters', "use e.g. 'PicketManaged'");
  requireProp(r.targetTagValue.length >= 1 && r.targetTagValue.length <= 256, `${P}.targetTagValue`, r.targetTagValue, 'a tag value of 1-256 characters', "use e.g. 'true'");
  requireProp(fitsDocument('excludeTagValue', r.excludeTagValue), `${P}.excludeTagValue`, r.excludeTagValue, 'letters, digits and _ . : / = + @ - only', "use e.g. 'false'");
  requireProp(Number.isFinite(r.cpuQuotaPercent) && fitsDocument('cpuQuotaPercent', String(r.cpuQuotaPercent)), `${P}.cpuQuotaPercent`, r.cpuQuotaPercent, 'a percentage of all vCPUs from 1 to 100 with at most 2 decimals', 'pass e.g. 10 (GuardDuty\'s default)');
  requireProp(r.memoryMaxMb === 'auto' || (Number.isInteger(r.memoryMaxMb) && r.memoryMaxMb >= 64 && r.memoryMaxMb <= 65536), `${P}.memoryMaxMb`, r.memoryMaxMb, "'auto' or a whole number of MB from 64 to 65536", "pass 'auto' for GuardDuty's RAM-based default");
  requireProp(MAX_CONCURRENCY.test(r.maxConcurrency), `${P}.maxConcurrency`, r.maxConcurrency, 'a positive count such as "5" or a percentage such as "10%"', 'pass e.g. "10%"');
  requireProp(MAX_ERRORS.test(r.maxErrors), `${P}.maxErrors`, r.maxErrors, 'a count such as "0" or a percentage such as "10%"', 'pass e.g. "10%"');
  requireProp(Number.isInteger(r.flushIntervalMs) && fitsDocument('flushIntervalMs', String(r.flushIntervalMs)), `${P}.flushIntervalMs`, r.flushIntervalMs, 'a whole number of milliseconds from 1 to 999999', 'pass e.g. 1000');
  requireProp(Number.isInteger(r.spoolMaxMb) && fitsDocument('spoolMaxMb', String(r.spoolMaxMb)), `${P}.spoolMaxMb`, r.spoolMaxMb, 'a whole number of MB from 1 to 999999', 'pass e.g. 256');
  const schedule = SCHEDULE.exec(r.scheduleExpression);
  const rateMinutes = schedule?.[2] === undefined ? undefined : Number(schedule[2]) * (schedule[3]!.startsWith('hour') ? 60 : schedule[3]!.startsWith('day') ? 1440 : 1);
  requireProp(schedule !== null && (rateMinutes === undefined || rateMinutes >= 30), `${P}.scheduleExpression`, r.scheduleExpression, 'rate(N minutes|hours|days) of at least 30 minutes, or cron(...)', "pass e.g. 'rate(30 minutes)' (State Manager's shortest rate)");
  requireProp(SEVERITIES.includes(r.complianceSeverity), `${P}.complianceSeverity`, r.complianceSeverity, `one of ${SEVERITIES.join(', ')}`, "pass e.g. 'HIGH'");
  if (props.eventsEndpoint !== undefined && !Token.isUnresolved(props.eventsEndpoint)) {
    requireProp(fitsDocument('eventsEndpoint', props.eventsEndpoint), `${P}.eventsEndpoint`, props.eventsEndpoint, 'an https URL such as https://events.us-east-1.amazonaws.com', 'omit it when the events VPC endpoint has private DNS');
  }
  return r;
}
