/**
 * PicketOrgForwarding: in a member account, sends Picket's findings, coverage changes and response
 * actions from the account's findings bus to the org bus in the security account. Cross-account bus
 * targets need a role EventBridge assumes; this one may put events on the org bus only, and only
 * EventBridge acting for this account may assume it. Failed deliveries land in an encrypted DLQ.
 */
import { Aws, Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { requireProp } from '../prop-validation';
import { FORWARDED_DETAIL_TYPES, FORWARDED_SOURCES } from './names';

export interface PicketOrgForwardingProps {
  /** The member account's findings bus (PicketFindingsBus.bus). */
  readonly findingsBus: events.IEventBus;
  /** ARN of the org bus in the security account, `arn:<partition>:events:<region>:<account>:event-bus/<name>`. */
  readonly orgBusArn: string;
}

export class PicketOrgForwarding extends Construct {
  readonly rule: events.Rule;
  readonly role: iam.Role;
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: PicketOrgForwardingProps) {
    super(scope, id);
    requireProp(
      /^arn:[^:]+:events:[a-z0-9-]+:\d{12}:event-bus\/[A-Za-z0-9._-]+$/.test(props.orgBusArn),
      'PicketOrgForwardingProps.orgBusArn',
      props.orgBusArn,
      'an event bus ARN such as "arn:aws:events:eu-west-1:222233334444:event-bus/picket-org-findings"',
      'build it from org.securityAccountId, org.securityRegion and org.orgBusName',
    );
    this.role = new iam.Role(this, 'Role', {
      description: 'EventBridge puts Picket findings, coverage and response events on the org bus in the security account',
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } } }),
    });
    this.role.addToPolicy(new iam.PolicyStatement({ actions: ['events:PutEvents'], resources: [props.orgBusArn] }));
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.rule = new events.Rule(this, 'Rule', {
      eventBus: props.findingsBus,
      description: 'Forward Picket findings, coverage changes and response actions to the org bus',
      eventPattern: { source: [...FORWARDED_SOURCES], detailType: [...FORWARDED_DETAIL_TYPES] },
      targets: [new targets.EventBus(events.EventBus.fromEventBusArn(this, 'OrgBus', props.orgBusArn), { role: this.role, deadLetterQueue: this.deadLetterQueue })],
    });
  }
}
