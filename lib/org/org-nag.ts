/**
 * cdk-nag acknowledgements of the org stacks, each on the narrowest construct, naming the exact
 * finding and why it is safe. Applied once by buildApp in org mode.
 */
import { type CfnElement, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { PicketOrgStacks } from './org-app';

function ack(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}

const ACCESS_LOGS_REASON =
  'Server access logs would need a log bucket per region and account only to record reads by CloudFormation and Lambda of versioned, content-addressed files; CloudTrail data events are the org-wide place to audit S3 reads if wanted.';

export function applyOrgNagAcknowledgements(org: PicketOrgStacks): void {
  for (const stack of org.assetBuckets) ack(stack.bucket, 'AwsSolutions-S1', ACCESS_LOGS_REASON);
  ack(org.security.intelBucket, 'AwsSolutions-S1', ACCESS_LOGS_REASON);
  const fn = org.security.aggregation.function;
  ack(
    fn,
    'AwsSolutions-L1',
    'The aggregator pins Node.js 22 (a supported LTS runtime), deliberately not "latest", so a runtime upgrade is a reviewed change of the template rather than a side effect of a CDK upgrade.',
  );
  if (fn.role) {
    ack(
      fn.role,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      "AWSLambdaBasicExecutionRole only allows writing the function's own CloudWatch logs; it is the AWS-maintained minimum for a Lambda function.",
    );
  }
  const DLQ_REASON =
    'This queue is itself the dead-letter queue of an EventBridge target (cdk-nag only recognises SQS redrive, not a rule target\'s deadLetterConfig); a DLQ of a DLQ would only move the same undeliverable events once more.';
  ack(org.security.aggregation.deadLetterQueue, 'AwsSolutions-SQS3', DLQ_REASON);
  const central = org.security.centralResponderRole;
  if (central) {
    ack(
      central,
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::*:role/picket-central-response-*]',
      'The central responder must reach the response role of every member account (unknown at deploy time, new accounts included); the role-name prefix and aws:ResourceOrgID limit it to Picket\'s response roles inside this organization, and each of those can only start that account\'s isolation workflow.',
    );
  }
  for (const member of org.members) {
    ack(member.forwarding.deadLetterQueue, 'AwsSolutions-SQS3', DLQ_REASON);
    const role = member.centralResponseRole?.role;
    if (role) {
      const stateMachine = member.responder.stateMachine.node.defaultChild as CfnElement;
      ack(
        role,
        `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:<${member.getLogicalId(stateMachine)}.Name>:*]`,
        'Execution ARNs are generated per run, so describing or stopping the runs of this one state machine needs the execution:<name>:* pattern; nothing else is covered.',
      );
    }
  }
}
