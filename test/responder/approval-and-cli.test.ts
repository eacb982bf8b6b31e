/**
 * Approval mode (task token parked on the record, pending event, `--approve`/`--reject`), the
 * operator's `picket isolate`, and the offline `picket respond` plan with the same refusals.
 */
import { SendTaskFailureCommand, SendTaskSuccessCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { SILENT_LOG } from '../../lambda/responder/clients';
import { approveIsolation, formatPlanJson, formatPlanTable, isolateInstance, planFromFindingFile } from '../../lambda/cli/respond';
import { evaluate, requestApproval } from '../../lambda/responder/workflow';
import { ENIS, INSTANCE, NOW, TABLE, type Fakes, actionEvents, createFakes, findingEvent, mutatingCalls, settings } from './aws-fakes';

let fakes: Fakes;
beforeEach(() => {
  fakes = createFakes();
});

test('approval mode: plan, park the token, publish Picket Isolation Pending Approval, mutate nothing', async () => {
  const deps = { clients: fakes.clients, settings: settings({ mode: 'approval' }), log: SILENT_LOG, now: () => NOW };
  const evaluation = await evaluate(deps, { kind: 'finding', event: findingEvent() });
  expect(evaluation.decision).toBe('approval');
  await requestApproval(deps, { ctx: evaluation.ctx!, taskToken: 'token-123', plan: evaluation.plan });
  expect(mutatingCalls(fakes).filter((c) => c.name !== 'Put')).toEqual([]);
  expect(fakes.table.get(`instance#${INSTANCE}`)).toMatchObject({ status: 'pending-approval', approvalToken: 'token-123' });
  const [pending] = actionEvents(fakes);
  expect(pending).toMatchObject({ detailType: 'Picket Isolation Pending Approval', instanceId: INSTANCE, approveWith: `picket isolate ${INSTANCE} --approve` });
  expect((pending!['plan'] as unknown[]).length).toBeGreaterThan(10);

  // a second finding for the same instance while waiting is refused as in progress
  const again = await evaluate(deps, { kind: 'finding', event: findingEvent() });
  expect(again.refusal?.code).toBe('in-progress');

  const approved = await approveIsolation(fakes.clients, { stateTable: TABLE, instanceId: INSTANCE, approve: true, operator: 'alice' });
  expect(approved.approved).toBe(true);
  expect(fakes.sfn.commandCalls(SendTaskSuccessCommand)[0]!.args[0].input).toEqual({ taskToken: 'token-123', output: JSON.stringify({ approved: true, operator: 'alice' }) });
});

test('rejecting sends a task failure and frees the instance', async () => {
  const deps = { clients: fakes.clients, settings: settings({ mode: 'approval' }), log: SILENT_LOG, now: () => NOW };
  const evaluation = await evaluate(deps, { kind: 'finding', event: findingEvent() });
  await requestApproval(deps, { ctx: evaluation.ctx!, taskToken: 'token-456' });
  await approveIsolation(fakes.clients, { stateTable: TABLE, instanceId: INSTANCE, approve: false, reason: 'known pentest', now: NOW });
  expect(fakes.sfn.commandCalls(SendTaskFailureCommand)[0]!.args[0].input).toMatchObject({ taskToken: 'token-456', error: 'PicketApprovalRejected', cause: 'known pentest' });
  expect(fakes.table.get(`instance#${INSTANCE}`)).toMatchObject({ status: 'rejected' });
  await expect(approveIsolation(fakes.clients, { stateTable: TABLE, instanceId: INSTANCE, approve: true })).rejects.toThrow(/not waiting|is rejected/);
});

test('picket isolate starts the workflow with an operator request', async () => {
  fakes.sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:aws:states:eu-west-1:111122223333:execution:iso:x', startDate: NOW });
  const out = await isolateInstance(fakes.clients, { stateMachineArn: 'arn:aws:states:eu-west-1:111122223333:stateMachine:iso', instanceId: INSTANCE, reason: 'ticket 42', now: NOW });
  expect(out.executionArn).toContain('execution');
  const input = JSON.parse(fakes.sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input.input!);
  expect(input).toEqual({ kind: 'manual', instanceId: INSTANCE, reason: 'ticket 42', dryRun: false });
  await expect(isolateInstance(fakes.clients, { stateMachineArn: 'x', instanceId: 'i-; rm -rf', reason: '' })).rejects.toThrow(/not an EC2 instance id/);
});

test('an operator request is refused for an exempt instance like a finding is', async () => {
  fakes = createFakes({ tags: [{ Key: 'PicketIsolation', Value: 'exempt' }] });
  const deps = { clients: fakes.clients, settings: settings({ mode: 'approval' }), log: SILENT_LOG, now: () => NOW };
  const evaluation = await evaluate(deps, { kind: 'manual', instanceId: INSTANCE, reason: 'ticket' });
  expect(evaluation.refusal?.code).toBe('exempt-tag');
});

describe('offline plan (picket respond --finding FILE --dry-run)', () => {
  test('plans from the instance details in the finding, every ENI, without AWS calls', () => {
    const result = planFromFindingFile(findingEvent(), { now: NOW, source: 'finding.json' });
    expect(result.refusal).toBeUndefined();
    const isolate = result.rows.filter((r) => r.step === 'network-isolate');
    expect(isolate.map((r) => r.target)).toEqual(ENIS);
    const allowAll = result.rows.filter((r) => r.step === 'network-allow-all');
    expect(Math.max(...allowAll.map((r) => r.order))).toBeLessThan(Math.min(...isolate.map((r) => r.order)));
    expect(result.rows.find((r) => r.step === 'detach-auto-scaling')).toMatchObject({ parameters: { AutoScalingGroupName: 'web-asg', ShouldDecrementDesiredCapacity: false }, resolvedAtRunTime: false });
    expect(result.rows.find((r) => r.step === 'deregister-targets')!.resolvedAtRunTime).toBe(true);
    expect(fakes.ec2.calls()).toHaveLength(0);
    const json = JSON.parse(formatPlanJson(result));
    expect(json).toMatchObject({ instanceId: INSTANCE, refused: false });
    expect(json.steps.map((s: { order: number }) => s.order)).toEqual(result.rows.map((_, i) => i + 1));
    const table = formatPlanTable(result);
    expect(table.split('\n')[0]).toMatch(/^#\s+step\s+api\s+target\s+parameters/);
    expect(table).toContain('ec2:ModifyNetworkInterfaceAttribute');
  });

  test('a bare finding works too, and the same refusals apply', () => {
    const bare = findingEvent({ tags: [{ key: 'PicketIsolation', value: 'exempt' }] }).detail;
    const refused = planFromFindingFile(bare, { now: NOW });
    expect(refused.refusal?.code).toBe('exempt-tag');
    expect(refused.rows).toEqual([]);
    expect(formatPlanTable(refused)).toMatch(/^REFUSED i-0abc1234def567890: exempt-tag/);
    expect(planFromFindingFile(findingEvent().detail, { now: new Date('2026-11-30T00:00:00Z') }).refusal?.code).toBe('stale-finding');
    expect(planFromFindingFile(findingEvent({ source: 'someone.else' }), { now: NOW }).refusal?.code).toBe('forged-source');
    expect(planFromFindingFile(findingEvent().detail, { now: NOW, identity: { accountId: '999988887777', region: 'eu-west-1' } }).refusal?.code).toBe('other-account');
    expect(planFromFindingFile(findingEvent({ detail: { resource: { resourceType: 'Instance', instanceDetails: { instanceId: INSTANCE, instanceState: 'terminated' } } } }), { now: NOW }).refusal?.code).toBe('terminated-instance');
    expect(planFromFindingFile(findingEvent().detail, { now: NOW, config: { exemptInstanceIds: [INSTANCE] } }).refusal?.code).toBe('exempt-list');
  });

  test('bad input names the field', () => {
    expect(() => planFromFindingFile({ detail: {}, source: 'picket.detector', 'detail-type': 'x' }, { source: 'f.json' })).toThrow(/f\.json\.detail\.severity: expected a number/);
    expect(() => planFromFindingFile([], { source: 'f.json' })).toThrow(/f\.json: expected a JSON object, got an array/);
  });

  test('text from the finding cannot inject terminal escapes into the table', () => {
    // the Auto Scaling group name comes from a tag, which anyone who can tag the instance controls
    const event = findingEvent({ tags: [{ key: 'aws:autoscaling:groupName', value: 'asg\u001b[2J\u202edef' }] });
    const result = planFromFindingFile(event, { now: NOW });
    expect(result.rows.find((r) => r.step === 'detach-auto-scaling')!.target).toContain('\u001b');
    const table = formatPlanTable(result);
    expect(table).not.toContain('\u001b');
    expect(table).not.toContain('\u202e');
    expect(table).toContain('asg\\u001b[2J');
  });
});
