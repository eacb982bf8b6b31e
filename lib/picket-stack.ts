/**
 * The Picket stack for one account. Stacks only compose constructs: every capability is a construct
 * that takes the config section it needs and the outputs of the constructs it builds on.
 *
 * Construct IDs below are API: stateful resources (buses, queues, the agent policy) derive their
 * logical IDs from them, and renaming one replaces the resource. Never rename; add.
 */
import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { PicketConfig } from './config';
import { PicketFindingsBus } from './findings-bus';
import { PicketAgentDeployment } from './agent-deployment';
import { PicketAgentless } from './agentless';
import { PicketCoverage } from './coverage';
import { PicketDetector } from './detector';
import { PicketIngest } from './ingest';
import { PicketResponder } from './responder';

export interface PicketStackProps extends StackProps {
  /** The validated configuration (loadConfig). */
  readonly config: PicketConfig;
}

export class PicketStack extends Stack {
  readonly config: PicketConfig;
  /** Runtime bus, detector queue + DLQ, agent policy, instance role, VPC endpoints. */
  readonly ingest: PicketIngest;
  /** The findings bus detector, responder and coverage publish to. */
  readonly findings: PicketFindingsBus;
  /** The detector Lambda: runtime events from the queue to findings on the findings bus. */
  readonly detector: PicketDetector;
  /** Isolation workflow triggered by findings on the findings bus. */
  readonly responder: PicketResponder;
  /** The agent bundle, SSM document and State Manager association that install the agent (absent where an org scope turns agent management off). */
  readonly agentDeployment?: PicketAgentDeployment;
  /** Per-instance Healthy/Unhealthy, metrics, dashboard and alarms. */
  readonly coverage: PicketCoverage;
  /** DNS and network findings from Route 53 Resolver query logs and VPC Flow Logs (when there are VPCs). */
  readonly agentless?: PicketAgentless;

  constructor(scope: Construct, id: string, props: PicketStackProps) {
    super(scope, id, props);
    const { config } = props;
    this.config = config;

    this.ingest = new PicketIngest(this, 'Ingest', {
      busName: config.ingest.busName,
      ...(config.ingest.archiveRetentionDays > 0 ? { archiveRetention: Duration.days(config.ingest.archiveRetentionDays) } : {}),
      createInstanceRole: config.ingest.createInstanceRole,
      queueEncryption: config.ingest.queueEncryption,
      maxReceiveCount: config.ingest.maxReceiveCount,
      detectorTimeout: Duration.seconds(config.detector.timeoutSeconds),
      vpc: config.vpc,
      ...(config.org.organizationId ? { organizationId: config.org.organizationId } : {}),
    });
    this.findings = new PicketFindingsBus(this, 'Findings', { busName: config.findings.busName });

    if (config.org.memberScope?.agentManagement !== false) {
      this.agentDeployment = new PicketAgentDeployment(this, 'AgentDeployment', {
        eventBus: this.ingest.bus,
        instanceRoles: this.ingest.instanceRole ? [this.ingest.instanceRole] : [],
        ...config.agent,
      });
    }

    this.detector = new PicketDetector(this, 'Detector', {
      queue: this.ingest.queue,
      deadLetterQueue: this.ingest.deadLetterQueue,
      findingsBus: this.findings,
      detector: config.detector,
      suppression: config.suppression,
      timeout: Duration.seconds(config.detector.timeoutSeconds),
    });

    const response = config.response;
    this.responder = new PicketResponder(this, 'Responder', {
      findingsBus: this.findings.bus,
      vpcs: this.ingest.vpcs,
      mode: response.mode,
      minSeverity: response.minSeverity,
      includeTypes: response.includeTypes,
      excludeTypes: response.excludeTypes,
      actOnGuardDutyFindings: response.actOnGuardDutyFindings,
      maxIsolationsPerHour: response.maxIsolationsPerHour,
      exemptInstanceIds: response.exemptInstanceIds,
      exemptTagKey: response.exemptTagKey,
      maxFindingAgeMinutes: response.maxFindingAgeMinutes,
      forensics: response.forensics,
      ...(this.ingest.instanceRole ? { instanceRoleArns: [this.ingest.instanceRole.roleArn] } : {}),
    });

    this.coverage = new PicketCoverage(this, 'Coverage', {
      heartbeatRule: this.ingest.heartbeatRule,
      findingsBus: this.findings,
      coverage: config.coverage,
      agent: config.agent,
      deadLetterQueues: [this.ingest.deadLetterQueue],
      detectorFunctions: [this.detector.function],
      responderStateMachine: this.responder.stateMachine,
      requireVpcEndpoint: config.vpc.mode !== 'none',
    });

    if (this.ingest.vpcs.length > 0 && (config.agentless.resolverQueryLogs || config.agentless.flowLogs)) {
      this.agentless = new PicketAgentless(this, 'Agentless', {
        vpcs: this.ingest.vpcs,
        findingsBus: this.findings,
        agentless: config.agentless,
        findingsTableName: this.detector.findingsTable.tableName,
        coverageTableName: this.coverage.table.tableName,
      });
    }

    this.addOutputs();
  }

  private addOutputs(): void {
    const out = (id: string, value: string, description: string): void => {
      new CfnOutput(this, id, { value, description });
    };
    out('RuntimeBusName', this.ingest.bus.eventBusName, 'Event bus the Picket agents put runtime events on');
    out('FindingsBusName', this.findings.bus.eventBusName, 'Event bus Picket findings are published on (detail-type "Picket Runtime Finding")');
    out('AgentPolicyArn', this.ingest.agentPolicy.managedPolicyArn, 'Attach to your instance roles so the agent may publish (as its own instance only)');
    out('DetectorQueueUrl', this.ingest.queue.queueUrl, 'Queue of runtime event batches for the detector');
    out('DetectorDlqUrl', this.ingest.deadLetterQueue.queueUrl, 'Dead-letter queue of the detector');
    if (this.ingest.instanceProfile) out('InstanceProfileName', this.ingest.instanceProfile.instanceProfileName, 'Instance profile for instances that have none (SSM + Picket agent)');
    if (this.agentDeployment) out('AgentBundleReadPolicyArn', this.agentDeployment.bundleReadPolicy.managedPolicyArn, 'Attach to your own instance roles (with AgentPolicyArn and AmazonSSMManagedInstanceCore) so SSM can install the agent');
    out('FindingsTableName', this.detector.findingsTable.tableName, 'Findings (picket findings --table)');
    out('IntelBucketName', this.detector.intelBucket.bucketName, 'Your threat, trusted and SHA-256 lists under intel/, custom Sigma rules under sigma/');
    out('CoverageTableName', this.coverage.table.tableName, 'Coverage per instance (picket coverage --table)');
    out('ResponderStateMachineArn', this.responder.stateMachine.stateMachineArn, 'Isolation workflow (picket isolate --state-machine-arn)');
    out('ResponderStateTable', this.responder.stateTable.tableName, 'Isolation records (picket isolate --approve / picket release --state-table)');
    out('EvidenceBucketName', this.responder.evidenceBucket.bucketName, 'Pre-isolation state, forensic captures');
    this.ingest.vpcs.forEach((v, i) => {
      out(`VpcId${i}`, v.vpc.vpcId, 'VPC with the Picket VPC endpoints');
    });
  }
}
