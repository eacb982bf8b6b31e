/**
 * Release restores exactly what was recorded before isolation (read back from the S3 evidence
 * object the isolation wrote) and leaves protection and snapshots alone.
 */
import { AttachInstancesCommand } from '@aws-sdk/client-auto-scaling';
import { SILENT_LOG } from '../../lambda/responder/clients';
import { runIsolation } from '../../lambda/responder/run-isolation';
import { releaseInstance } from '../../lambda/cli/respond';
import type { PreState } from '../../lambda/domain/isolation/pre-state';
import { BUS, INSTANCE, NOW, PROFILE_ARN, QUARANTINE_ASSOCIATION, TABLE, type Fakes, actionEvents, createFakes, findingEvent, mutatingCalls, settings } from './aws-fakes';

let fakes: Fakes;
beforeEach(() => {
  fakes = createFakes();
});

async function isolateThenReset(): Promise<PreState> {
  const outcome = await runIsolation({ clients: fakes.clients, settings: settings(), log: SILENT_LOG, now: () => NOW }, { kind: 'finding', event: findingEvent() }, { sleep: async () => {} });
  expect(outcome.status).toBe('isolated');
  expect(fakes.objects.size).toBe(1);
  const recorded = JSON.parse([...fakes.objects.values()][0]!) as PreState;
  const table = new Map(fakes.table);
  const objects = new Map(fakes.objects);
  fakes = createFakes();
  for (const [k, v] of table) fakes.table.set(k, v);
  for (const [k, v] of objects) fakes.objects.set(k, v);
  return recorded;
}

const later = () => new Date(NOW.getTime() + 3_600_000);

test('release restores groups per ENI, profile, ASG membership and targets from the recorded pre-state', async () => {
  const recorded = await isolateThenReset();
  const result = await releaseInstance(fakes.clients, INSTANCE, { stateTable: TABLE, eventBusName: BUS, now: later });
  expect(result.status).toBe('released');

  const calls = mutatingCalls(fakes).filter((c) => c.name !== 'Put');
  expect(calls.map((c) => c.name)).toEqual([
    'DeleteRolePolicy',
    'ReplaceIamInstanceProfileAssociation',
    ...recorded.networkInterfaces.map(() => 'ModifyNetworkInterfaceAttribute'),
    'AttachInstances',
    'RegisterTargets',
    'CreateTags',
  ]);
  expect(calls[0]!.input).toEqual({ RoleName: recorded.instanceProfile!.roleName, PolicyName: `PicketIsolationDeny-${INSTANCE}` });
  expect(calls[1]!.input).toEqual({ AssociationId: QUARANTINE_ASSOCIATION, IamInstanceProfile: { Arn: recorded.instanceProfile!.arn } });
  expect(recorded.instanceProfile!.arn).toBe(PROFILE_ARN);
  const restored = calls.filter((c) => c.name === 'ModifyNetworkInterfaceAttribute').map((c) => ({ networkInterfaceId: c.input['NetworkInterfaceId'], groupIds: c.input['Groups'] }));
  expect(restored).toEqual(recorded.networkInterfaces.map((e) => ({ networkInterfaceId: e.networkInterfaceId, groupIds: e.groupIds })));
  expect(calls.find((c) => c.name === 'AttachInstances')!.input).toEqual({ AutoScalingGroupName: recorded.autoScalingGroupName, InstanceIds: [INSTANCE] });
  const targets = recorded.targetGroups as { targetGroupArn: string; port: number }[];
  expect(calls.find((c) => c.name === 'RegisterTargets')!.input).toEqual({ TargetGroupArn: targets[0]!.targetGroupArn, Targets: [{ Id: INSTANCE, Port: targets[0]!.port }] });
  // protection and snapshots stay
  expect(calls.some((c) => c.name === 'ModifyInstanceAttribute' || c.name.includes('Snapshot'))).toBe(false);
  expect(fakes.table.get(`instance#${INSTANCE}`)!['status']).toBe('released');
  expect(actionEvents(fakes).every((e) => e['action'] === 'release')).toBe(true);
  expect(actionEvents(fakes).at(-1)).toMatchObject({ step: 'complete', outcome: 'succeeded' });
});

test('a group at max size cannot take the instance back: reported, release still completes', async () => {
  await isolateThenReset();
  fakes.autoScaling.on(AttachInstancesCommand).rejects(Object.assign(new Error('Desired capacity:3 exceeds max size:3'), { name: 'ValidationError' }));
  const result = await releaseInstance(fakes.clients, INSTANCE, { stateTable: TABLE, eventBusName: BUS, now: later });
  expect(result.status).toBe('released');
  expect(result.steps.find((s) => s.step === 'reattach-auto-scaling')).toMatchObject({ outcome: 'failed', reason: expect.stringContaining('max size') });
});

test('keepCredentialDeny leaves the deny on the role', async () => {
  await isolateThenReset();
  await releaseInstance(fakes.clients, INSTANCE, { stateTable: TABLE, eventBusName: BUS, keepCredentialDeny: true, now: later });
  expect(mutatingCalls(fakes).some((c) => c.name === 'DeleteRolePolicy')).toBe(false);
});

test('releasing an instance that was never isolated, or twice, says so', async () => {
  await expect(releaseInstance(fakes.clients, INSTANCE, { stateTable: TABLE, eventBusName: BUS })).rejects.toThrow(/no isolation of i-0abc1234def567890 is recorded/);
  await isolateThenReset();
  await releaseInstance(fakes.clients, INSTANCE, { stateTable: TABLE, eventBusName: BUS, now: later });
  await expect(releaseInstance(fakes.clients, INSTANCE, { stateTable: TABLE, eventBusName: BUS, now: later })).rejects.toThrow(/already released/);
});
