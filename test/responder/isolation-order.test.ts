/**
 * The isolation workflow against mocked AWS: the exact order of calls for an instance with three
 * ENIs, an Auto Scaling group and a target group; allow-all before isolation on every ENI.
 */
import { ModifyNetworkInterfaceAttributeCommand } from '@aws-sdk/client-ec2';
import { runIsolation } from '../../lambda/responder/run-isolation';
import { SILENT_LOG } from '../../lambda/responder/clients';
import {
  ALLOW_ALL_SG,
  ASG,
  BUCKET,
  ENIS,
  INSTANCE,
  ISOLATION_SG,
  NOW,
  ORIGINAL_ASSOCIATION,
  QUARANTINE_PROFILE_ARN,
  ROLE,
  TG_ARN,
  type Fakes,
  actionEvents,
  callSequence,
  createFakes,
  findingEvent,
  mutatingCalls,
  settings,
} from './aws-fakes';

let fakes: Fakes;
let timeline: string[];

beforeEach(() => {
  fakes = createFakes();
  timeline = [];
});

function deps(forensics = true) {
  return { clients: fakes.clients, settings: settings({ forensics }), log: SILENT_LOG, now: () => NOW };
}

const sleep = async (ms: number) => {
  timeline.push(`sleep ${ms}`);
};

test('isolates in the documented order: record, protect, forensics, detach, deregister, snapshot, allow-all, isolate, profile, deny, tag', async () => {
  const outcome = await runIsolation(deps(), { kind: 'finding', event: findingEvent() }, { sleep });
  expect(outcome.status).toBe('isolated');

  const mutations = mutatingCalls(fakes).filter((c) => c.name !== 'Put'); // DynamoDB writes are bookkeeping
  expect(mutations.map((c) => c.name)).toEqual([
    'PutObject',
    'ModifyInstanceAttribute',
    'ModifyInstanceAttribute',
    'ModifyInstanceAttribute',
    'ModifyInstanceAttribute',
    'SendCommand',
    'DetachInstances',
    'DeregisterTargets',
    'CreateSnapshots',
    'ModifyNetworkInterfaceAttribute',
    'ModifyNetworkInterfaceAttribute',
    'ModifyNetworkInterfaceAttribute',
    'ModifyNetworkInterfaceAttribute',
    'ModifyNetworkInterfaceAttribute',
    'ModifyNetworkInterfaceAttribute',
    'ReplaceIamInstanceProfileAssociation',
    'PutRolePolicy',
    'CreateTags',
  ]);
  const inputs = mutations.map((c) => c.input);
  expect(inputs[0]).toMatchObject({ Bucket: BUCKET, Key: expect.stringContaining(INSTANCE) });
  expect(inputs[1]).toEqual({ InstanceId: INSTANCE, DisableApiTermination: { Value: true } });
  expect(inputs[2]).toEqual({ InstanceId: INSTANCE, DisableApiStop: { Value: true } });
  expect(inputs[3]).toEqual({ InstanceId: INSTANCE, InstanceInitiatedShutdownBehavior: { Value: 'stop' } });
  // only the volume that would have been deleted needs changing
  expect(inputs[4]).toEqual({ InstanceId: INSTANCE, BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { DeleteOnTermination: false } }] });
  expect(inputs[5]).toMatchObject({ InstanceIds: [INSTANCE], DocumentName: 'AWS-RunShellScript', OutputS3BucketName: BUCKET });
  expect(inputs[6]).toEqual({ AutoScalingGroupName: ASG, InstanceIds: [INSTANCE], ShouldDecrementDesiredCapacity: false });
  expect(inputs[7]).toEqual({ TargetGroupArn: TG_ARN, Targets: [{ Id: INSTANCE, Port: 80 }] });
  expect(inputs[8]).toMatchObject({ InstanceSpecification: { InstanceId: INSTANCE, ExcludeBootVolume: false } });
  expect(inputs.slice(9, 15)).toEqual([
    ...ENIS.map((id) => ({ NetworkInterfaceId: id, Groups: [ALLOW_ALL_SG] })),
    ...ENIS.map((id) => ({ NetworkInterfaceId: id, Groups: [ISOLATION_SG] })),
  ]);
  expect(inputs[15]).toEqual({ AssociationId: ORIGINAL_ASSOCIATION, IamInstanceProfile: { Arn: QUARANTINE_PROFILE_ARN } });
  expect(inputs[16]).toMatchObject({ RoleName: ROLE, PolicyName: `PicketIsolationDeny-${INSTANCE}` });
  const policy = JSON.parse(inputs[16]!['PolicyDocument'] as string);
  expect(policy.Statement[0]).toMatchObject({
    Effect: 'Deny',
    Action: '*',
    Condition: {
      StringEquals: { 'ec2:SourceInstanceARN': `arn:aws:ec2:eu-west-1:111122223333:instance/${INSTANCE}` },
      DateLessThan: { 'aws:TokenIssueTime': expect.any(String) },
    },
  });
  expect(Date.parse(policy.Statement[0].Condition.DateLessThan['aws:TokenIssueTime'])).toBeGreaterThanOrEqual(NOW.getTime());
  expect(inputs[17]).toMatchObject({
    Resources: [INSTANCE],
    Tags: expect.arrayContaining([
      { Key: 'PicketIsolation', Value: 'isolated' },
      { Key: 'PicketFindingId', Value: 'f0e1d2c3b4a5968778695a4b3c2d1e0f' },
      { Key: 'PicketOriginalGroups', Value: `${ENIS[0]}=sg-web+sg-ssh ${ENIS[1]}=sg-db-client ${ENIS[2]}=sg-mgmt+sg-monitoring` },
    ]),
  });
});

test('every read happens before the first mutation, and the other target group is left alone', async () => {
  await runIsolation(deps(false), { kind: 'finding', event: findingEvent() }, { sleep });
  const seq = callSequence(fakes);
  const firstMutation = seq.findIndex((c) => c.name === 'PutObject');
  const reads = seq.filter((c) => c.name.startsWith('Describe') || c.name === 'GetInstanceProfile');
  expect(reads.length).toBeGreaterThan(0);
  for (const read of reads) expect(seq.indexOf(read)).toBeLessThan(firstMutation);
  expect(mutatingCalls(fakes).filter((c) => c.name === 'DeregisterTargets')).toHaveLength(1);
  expect(mutatingCalls(fakes).some((c) => c.name === 'SendCommand')).toBe(false);
});

test('per ENI the allow-all group goes on before the isolation group, with the settle wait between', async () => {
  const s = settings();
  const d = { clients: fakes.clients, settings: s, log: SILENT_LOG, now: () => NOW };
  // interleave mocked calls and sleeps on one timeline
  const record = (c: { NetworkInterfaceId?: string; Groups?: string[] }) => {
    timeline.push(`${c.NetworkInterfaceId} ${c.Groups?.[0]}`);
    return {};
  };
  fakes.ec2.on(ModifyNetworkInterfaceAttributeCommand).callsFake(record);
  await runIsolation(d, { kind: 'finding', event: findingEvent() }, { sleep });
  for (const eni of ENIS) {
    const allow = timeline.indexOf(`${eni} ${ALLOW_ALL_SG}`);
    const isolate = timeline.indexOf(`${eni} ${ISOLATION_SG}`);
    expect(allow).toBeGreaterThanOrEqual(0);
    expect(isolate).toBeGreaterThan(allow);
    expect(timeline.slice(allow, isolate)).toContain(`sleep ${s.untrackSettleSeconds * 1000}`);
  }
});

test('each step is reported as a Picket Response Action event from picket.responder', async () => {
  await runIsolation(deps(), { kind: 'finding', event: findingEvent() }, { sleep });
  const events = actionEvents(fakes);
  expect(new Set(events.map((e) => e['source']))).toEqual(new Set(['picket.responder']));
  expect(new Set(events.map((e) => e['detailType']))).toEqual(new Set(['Picket Response Action']));
  expect(events.map((e) => `${e['step']}:${e['outcome']}`)).toEqual([
    'record-pre-state:succeeded',
    'protect:succeeded',
    'forensics:succeeded',
    'forensics-capture:succeeded',
    'detach-auto-scaling:succeeded',
    'deregister-targets:succeeded',
    'snapshot-volumes:succeeded',
    'network-allow-all:succeeded',
    'network-isolate:succeeded',
    'swap-instance-profile:succeeded',
    'deny-old-credentials:succeeded',
    'tag-instance:succeeded',
    'complete:succeeded',
  ]);
  const snapshot = events.find((e) => e['step'] === 'snapshot-volumes')!;
  expect(snapshot['outputs']).toEqual({ '0': { snapshotIds: ['snap-0root', 'snap-0data'] } });
});

test('an instance outside any Auto Scaling group skips the detach and says why', async () => {
  fakes = createFakes({ inAutoScalingGroup: false });
  const outcome = await runIsolation(deps(false), { kind: 'finding', event: findingEvent() }, { sleep });
  expect(outcome.status).toBe('isolated');
  expect(mutatingCalls(fakes).some((c) => c.name === 'DetachInstances')).toBe(false);
  const detach = actionEvents(fakes).find((e) => e['step'] === 'detach-auto-scaling')!;
  expect(detach).toMatchObject({ outcome: 'skipped', outputs: { reason: 'not in an Auto Scaling group' } });
});
