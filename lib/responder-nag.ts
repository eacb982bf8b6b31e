/**
 * cdk-nag acknowledgements of PicketResponder, each on the narrowest construct that raises it, with
 * the reason it is safe. The lead merges them into lib/nag-acknowledgements.ts
 * (call `applyResponderNagAcknowledgements(stack.responder)` there).
 */
import { CfnElement, Stack, Validations } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { IConstruct } from 'constructs';
import type { PicketResponder } from './responder';

function ack(scope: IConstruct | undefined, id: string, reason: string): void {
  if (scope) Validations.of(scope).acknowledge({ id, reason });
}

export function applyResponderNagAcknowledgements(responder: PicketResponder): void {
  const fns = responder.functions;
  const roleOf = (fn: lambda.IFunction) => (fn as lambda.Function).role;

  for (const fn of Object.values(fns)) {
    ack(fn, 'AwsSolutions-L1', 'Node.js 22 is the runtime the project pins (design brief: a supported Node.js 22 or newer); it is supported by Lambda and moved deliberately, not by default.');
    const role = roleOf(fn);
    ack(role, 'AwsSolutions-IAM5[Resource::*]', 'X-Ray PutTraceSegments/PutTelemetryRecords (active tracing) and the EC2/Auto Scaling/ELB Describe* and ssm:GetCommandInvocation calls have no resource-level permissions; every mutating action is scoped by ARN.');
  }
  const evalRole = roleOf(fns.evaluate);
  const admitRole = roleOf(fns.admit);
  for (const role of [evalRole, admitRole]) {
    ack(role, 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:instance-profile/*]', 'Read-only iam:GetInstanceProfile to learn the role of whichever instance a finding names; any instance profile of the account can be that one.');
  }
  ackByPrefix(admitRole, 'AwsSolutions-IAM5[Resource::<', '.Arn>/pre-state/*]', responder.evidenceBucket, 'PutObject only under the pre-state/ prefix of the evidence bucket; one object per instance and finding, so the key cannot be fixed in advance.');

  const step = roleOf(fns.step);
  const perInstance = 'Any instance of this account and region may be the compromised one, so the action is on instance/* — and an explicit Deny removes instances tagged PicketIsolation=exempt or carrying the exemption key.';
  ack(step, 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:<AWS::Region>:<AWS::AccountId>:instance/*]', perInstance);
  ack(step, 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:<AWS::Region>:<AWS::AccountId>:volume/*]', 'CreateSnapshots needs the volumes of the instance being isolated, which can be any volume of the account; it only creates snapshots (evidence), never modifies volumes.');
  ack(step, 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:<AWS::Region>::snapshot/*]', 'New snapshots have ids unknown in advance; tagging them is further limited to ec2:CreateAction = CreateSnapshots.');
  ack(step, 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:<AWS::Region>:<AWS::AccountId>:network-interface/*]', 'ENIs of the instance being isolated; limited by ec2:Vpc to the configured VPCs, and the only groups it may attach are Picket’s allow-all and isolation groups (security-group ARNs listed).');
  ack(step, 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:autoscaling:<AWS::Region>:<AWS::AccountId>:autoScalingGroup:*:autoScalingGroupName/*]', 'DetachInstances from whichever group holds the compromised instance (never decrements capacity); Auto Scaling offers no condition on the instance.');
  ack(step, 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:elasticloadbalancing:<AWS::Region>:<AWS::AccountId>:targetgroup/*/*]', 'DeregisterTargets from whichever target groups hold the compromised instance; ELB has no condition on the target.');
  ack(step, 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:role/*]', 'PutRolePolicy puts the deny-old-credentials policy on the instance role, which can be any role; narrow it with the instanceRoleArns prop (e.g. a role path). IAM cannot condition on policy name or content.');

  const workflowRole = responder.stateMachine.role;
  ack(workflowRole, 'AwsSolutions-IAM5[Resource::*]', 'Step Functions log delivery (logs:CreateLogDelivery and friends) and X-Ray have no resource-level permissions.');
  for (const fn of Object.values(fns)) {
    ackByPrefix(workflowRole, 'AwsSolutions-IAM5[Resource::<', '.Arn>:*]', fn, 'lambda:InvokeFunction on the task function and its versions/aliases (`:*`), as CDK grants for LambdaInvoke; the functions are this construct’s own.');
  }

  for (const g of responder.isolationGroups) {
    ack(g.allowAll, 'AwsSolutions-EC23', 'The allow-all group is the first of the two isolation steps: allowing all traffic in both directions turns tracked flows untracked so the isolation group that follows seconds later cuts them. It is attached to nothing else.');
    ack(g.allowAll, 'CloudFormation-Validate::W2508', 'Same as AwsSolutions-EC23: allowing everything is the point of this transient group.');
  }
  ack(responder.evidenceBucket, 'AwsSolutions-S1', 'Access to evidence is by the responder roles only and recorded by CloudTrail; pass evidenceAccessLogsBucket to add S3 server access logs.');
}

/** Acknowledges `<prefix><logicalId><suffix>` for the CloudFormation logical id of `target`. */
function ackByPrefix(scope: IConstruct | undefined, prefix: string, suffix: string, target: IConstruct, reason: string): void {
  if (!scope) return;
  const resource = target.node.defaultChild;
  if (!(resource instanceof CfnElement)) return;
  const logicalId = Stack.of(resource).resolve(resource.logicalId);
  if (typeof logicalId === 'string') ack(scope, `${prefix}${logicalId}${suffix}`, reason);
}
