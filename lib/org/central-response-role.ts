/**
 * PicketCentralResponseRole: lets the security account run isolation in this member account, through
 * the member's own isolation workflow (so exemption tags, dry-run, approval and the rate limit still
 * apply). Only the central responder role of the security account may assume it, and it may only start
 * and read executions of this account's responder state machine.
 */
import { Aws } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { requireProp } from '../prop-validation';
import { CENTRAL_RESPONDER_ROLE_NAME, MEMBER_RESPONSE_ROLE_PREFIX } from './names';

export interface PicketCentralResponseRoleProps {
  /** The security account whose central responder role is trusted. */
  readonly securityAccountId: string;
  /** The member's isolation workflow (PicketResponder.stateMachine). */
  readonly stateMachine: sfn.IStateMachine;
}

/** ARN of the central responder role in the security account (the only principal trusted). */
export function centralResponderRoleArn(securityAccountId: string, partition: string = Aws.PARTITION): string {
  return `arn:${partition}:iam::${securityAccountId}:role/${CENTRAL_RESPONDER_ROLE_NAME}`;
}

export class PicketCentralResponseRole extends Construct {
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: PicketCentralResponseRoleProps) {
    super(scope, id);
    requireProp(/^\d{12}$/.test(props.securityAccountId), 'PicketCentralResponseRoleProps.securityAccountId', props.securityAccountId, 'a 12-digit account id', 'pass org.securityAccountId');
    this.role = new iam.Role(this, 'Role', {
      // Named so the central responder can address it in every account; the region is in the name because IAM is global.
      roleName: `${MEMBER_RESPONSE_ROLE_PREFIX}${Aws.REGION}`,
      description: 'Picket central response: the security account starts this account\'s isolation workflow',
      assumedBy: new iam.ArnPrincipal(centralResponderRoleArn(props.securityAccountId)),
    });
    this.role.addToPolicy(new iam.PolicyStatement({ actions: ['states:StartExecution'], resources: [props.stateMachine.stateMachineArn] }));
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['states:DescribeExecution', 'states:StopExecution'],
        resources: [`arn:${Aws.PARTITION}:states:${Aws.REGION}:${Aws.ACCOUNT_ID}:execution:${stateMachineName(props.stateMachine)}:*`],
      }),
    );
  }
}

function stateMachineName(stateMachine: sfn.IStateMachine): string {
  return (stateMachine as sfn.StateMachine).stateMachineName ?? '*';
}
