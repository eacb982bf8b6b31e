/**
 * PicketIngest: how runtime events get from an instance into the account.
 *
 *   agent ──PutEvents (events VPC endpoint)──> runtime bus ──rule "Picket Runtime Events"──> detector queue (+DLQ)
 *                                                         └─rule "Picket Agent Heartbeat"──> (coverage adds its target)
 *
 * Anti-spoofing: the agent policy allows `events:PutEvents` on the runtime bus ONLY when the entry's
 * `source` is `picket.agent/${ec2:SourceInstanceARN}` — IAM fills in the ARN of the instance whose role
 * credentials signed the call, so an instance can speak only for itself. Consumers must trust the
 * instance named by `source` and reject a body that names another one (docs/architecture.md).
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { AGENT_SOURCE_PREFIX, DETAIL_TYPE_EVENTS, DETAIL_TYPE_HEARTBEAT } from '../lambda/domain/events/runtime-event';
import { DEFAULT_CONFIG, type VpcConfig } from './config';
import { PicketNetwork, type PicketVpc } from './network';
import { requireProp } from './prop-validation';

/**
 * The `events:source` an instance must use, as an IAM condition value. `${ec2:SourceInstanceARN}` is an
 * IAM policy variable, resolved by IAM at request time (CDK leaves `${…}` strings untouched).
 */
export const AGENT_SOURCE_CONDITION_VALUE = `${AGENT_SOURCE_PREFIX}\${ec2:SourceInstanceARN}`;

/** AWS guidance: an SQS event source's visibility timeout is at least 6 × the function timeout. */
const VISIBILITY_PER_FUNCTION_TIMEOUT = 6;

export interface PicketIngestProps {
  /**
   * Name of the runtime EventBus.
   * @default 'picket-runtime'
   */
  readonly busName?: string;
  /**
   * Keep every raw event in an EventBridge archive for this long (replayable).
   * @default - no archive
   */
  readonly archiveRetention?: Duration;
  /**
   * Create an instance role and instance profile (AmazonSSMManagedInstanceCore + the agent policy) for
   * instances that have none. Instances with their own role attach `agentPolicy` to it instead.
   * @default true
   */
  readonly createInstanceRole?: boolean;
  /**
   * Encryption of the detector queue and its DLQ.
   * @default 'sqs-managed'
   */
  readonly queueEncryption?: 'sqs-managed' | 'kms';
  /**
   * Receives before a message moves to the DLQ.
   * @default 5
   */
  readonly maxReceiveCount?: number;
  /**
   * Timeout of the detector function that will consume the queue; the visibility timeout is 6 × this.
   * @default Duration.seconds(60)
   */
  readonly detectorTimeout?: Duration;
  /**
   * VPC(s) and endpoints (the `vpc` config section).
   * @default - a new VPC with isolated subnets and all endpoints (DEFAULT_CONFIG.vpc)
   */
  readonly vpc?: VpcConfig;
  /**
   * Organization whose principals the endpoint policies allow.
   * @default - this account only
   */
  readonly organizationId?: string;
}

export class PicketIngest extends Construct {
  /** The runtime bus agents put events and heartbeats on. */
  readonly bus: events.EventBus;
  /** Batches of runtime events for the detector (detail-type "Picket Runtime Events"). */
  readonly queue: sqs.Queue;
  /** Messages the detector failed `maxReceiveCount` times, and events EventBridge could not deliver. */
  readonly deadLetterQueue: sqs.Queue;
  /** KMS key of both queues, when `queueEncryption` is 'kms'. */
  readonly queueKey?: kms.Key;
  /** Rule feeding `queue`. */
  readonly runtimeEventsRule: events.Rule;
  /** Rule matching agent heartbeats; it has no target until coverage adds one (`heartbeatRule.addTarget`). */
  readonly heartbeatRule: events.Rule;
  /** Customer-managed policy for instance roles: PutEvents on `bus` only as `picket.agent/<own instance ARN>`. Attach it to your instance roles. */
  readonly agentPolicy: iam.ManagedPolicy;
  /** Instance role for instances that have none (when `createInstanceRole`). */
  readonly instanceRole?: iam.Role;
  /** Instance profile wrapping `instanceRole`. */
  readonly instanceProfile?: iam.InstanceProfile;
  /** The archive of raw events, when `archiveRetention` is set. */
  readonly archive?: events.Archive;
  /** VPCs and endpoints. */
  readonly network: PicketNetwork;

  constructor(scope: Construct, id: string, props: PicketIngestProps = {}) {
    super(scope, id);
    const maxReceiveCount = props.maxReceiveCount ?? DEFAULT_CONFIG.ingest.maxReceiveCount;
    requireProp(Number.isInteger(maxReceiveCount) && maxReceiveCount >= 1 && maxReceiveCount <= 1000, 'PicketIngestProps.maxReceiveCount', maxReceiveCount, 'an integer from 1 to 1000', 'pass e.g. 5');
    const detectorTimeout = props.detectorTimeout ?? Duration.seconds(DEFAULT_CONFIG.detector.timeoutSeconds);
    const visibilitySeconds = detectorTimeout.toSeconds() * VISIBILITY_PER_FUNCTION_TIMEOUT;
    requireProp(visibilitySeconds <= 43_200, 'PicketIngestProps.detectorTimeout', detectorTimeout.toHumanString(), 'at most 2 hours (the queue visibility timeout, 6 × this, caps at 12 h)', 'pass a shorter timeout; Lambda allows 15 minutes at most');

    this.bus = new events.EventBus(this, 'RuntimeBus', { eventBusName: props.busName ?? DEFAULT_CONFIG.ingest.busName, description: 'Picket runtime events from host agents' });
    if (props.archiveRetention) {
      this.archive = this.bus.archive('Archive', {
        description: 'Every Picket runtime event and heartbeat, replayable',
        eventPattern: { source: events.Match.prefix(AGENT_SOURCE_PREFIX) },
        retention: props.archiveRetention,
      });
    }

    // Queues: the DLQ holds the evidence of what failed, so it outlives the stack.
    const useKms = (props.queueEncryption ?? DEFAULT_CONFIG.ingest.queueEncryption) === 'kms';
    if (useKms) this.queueKey = new kms.Key(this, 'QueueKey', { enableKeyRotation: true, description: 'Picket detector queue and DLQ' });
    const encryption = useKms
      ? { encryption: sqs.QueueEncryption.KMS, encryptionMasterKey: this.queueKey }
      : { encryption: sqs.QueueEncryption.SQS_MANAGED };
    this.deadLetterQueue = new sqs.Queue(this, 'DetectorDlq', {
      ...encryption,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.queue = new sqs.Queue(this, 'DetectorQueue', {
      ...encryption,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(visibilitySeconds),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount },
    });

    this.runtimeEventsRule = new events.Rule(this, 'RuntimeEventsRule', {
      eventBus: this.bus,
      description: 'Picket runtime event batches to the detector queue',
      eventPattern: { source: events.Match.prefix(AGENT_SOURCE_PREFIX), detailType: [DETAIL_TYPE_EVENTS] },
      targets: [new targets.SqsQueue(this.queue, { deadLetterQueue: this.deadLetterQueue, retryAttempts: 185, maxEventAge: Duration.hours(24) })],
    });
    this.heartbeatRule = new events.Rule(this, 'HeartbeatRule', {
      eventBus: this.bus,
      description: 'Picket agent heartbeats (coverage adds the target)',
      eventPattern: { source: events.Match.prefix(AGENT_SOURCE_PREFIX), detailType: [DETAIL_TYPE_HEARTBEAT] },
    });

    this.agentPolicy = new iam.ManagedPolicy(this, 'AgentPolicy', {
      description: 'Picket agent: put runtime events on the Picket bus, only in the name of this instance',
      statements: [
        new iam.PolicyStatement({
          sid: 'PutOwnRuntimeEventsOnly',
          actions: ['events:PutEvents'],
          resources: [this.bus.eventBusArn],
          conditions: { StringEquals: { 'events:source': AGENT_SOURCE_CONDITION_VALUE } },
        }),
      ],
    });

    if (props.createInstanceRole ?? DEFAULT_CONFIG.ingest.createInstanceRole) {
      this.instanceRole = new iam.Role(this, 'InstanceRole', {
        assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
        description: 'Picket-ready instance role: SSM management and the Picket agent policy',
        managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonSSMManagedInstanceCore'), this.agentPolicy],
      });
      this.instanceProfile = new iam.InstanceProfile(this, 'InstanceProfile', { role: this.instanceRole });
    }

    this.network = new PicketNetwork(this, 'Network', {
      vpc: props.vpc ?? DEFAULT_CONFIG.vpc,
      ...(props.organizationId ? { organizationId: props.organizationId } : {}),
    });
  }

  /** Every VPC Picket serves with its endpoint security group (empty when vpc.mode is "none"). */
  get vpcs(): readonly PicketVpc[] {
    return this.network.vpcs;
  }

  /** Endpoint security groups, one per VPC that has interface endpoints. */
  get endpointSecurityGroups(): readonly ec2.SecurityGroup[] {
    return this.network.vpcs.flatMap((v) => (v.endpointSecurityGroup ? [v.endpointSecurityGroup] : []));
  }
}
