/**
 * Sends one planned call with the right client and command, and keeps the outputs later steps and
 * release need (snapshot ids, SSM command id, the new profile association id).
 */
import { AttachInstancesCommand, DetachInstancesCommand } from '@aws-sdk/client-auto-scaling';
import {
  CreateSnapshotsCommand,
  CreateTagsCommand,
  ModifyInstanceAttributeCommand,
  ModifyNetworkInterfaceAttributeCommand,
  ReplaceIamInstanceProfileAssociationCommand,
} from '@aws-sdk/client-ec2';
import { DeregisterTargetsCommand, RegisterTargetsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { DeleteRolePolicyCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { SendCommandCommand } from '@aws-sdk/client-ssm';
import type { PlannedCall } from '../domain/isolation/plan';
import type { ResponderClients } from './clients';

/** Calls that change something; dry-run must never send one (the tests assert it). */
export const MUTATING_APIS: readonly PlannedCall['api'][] = [
  'ec2:ModifyInstanceAttribute',
  'ssm:SendCommand',
  'autoscaling:DetachInstances',
  'autoscaling:AttachInstances',
  'elasticloadbalancing:DeregisterTargets',
  'elasticloadbalancing:RegisterTargets',
  'ec2:CreateSnapshots',
  'ec2:ModifyNetworkInterfaceAttribute',
  'ec2:ReplaceIamInstanceProfileAssociation',
  'iam:PutRolePolicy',
  'iam:DeleteRolePolicy',
  'ec2:CreateTags',
];

export class UnresolvedCallError extends Error {
  override readonly name = 'UnresolvedCallError';
}

// biome-ignore lint/suspicious/noExplicitAny: parameters are in the SDK input shape by construction (see plan.ts).
type Input = any;

/** Sends the call; returns the outputs worth recording (empty object when none). */
export async function sendPlannedCall(clients: ResponderClients, call: PlannedCall): Promise<Record<string, unknown>> {
  if (call.resolvedAtRunTime) throw new UnresolvedCallError(`${call.api} on ${call.target} has unresolved placeholders; plan from the live pre-state`);
  const p: Input = call.parameters;
  switch (call.api) {
    case 'ec2:ModifyInstanceAttribute':
      await clients.ec2.send(new ModifyInstanceAttributeCommand(p));
      return {};
    case 'ec2:ModifyNetworkInterfaceAttribute':
      await clients.ec2.send(new ModifyNetworkInterfaceAttributeCommand(p));
      return {};
    case 'ec2:CreateSnapshots': {
      const out = await clients.ec2.send(new CreateSnapshotsCommand(p));
      return { snapshotIds: (out.Snapshots ?? []).map((s) => s.SnapshotId).filter(Boolean) };
    }
    case 'ec2:ReplaceIamInstanceProfileAssociation': {
      const out = await clients.ec2.send(new ReplaceIamInstanceProfileAssociationCommand(p));
      return { associationId: out.IamInstanceProfileAssociation?.AssociationId };
    }
    case 'ec2:CreateTags':
      await clients.ec2.send(new CreateTagsCommand(p));
      return {};
    case 'autoscaling:DetachInstances': {
      const out = await clients.autoScaling.send(new DetachInstancesCommand(p));
      return { activityIds: (out.Activities ?? []).map((a) => a.ActivityId).filter(Boolean) };
    }
    case 'autoscaling:AttachInstances':
      await clients.autoScaling.send(new AttachInstancesCommand(p));
      return {};
    case 'elasticloadbalancing:DeregisterTargets':
      await clients.elbv2.send(new DeregisterTargetsCommand(p));
      return {};
    case 'elasticloadbalancing:RegisterTargets':
      await clients.elbv2.send(new RegisterTargetsCommand(p));
      return {};
    case 'iam:PutRolePolicy':
      await clients.iam.send(new PutRolePolicyCommand(p));
      return {};
    case 'iam:DeleteRolePolicy':
      await clients.iam.send(new DeleteRolePolicyCommand(p));
      return {};
    case 'ssm:SendCommand': {
      const out = await clients.ssm.send(new SendCommandCommand(p));
      return { commandId: out.Command?.CommandId };
    }
    case 's3:PutObject':
    case 'dynamodb:PutItem':
      throw new UnresolvedCallError(`${call.api} is the state store's own write, not a planned mutation`);
  }
}
