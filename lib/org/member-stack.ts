/**
 * The member stack: everything one account runs (PicketStack, unchanged), plus the forwarding of its
 * findings, coverage and response events to the org bus, and, with org.centralResponse, the role the
 * security account may use to start isolation here. Synthesized without CDK bootstrap references
 * (PicketOrgMemberSynthesizer) so StackSets can create it in accounts that were never bootstrapped.
 */
import { Aws, CfnOutput } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { PicketConfig } from '../config';
import { PicketStack } from '../picket-stack';
import { PropError } from '../prop-validation';
import { PicketCentralResponseRole } from './central-response-role';
import { PicketOrgForwarding } from './forwarding';
import type { PicketOrgMemberSynthesizer } from './member-synthesizer';

export interface PicketOrgMemberStackProps {
  /** The member variant's config (memberVariantConfig): org.enabled with security account and region set. */
  readonly config: PicketConfig;
  /** Where assets go (per-region org buckets); also tells the management stack the template key. */
  readonly synthesizer: PicketOrgMemberSynthesizer;
  /** @default - a description naming the scope */
  readonly description?: string;
}

/** ARN of the org bus, from the org config. */
export function orgBusArn(config: PicketConfig, partition: string = Aws.PARTITION): string {
  const { securityAccountId, securityRegion, orgBusName } = config.org;
  return `arn:${partition}:events:${securityRegion}:${securityAccountId}:event-bus/${orgBusName}`;
}

export class PicketOrgMemberStack extends PicketStack {
  readonly forwarding: PicketOrgForwarding;
  readonly centralResponseRole?: PicketCentralResponseRole;
  readonly memberSynthesizer: PicketOrgMemberSynthesizer;

  constructor(scope: Construct, id: string, props: PicketOrgMemberStackProps) {
    const { config } = props;
    if (config.org.securityAccountId === undefined || config.org.securityRegion === undefined) {
      throw new PropError('PicketOrgMemberStackProps.config.org', config.org, 'org.securityAccountId and org.securityRegion set', 'validate the config with loadConfig and org.enabled true');
    }
    const scopeName = config.org.memberScope?.name ?? 'base';
    super(scope, id, {
      config,
      synthesizer: props.synthesizer,
      description: props.description ?? `Picket member stack (org scope "${scopeName}"): runtime threat detection and response for Amazon EC2`,
    });
    this.memberSynthesizer = props.synthesizer;
    this.forwarding = new PicketOrgForwarding(this, 'OrgForwarding', { findingsBus: this.findings.bus, orgBusArn: orgBusArn(config) });
    if (config.org.centralResponse) {
      this.centralResponseRole = new PicketCentralResponseRole(this, 'CentralResponse', { securityAccountId: config.org.securityAccountId, stateMachine: this.responder.stateMachine });
      new CfnOutput(this, 'CentralResponseRoleArn', { value: this.centralResponseRole.role.roleArn, description: 'Role the security account assumes to start isolation here' });
    }
  }
}
