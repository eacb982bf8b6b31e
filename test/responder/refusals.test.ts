/**
 * Every refusal stops the responder before any mutation and is reported with its reason; dry-run
 * plans everything and changes nothing.
 */
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SILENT_LOG } from '../../lambda/responder/clients';
import { runIsolation } from '../../lambda/responder/run-isolation';
import { admit, evaluate } from '../../lambda/responder/workflow';
import { rateKey } from '../../lambda/domain/isolation/response-record';
import type { ResponseConfig } from '../../lambda/domain/isolation/response-config';
import { ACCOUNT, INSTANCE, NOW, REGION, type Fakes, type InstanceShape, actionEvents, createFakes, findingEvent, mutatingCalls, settings } from './aws-fakes';

let fakes: Fakes;
beforeEach(() => {
  fakes = createFakes();
});

function deps(config: Partial<ResponseConfig> = {}, now = NOW) {
  return { clients: fakes.clients, settings: settings(config), log: SILENT_LOG, now: () => now };
}

async function expectRefused(event: unknown, code: string, reason: RegExp, config: Partial<ResponseConfig> = {}, shape?: InstanceShape) {
  if (shape) fakes = createFakes(shape);
  const outcome = await runIsolation(deps(config), { kind: 'finding', event }, { sleep: async () => {} });
  expect(outcome.status).toBe('refused');
  expect(mutatingCalls(fakes)).toEqual([]);
  const reported = actionEvents(fakes);
  expect(reported).toHaveLength(1);
  expect(reported[0]).toMatchObject({ source: 'picket.responder', step: 'evaluate', outcome: 'refused', refusal: { code } });
  expect((reported[0]!['refusal'] as { reason: string }).reason).toMatch(reason);
}

const exemptTags = [{ Key: 'PicketIsolation', Value: 'exempt' }];

test('exempt tag on the live instance (even when the finding does not show it)', async () => {
  await expectRefused(findingEvent(), 'exempt-tag', /PicketIsolation=exempt/, {}, { tags: exemptTags });
});

test('exempt tag in the finding: refused before any AWS read', async () => {
  await expectRefused(findingEvent({ tags: [{ key: 'PicketIsolation', value: 'exempt' }] }), 'exempt-tag', /PicketIsolation=exempt/);
  expect(fakes.ec2.calls()).toHaveLength(0);
});

test('exempt instance list', async () => {
  await expectRefused(findingEvent(), 'exempt-list', /exempt instance list/, { exemptInstanceIds: [INSTANCE] });
});

test('instance in another account', async () => {
  const event = findingEvent({ account: '999988887777', detail: { accountId: '999988887777' } });
  await expectRefused(event, 'other-account', /999988887777.*111122223333/);
});

test('instance in another region', async () => {
  await expectRefused(findingEvent({ detail: { region: 'us-east-1' } }), 'other-region', /us-east-1.*eu-west-1/);
});

test('forged finding source: another source, or a Picket source put by another account', async () => {
  await expectRefused(findingEvent({ source: 'evil.corp' }), 'forged-source', /evil\.corp.*not Picket's detector/);
  fakes = createFakes();
  await expectRefused(findingEvent({ account: '444455556666' }), 'forged-source', /put by account 444455556666/);
  fakes = createFakes();
  await expectRefused(findingEvent({ source: 'aws.guardduty', detailType: 'GuardDuty Finding' }), 'forged-source', /actOnGuardDutyFindings is false/);
});

test('GuardDuty findings are accepted when enabled', async () => {
  const event = findingEvent({ source: 'aws.guardduty', detailType: 'GuardDuty Finding', detail: { service: { serviceName: 'guardduty' } } });
  const outcome = await runIsolation(deps({ actOnGuardDutyFindings: true }), { kind: 'finding', event }, { sleep: async () => {} });
  expect(outcome.status).toBe('isolated');
});

test('stale finding', async () => {
  await expectRefused(findingEvent({ detail: { updatedAt: '2026-11-29T03:00:00.000Z' } }), 'stale-finding', /120 minutes ago.*60 minutes/);
});

test('terminated and shutting-down instances', async () => {
  await expectRefused(findingEvent(), 'terminated-instance', /terminated/, {}, { state: 'terminated' });
  await expectRefused(findingEvent(), 'terminated-instance', /shutting-down/, {}, { state: 'shutting-down' });
});

test('severity below the minimum and excluded types (defence in depth behind the rule filter)', async () => {
  await expectRefused(findingEvent({ detail: { severity: 5.5 } }), 'below-severity', /5\.5 is below the minimum 7/);
  fakes = createFakes();
  await expectRefused(findingEvent(), 'type-not-selected', /ReverseShell/, { excludeTypes: ['Execution:Runtime/*'] });
});

test('malformed finding: refused with the field that is wrong', async () => {
  const event = findingEvent();
  (event.detail.resource.instanceDetails as { instanceId: string }).instanceId = 'not-an-instance';
  const outcome = await runIsolation(deps(), { kind: 'finding', event }, { sleep: async () => {} });
  expect(outcome).toMatchObject({ status: 'refused', evaluation: { refusal: { code: 'malformed-finding', reason: expect.stringContaining('event.detail.resource.instanceDetails.instanceId') } } });
  expect(mutatingCalls(fakes)).toEqual([]);
});

test('rate limit: the sixth isolation in an hour is queued and reported, nothing is touched', async () => {
  const history = [50, 40, 30, 20, 10].map((m) => new Date(NOW.getTime() - m * 60_000).toISOString());
  fakes.table.set(rateKey(ACCOUNT), { pk: rateKey(ACCOUNT), history, version: 5 });
  const outcome = await runIsolation(deps(), { kind: 'finding', event: findingEvent() }, { sleep: async () => {} });
  expect(outcome).toMatchObject({ status: 'queued', retryAt: new Date(NOW.getTime() + 10 * 60_000 + 1000).toISOString() });
  expect(mutatingCalls(fakes)).toEqual([]);
  expect(actionEvents(fakes)).toEqual([expect.objectContaining({ step: 'admit', outcome: 'queued', refusal: expect.objectContaining({ reason: expect.stringContaining('5 isolations in the last hour') }) })]);
  // once the oldest slot has aged out, the queued isolation goes ahead
  const later = await runIsolation(deps({}, new Date(NOW.getTime() + 10 * 60_000 + 1000)), { kind: 'finding', event: findingEvent({ detail: { updatedAt: '2026-11-29T05:09:00.000Z' } }) }, { sleep: async () => {} });
  expect(later.status).toBe('isolated');
  expect(fakes.table.get(rateKey(ACCOUNT))!['history']).toHaveLength(5);
});

test('an instance already isolated is refused', async () => {
  await expectRefused(findingEvent(), 'already-isolated', /already isolated/, {}, { tags: [{ Key: 'PicketIsolation', Value: 'isolated' }] });
});

test('dry-run plans every step and makes no mutating call', async () => {
  const outcome = await runIsolation(deps({ mode: 'dry-run', forensics: true }), { kind: 'finding', event: findingEvent() }, { sleep: async () => {} });
  expect(outcome.status).toBe('dry-run');
  expect(mutatingCalls(fakes)).toEqual([]);
  const [planned] = actionEvents(fakes);
  expect(planned).toMatchObject({ step: 'evaluate', outcome: 'planned', mode: 'dry-run' });
  const plan = planned!['plan'] as { step: string; api: string }[];
  expect([...new Set(plan.map((r) => r.step))]).toEqual([
    'record-pre-state',
    'protect',
    'forensics',
    'detach-auto-scaling',
    'deregister-targets',
    'snapshot-volumes',
    'network-allow-all',
    'network-isolate',
    'swap-instance-profile',
    'deny-old-credentials',
    'tag-instance',
  ]);
  expect(planned!['calls']).toBe(plan.length);
});

test('mode off ignores findings without reading anything', async () => {
  await expectRefused(findingEvent(), 'mode-off', /off/, { mode: 'off' });
  expect(fakes.ec2.calls()).toHaveLength(0);
  expect(fakes.events.commandCalls(PutEventsCommand)[0]!.args[0].input.Entries![0]!.EventBusName).toBe('picket-findings');
  expect(REGION).toBe('eu-west-1');
});

test('the configurable exemption tag key exempts with any value', async () => {
  await expectRefused(findingEvent(), 'exempt-tag', /exemption tag key PicketExempt/, {}, { tags: [{ Key: 'PicketExempt', Value: '' }] });
  fakes = createFakes({ tags: [{ Key: 'OpsExempt', Value: 'yes' }] });
  await expectRefused(findingEvent(), 'exempt-tag', /OpsExempt/, { exemptTagKey: 'OpsExempt' });
});

test('two findings for one instance: the second waits its turn instead of racing the first', async () => {
  const d = deps();
  const first = await evaluate(d, { kind: 'finding', event: findingEvent() });
  const second = await evaluate(d, { kind: 'finding', event: findingEvent({ detail: { id: 'another-finding-id' } }) });
  expect((await admit(d, { ctx: first.ctx!, preState: first.preState })).decision).toBe('admitted');
  const raced = await admit(d, { ctx: second.ctx!, preState: second.preState });
  expect(raced).toMatchObject({ decision: 'refused', refusal: { code: 'in-progress' } });
  // the same finding's admit may run again (Step Functions retry) and resumes
  expect((await admit(d, { ctx: first.ctx!, preState: first.preState })).decision).toBe('admitted');
  expect(fakes.objects.size).toBe(1);
});

test('after a release failed half-way, a new finding is refused until the release is finished', async () => {
  fakes.table.set(`instance#${INSTANCE}`, { pk: `instance#${INSTANCE}`, instanceId: INSTANCE, findingId: 'old', status: 'release-failed', version: 3, startedAt: NOW.toISOString(), updatedAt: NOW.toISOString(), steps: {} });
  await expectRefused(findingEvent(), 'in-progress', /release .* failed half-way/);
});
