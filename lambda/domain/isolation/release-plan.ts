/**
 * The release planner: undo isolation from the recorded pre-state. Restores groups per ENI, the
 * original instance profile, Auto Scaling membership and target registrations where possible,
 * removes the credential deny, and leaves protection and snapshots in place (evidence stays).
 */
import { ISOLATION_TAG_KEY, RELEASED_TAG_VALUE, denyPolicyName } from './constants';
import type { PlannedCall } from './plan';
import { targetDescription } from './plan';
import type { PreState } from './pre-state';
import type { ResponseRecord } from './response-record';

export type ReleaseStepId =
  | 'remove-credential-deny'
  | 'restore-instance-profile'
  | 'restore-network'
  | 'reattach-auto-scaling'
  | 'reregister-targets'
  | 'tag-released';

export interface ReleaseStep {
  readonly id: ReleaseStepId;
  /** Optional steps are best effort ("where possible"): a group at max size cannot take the instance back. */
  readonly optional: boolean;
  readonly calls: readonly PlannedCall[];
  readonly skipReason?: string;
}

export interface ReleaseOptions {
  /**
   * Keep the deny on sessions issued before isolation. Credentials stolen before the cut stay
   * useless even after release; the released instance gets fresh (allowed) credentials either way.
   * @default false (the issue asks release to remove it)
   */
  readonly keepCredentialDeny?: boolean;
}

export function planRelease(pre: PreState, record: ResponseRecord, now: Date, options: ReleaseOptions = {}): ReleaseStep[] {
  const instanceId = pre.instanceId;
  const steps: ReleaseStep[] = [];
  const denied = record.steps['deny-old-credentials'];
  const roleName = pre.instanceProfile?.roleName;
  steps.push(
    !denied || !roleName
      ? { id: 'remove-credential-deny', optional: false, calls: [], skipReason: 'no credential deny was put' }
      : options.keepCredentialDeny
        ? { id: 'remove-credential-deny', optional: false, calls: [], skipReason: 'kept on request (keepCredentialDeny)' }
        : {
            id: 'remove-credential-deny',
            optional: false,
            calls: [{ api: 'iam:DeleteRolePolicy', target: roleName, parameters: { RoleName: roleName, PolicyName: denyPolicyName(instanceId) }, onNotFound: 'skip' }],
          },
  );
  const swapped = record.steps['swap-instance-profile']?.outputs['0']?.['associationId'];
  steps.push(
    pre.instanceProfile && typeof swapped === 'string'
      ? {
          id: 'restore-instance-profile',
          optional: false,
          calls: [
            {
              api: 'ec2:ReplaceIamInstanceProfileAssociation',
              target: instanceId,
              parameters: { AssociationId: swapped, IamInstanceProfile: { Arn: pre.instanceProfile.arn } },
              onNotFound: 'fail',
            },
          ],
        }
      : { id: 'restore-instance-profile', optional: false, calls: [], skipReason: 'the instance profile was not swapped' },
  );
  steps.push({
    id: 'restore-network',
    optional: false,
    calls: pre.networkInterfaces.map((eni) => ({
      api: 'ec2:ModifyNetworkInterfaceAttribute' as const,
      target: eni.networkInterfaceId,
      parameters: { NetworkInterfaceId: eni.networkInterfaceId, Groups: [...eni.groupIds] },
      onNotFound: 'skip' as const,
    })),
  });
  const asg = pre.autoScalingGroupName;
  steps.push(
    typeof asg === 'string' && asg !== 'unknown' && record.steps['detach-auto-scaling']?.status === 'succeeded'
      ? {
          id: 'reattach-auto-scaling',
          optional: true,
          calls: [{ api: 'autoscaling:AttachInstances', target: asg, parameters: { AutoScalingGroupName: asg, InstanceIds: [instanceId] }, onNotFound: 'skip' }],
        }
      : { id: 'reattach-auto-scaling', optional: true, calls: [], skipReason: 'was not detached from an Auto Scaling group' },
  );
  const groups = pre.targetGroups === 'unknown' ? [] : pre.targetGroups;
  steps.push({
    id: 'reregister-targets',
    optional: true,
    calls: groups.map((tg) => ({
      api: 'elasticloadbalancing:RegisterTargets' as const,
      target: tg.targetGroupArn,
      parameters: { TargetGroupArn: tg.targetGroupArn, Targets: [targetDescription(instanceId, tg)] },
      onNotFound: 'skip' as const,
    })),
    ...(groups.length === 0 ? { skipReason: 'was not registered in target groups' } : {}),
  });
  steps.push({
    id: 'tag-released',
    optional: false,
    calls: [
      {
        api: 'ec2:CreateTags',
        target: instanceId,
        parameters: {
          Resources: [instanceId],
          Tags: [
            { Key: ISOLATION_TAG_KEY, Value: RELEASED_TAG_VALUE },
            { Key: 'PicketReleasedAt', Value: now.toISOString() },
          ],
        },
        onNotFound: 'fail',
      },
    ],
  });
  return steps;
}
