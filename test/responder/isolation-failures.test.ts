/**
 * Failure handling: resuming after a partial failure without repeating work, throttling retried
 * per step, not-found treated per call, optional forensics never blocking, a failing network step
 * stopping and reporting.
 */
import { DeregisterTargetsCommand, ElasticLoadBalancingV2ServiceException } from '@aws-sdk/client-elastic-load-balancing-v2';
import { DetachInstancesCommand } from '@aws-sdk/client-auto-scaling';
import { EC2ServiceException, ModifyInstanceAttributeCommand, ModifyNetworkInterfaceAttributeCommand } from '@aws-sdk/client-ec2';
import { GetCommandInvocationCommand, SendCommandCommand } from '@aws-sdk/client-ssm';
import { SILENT_LOG } from '../../lambda/responder/clients';
import { runIsolation } from '../../lambda/responder/run-isolation';
import { ALLOW_ALL_SG, ENIS, INSTANCE, ISOLATION_SG, NOW, type Fakes, actionEvents, createFakes, findingEvent, mutatingCalls, settings } from './aws-fakes';

let fakes: Fakes;
let sleeps: number[];
const sleep = async (ms: number) => {
  sleeps.push(ms);
};

beforeEach(() => {
  fakes = createFakes();
  sleeps = [];
});

function deps(forensics = false, now = NOW) {
  return { clients: fakes.clients, settings: settings({ forensics }), log: SILENT_LOG, now: () => now };
}

function sdkError(name: string, message = name) {
  return new EC2ServiceException({ name, message, $fault: 'client', $metadata: {} });
}

function names(): string[] {
  return mutatingCalls(fakes)
    .filter((c) => c.name !== 'Put')
    .map((c) => (c.name === 'ModifyNetworkInterfaceAttribute' ? `${c.name} ${c.input['NetworkInterfaceId']} ${(c.input['Groups'] as string[])[0]}` : c.name));
}

test('a failing network step stops the workflow, records the failure and reports it', async () => {
  fakes.ec2
    .on(ModifyNetworkInterfaceAttributeCommand, { NetworkInterfaceId: ENIS[1], Groups: [ISOLATION_SG] })
    .rejects(sdkError('UnauthorizedOperation', 'You are not authorized to perform this operation.'));
  const outcome = await runIsolation(deps(), { kind: 'finding', event: findingEvent() }, { sleep });
  expect(outcome).toMatchObject({ status: 'failed', step: 'network-isolate' });
  // nothing after the network cut was attempted
  expect(names()).not.toContain('ReplaceIamInstanceProfileAssociation');
  expect(names()).not.toContain('PutRolePolicy');
  expect(names()).not.toContain('CreateTags');
  const record = fakes.table.get(`instance#${INSTANCE}`)!;
  expect(record['status']).toBe('failed');
  expect(record['error']).toMatchObject({ step: 'network-isolate', name: 'PicketStepFailedError' });
  const events = actionEvents(fakes).map((e) => `${e['step']}:${e['outcome']}`);
  expect(events.slice(-2)).toEqual(['network-isolate:failed', 'complete:failed']);
  expect(actionEvents(fakes).at(-1)!['error']).toMatchObject({ message: expect.stringContaining('UnauthorizedOperation') });
});

test('re-running after a partial failure finishes the isolation without repeating finished calls', async () => {
  fakes.ec2
    .on(ModifyNetworkInterfaceAttributeCommand, { NetworkInterfaceId: ENIS[1], Groups: [ISOLATION_SG] })
    .rejects(sdkError('UnauthorizedOperation'));
  await runIsolation(deps(), { kind: 'finding', event: findingEvent() }, { sleep });
  const firstRun = names();
  expect(firstRun).toContain(`ModifyNetworkInterfaceAttribute ${ENIS[0]} ${ISOLATION_SG}`);

  // the operator fixes the permission; the same finding (or `picket isolate`) runs again later
  const table = new Map(fakes.table);
  fakes = createFakes();
  for (const [k, v] of table) fakes.table.set(k, v);
  const outcome = await runIsolation(deps(false, new Date(NOW.getTime() + 5 * 60_000)), { kind: 'finding', event: findingEvent() }, { sleep });
  expect(outcome.status).toBe('isolated');
  expect(names()).toEqual([
    // the failed call and the ones after it, nothing before
    `ModifyNetworkInterfaceAttribute ${ENIS[1]} ${ISOLATION_SG}`,
    `ModifyNetworkInterfaceAttribute ${ENIS[2]} ${ISOLATION_SG}`,
    'ReplaceIamInstanceProfileAssociation',
    'PutRolePolicy',
    'CreateTags',
  ]);
  // the pre-state is the one recorded before the first run, not the half-isolated live state
  expect(fakes.table.get(`instance#${INSTANCE}`)!['preState']).toEqual(table.get(`instance#${INSTANCE}`)!['preState']);
  expect(fakes.table.get(`instance#${INSTANCE}`)!['status']).toBe('isolated');
});

test('throttling is retried with backoff within the step, without repeating the calls already done', async () => {
  const throttled = sdkError('RequestLimitExceeded', 'Request limit exceeded.');
  fakes.ec2
    .on(ModifyNetworkInterfaceAttributeCommand, { NetworkInterfaceId: ENIS[1], Groups: [ALLOW_ALL_SG] })
    .rejectsOnce(throttled)
    .resolves({});
  fakes.autoScaling.on(DetachInstancesCommand).rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'Throttling' })).resolves({ Activities: [] });
  const outcome = await runIsolation(deps(), { kind: 'finding', event: findingEvent() }, { sleep });
  expect(outcome.status).toBe('isolated');
  expect(names().filter((n) => n === 'DetachInstances')).toHaveLength(2);
  expect(names().filter((n) => n === 'ModifyInstanceAttribute')).toHaveLength(4);
  expect(names().filter((n) => n === `ModifyNetworkInterfaceAttribute ${ENIS[0]} ${ALLOW_ALL_SG}`)).toHaveLength(1);
  expect(names().filter((n) => n === `ModifyNetworkInterfaceAttribute ${ENIS[1]} ${ALLOW_ALL_SG}`)).toHaveLength(2);
  expect(sleeps.filter((ms) => ms === 2000)).toHaveLength(2); // first backoff of each throttled step
  expect(actionEvents(fakes).filter((e) => e['outcome'] === 'retrying').map((e) => e['step'])).toEqual(['detach-auto-scaling', 'network-allow-all']);
});

test('throttling that never ends fails the step after the retry budget', async () => {
  fakes.ec2.on(ModifyInstanceAttributeCommand).rejects(sdkError('RequestLimitExceeded'));
  const outcome = await runIsolation(deps(), { kind: 'finding', event: findingEvent() }, { sleep, maxAttempts: 3 });
  expect(outcome).toMatchObject({ status: 'failed', step: 'protect' });
  expect(sleeps).toEqual([2000, 4000]);
  expect(names().filter((n) => n.startsWith('ModifyNetworkInterfaceAttribute'))).toEqual([]);
});

test('not-found: a deleted target group or ENI is skipped, a vanished instance stops the workflow', async () => {
  fakes.elbv2.on(DeregisterTargetsCommand).rejects(new ElasticLoadBalancingV2ServiceException({ name: 'TargetGroupNotFound', message: 'One or more target groups not found', $fault: 'client', $metadata: {} }));
  fakes.ec2.on(ModifyNetworkInterfaceAttributeCommand, { NetworkInterfaceId: ENIS[2] }).rejects(sdkError('InvalidNetworkInterfaceID.NotFound'));
  const outcome = await runIsolation(deps(), { kind: 'finding', event: findingEvent() }, { sleep });
  expect(outcome.status).toBe('isolated');
  const deregister = actionEvents(fakes).find((e) => e['step'] === 'deregister-targets')!;
  expect(deregister).toMatchObject({ outcome: 'succeeded', outputs: { '0': { skipped: 'not-found', error: 'TargetGroupNotFound' } } });

  fakes = createFakes();
  fakes.ec2.on(ModifyInstanceAttributeCommand).rejects(sdkError('InvalidInstanceID.NotFound'));
  const gone = await runIsolation(deps(), { kind: 'finding', event: findingEvent() }, { sleep });
  expect(gone).toMatchObject({ status: 'failed', step: 'protect' });
});

test('a failing forensic capture (send or run) does not stop the isolation', async () => {
  fakes.ssm.on(SendCommandCommand).rejects(Object.assign(new Error('Instances [i-0abc1234def567890] not in a valid state'), { name: 'InvalidInstanceId' }));
  const outcome = await runIsolation(deps(true), { kind: 'finding', event: findingEvent() }, { sleep });
  expect(outcome).toMatchObject({ status: 'isolated', optionalFailures: ['forensics'] });
  expect(names()).toContain(`ModifyNetworkInterfaceAttribute ${ENIS[2]} ${ISOLATION_SG}`);
  expect(actionEvents(fakes).find((e) => e['step'] === 'forensics')).toMatchObject({ outcome: 'failed', error: { name: 'InvalidInstanceId' } });
  expect(actionEvents(fakes).at(-1)).toMatchObject({ step: 'complete', outcome: 'succeeded', outputs: { optionalFailures: ['forensics'] } });

  fakes = createFakes();
  fakes.ssm.on(GetCommandInvocationCommand).resolvesOnce({ Status: 'InProgress' }).resolves({ Status: 'Failed' });
  const ranAndFailed = await runIsolation(deps(true), { kind: 'finding', event: findingEvent() }, { sleep });
  expect(ranAndFailed).toMatchObject({ status: 'isolated', optionalFailures: ['forensics'] });
  expect(fakes.ssm.commandCalls(GetCommandInvocationCommand)).toHaveLength(2);
  expect(names().indexOf('SendCommand')).toBeLessThan(names().indexOf(`ModifyNetworkInterfaceAttribute ${ENIS[0]} ${ALLOW_ALL_SG}`));
});

test('a forensic capture that never finishes is given up after its deadline, and isolation goes on', async () => {
  fakes.ssm.on(GetCommandInvocationCommand).resolves({ Status: 'InProgress' });
  let elapsed = 0;
  const clockDeps = { clients: fakes.clients, settings: settings({ forensics: true }), log: SILENT_LOG, now: () => new Date(NOW.getTime() + elapsed) };
  const outcome = await runIsolation(clockDeps, { kind: 'finding', event: findingEvent() }, {
    sleep: async (ms) => {
      elapsed += ms;
    },
  });
  expect(outcome).toMatchObject({ status: 'isolated', optionalFailures: ['forensics'] });
  const polls = fakes.ssm.commandCalls(GetCommandInvocationCommand).length;
  expect(polls).toBeGreaterThanOrEqual(6); // every 5 s until the 30 s deadline
  expect(polls).toBeLessThanOrEqual(8);
  expect(actionEvents(fakes).find((e) => e['step'] === 'forensics-capture')).toMatchObject({ outcome: 'failed', error: { message: expect.stringContaining('after 30 s') } });
});
