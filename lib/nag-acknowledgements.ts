/**
 * Every cdk-nag acknowledgement of the app, in one place. Each is attached to the narrowest construct
 * that raises it (never the stack or app), names the exact finding (`Rule[Finding]` where the rule has
 * findings) and says why it is safe. Constructs added by later issues put theirs here too.
 *
 * Use the plain rule id as cdk-nag's README does (`AwsSolutions-VPC7`, `AwsSolutions-IAM5[Resource::*]`):
 * cdk-nag 3.0.2's own check (`validateScope`, used by the tests) does not recognise the namespaced form
 * `AwsSolutions::AwsSolutions-VPC7` that the CLI's report suggests, while the plain form works in both.
 */
import { Validations } from 'aws-cdk-lib';
import type { PicketStack } from './picket-stack';
import { applyAgentlessNagAcknowledgements } from './agentless-nag';
import { applyCoverageNagAcknowledgements } from './coverage-nag';
import { applyDetectorNagAcknowledgements } from './detector-nag';
import { applyResponderNagAcknowledgements } from './responder-nag';

export function applyNagAcknowledgements(stack: PicketStack): void {
  const { ingest } = stack;
  // Each construct keeps its acknowledgements beside its own code; this is the one place they are applied.
  applyDetectorNagAcknowledgements(stack.detector);
  applyCoverageNagAcknowledgements(stack.coverage);
  if (stack.agentless) applyAgentlessNagAcknowledgements(stack.agentless);
  applyResponderNagAcknowledgements(stack.responder);

  if (ingest.instanceRole) {
    Validations.of(ingest.instanceRole).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonSSMManagedInstanceCore]',
      reason:
        'AmazonSSMManagedInstanceCore is the policy AWS maintains for the SSM agent (it changes as SSM does); it is exactly what an SSM-managed instance needs, and the role is only for instances that have none of their own.',
    });
  }

  if (stack.config.agent.accountWide && stack.agentDeployment) {
    Validations.of(stack.agentDeployment.bundleReadPolicy).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        "ec2:DescribeTags supports no resource-level permissions; it is read-only and only used, in account-wide mode, to read the instance's own PicketManaged=false opt-out tag.",
    });
  }

  if (ingest.network.createdVpc) {
    Validations.of(ingest.network.createdVpc).acknowledge({
      id: 'AwsSolutions-VPC7',
      reason:
        'The quick-start VPC has no NAT and no internet gateway, only isolated subnets and AWS endpoints; flow logs cost per GB and are the opt-in agentless source (agentless.flowLogs), not needed for the agent path.',
    });
  }
}
