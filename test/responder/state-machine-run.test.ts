/**
 * Runs the synthesized state machine definition with a small interpreter of the states it uses
 * (Task, Choice, Wait, Succeed, Fail; Parameters, ResultPath, Retry, Catch) against the real Lambda
 * handler module and mocked AWS clients. This checks the wiring the template tests cannot: payload
 * shapes, result paths and choices, end to end.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import { DescribeInstancesCommand, EC2ServiceException, ModifyNetworkInterfaceAttributeCommand } from '@aws-sdk/client-ec2';
import { PicketResponder } from '../../lib/responder';
import { ALLOW_ALL_SG, ENIS, INSTANCE, ISOLATION_SG, NOW, VPC, type Fakes, actionEvents, createFakes, describeInstancesResponse, findingEvent, mutatingCalls, settings } from './aws-fakes';

// One synth: the state machine as deployed (auto, forensics on).
const app = new App({ context: { 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });
const stack = new Stack(app, 'RunTest', { env: { account: '111122223333', region: 'eu-west-1' } });
const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 1, natGateways: 0, subnetConfiguration: [{ name: 'i', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
new PicketResponder(stack, 'Responder', { findingsBus: new events.EventBus(stack, 'Bus'), vpcs: [{ vpc }], mode: 'auto', forensics: true });
const template = Template.fromStack(stack);
const handlerByLogicalId = Object.fromEntries(
  Object.entries(template.findResources('AWS::Lambda::Function')).map(([id, r]) => [id, String(r['Properties']['Handler']).replace(/^index\./, '')]),
);
const definition = JSON.parse(renderJoin(Object.values(template.findResources('AWS::StepFunctions::StateMachine'))[0]!['Properties']['DefinitionString']));

function renderJoin(value: unknown): string {
  if (typeof value === 'string') return value;
  const [sep, parts] = (value as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
  return parts.map((p) => (typeof p === 'string' ? p : `fn:${(p as { 'Fn::GetAtt'?: [string] })['Fn::GetAtt']?.[0] ?? 'token'}`)).join(sep);
}

type Json = Record<string, unknown>;
type Handlers = Record<string, (event: unknown) => Promise<unknown>>;

function get(root: unknown, path: string, context: Json): unknown {
  if (path === '$') return root;
  if (path.startsWith('$$.')) return path.slice(3).split('.').reduce<unknown>((o, k) => (o as Json | undefined)?.[k], context);
  return path.slice(2).split('.').reduce<unknown>((o, k) => (o as Json | undefined)?.[k], root);
}

function set(root: Json, path: string | null | undefined, value: unknown): Json {
  if (path === null) return root;
  if (path === undefined || path === '$') return value as Json;
  const copy = structuredClone(root);
  const keys = path.slice(2).split('.');
  let o: Json = copy;
  for (const k of keys.slice(0, -1)) {
    o[k] = o[k] ?? {};
    o = o[k] as Json;
  }
  o[keys.at(-1)!] = value;
  return copy;
}

function parameters(template: unknown, input: unknown, context: Json): unknown {
  if (typeof template !== 'object' || template === null) return template;
  return Object.fromEntries(Object.entries(template as Json).map(([k, v]) => (k.endsWith('.$') ? [k.slice(0, -2), get(input, v as string, context)] : [k, parameters(v, input, context)])));
}

interface Run {
  readonly path: string[];
  readonly end: string;
  readonly output: Json;
  readonly pendingToken?: string;
}

/** Executes from StartAt; a waitForTaskToken task calls its handler, then `approve` decides. */
async function execute(handlers: Handlers, input: Json, approve?: (token: string) => boolean): Promise<Run> {
  let name: string = definition.StartAt;
  let data: Json = input;
  const path: string[] = [];
  for (let steps = 0; steps < 200; steps++) {
    path.push(name);
    const state = definition.States[name];
    if (state.Type === 'Succeed' || state.Type === 'Fail') return { path, end: state.Type, output: data };
    if (state.Type === 'Wait') {
      // time passes: a timestamp wait jumps the clock to it, a seconds wait adds them
      const until = state.TimestampPath ? Date.parse(String(get(data, state.TimestampPath, {}))) : Date.now() + (state.Seconds ?? 0) * 1000;
      jest.setSystemTime(Math.max(Date.now(), until));
      name = state.Next;
      continue;
    }
    if (state.Type === 'Choice') {
      const match = state.Choices.find((c: { Variable: string; StringEquals: string }) => get(data, c.Variable, {}) === c.StringEquals);
      name = match ? match.Next : state.Default;
      continue;
    }
    // Task: LambdaInvoke, payload-only (Resource = function) or waitForTaskToken (Parameters.FunctionName)
    const token = `token-${steps}`;
    const context = { Task: { Token: token } };
    const fnRef: string = state.Parameters?.FunctionName ?? state.Resource;
    const handler = handlers[handlerByLogicalId[fnRef.replace(/^fn:/, '')]!]!;
    const payload = parameters(state.Parameters?.Payload ?? state.Parameters, data, context);
    let result: unknown;
    let error: { Error: string; Cause: string } | undefined;
    for (let attempt = 1; ; attempt++) {
      try {
        // Parameters must be an object in ASL; without it the task gets the whole state input.
        if (state.Parameters !== undefined && (typeof state.Parameters !== 'object' || state.Parameters === null)) throw new Error(`invalid ASL: Parameters of ${name} is ${JSON.stringify(state.Parameters)}`);
        result = await handler(state.Parameters === undefined ? data : payload);
        error = undefined;
        break;
      } catch (e) {
        const err = e as Error;
        error = { Error: err.name, Cause: JSON.stringify({ errorMessage: err.message }) };
        const retry = (state.Retry ?? []).find((r: { ErrorEquals: string[] }) => r.ErrorEquals.includes(err.name));
        if (!retry || attempt >= retry.MaxAttempts + 1) break;
      }
    }
    if (!error && String(state.Resource).includes('waitForTaskToken')) {
      if (approve === undefined) return { path, end: 'Waiting', output: data, pendingToken: token };
      if (!approve(token)) error = { Error: 'PicketApprovalRejected', Cause: 'rejected' };
      else result = { approved: true };
    }
    if (error) {
      const c = (state.Catch ?? []).find((x: { ErrorEquals: string[] }) => x.ErrorEquals.includes('States.ALL') || x.ErrorEquals.includes(error!.Error));
      if (!c) return { path, end: 'Fail', output: { ...data, error } };
      data = set(data, c.ResultPath, error);
      name = c.Next;
      continue;
    }
    data = set(data, state.ResultPath, result);
    if (state.End) return { path, end: 'Succeed', output: data };
    name = state.Next;
  }
  throw new Error('state machine did not finish in 200 transitions');
}

let fakes: Fakes;
let handlers: Handlers;

beforeAll(() => {
  jest.useFakeTimers({ now: NOW, doNotFake: ['nextTick', 'setImmediate', 'setTimeout', 'setInterval', 'clearTimeout', 'clearInterval', 'queueMicrotask', 'hrtime', 'performance'] });
  const s = settings({ forensics: true });
  const { groupsByVpc, ...targets } = s.targets;
  process.env['PICKET_RESPONDER_SETTINGS'] = JSON.stringify({ ...s, targets: { ...targets, isolationGroups: Object.entries(groupsByVpc).map(([vpcId, g]) => ({ vpcId, ...g })) } });
  process.env['POWERTOOLS_LOG_LEVEL'] = 'SILENT';
  process.env['AWS_REGION'] = 'eu-west-1';
  handlers = require('../../lambda/responder/index') as Handlers;
});

afterAll(() => {
  jest.useRealTimers();
});

beforeEach(() => {
  jest.setSystemTime(NOW);
  fakes = createFakes({}, { global: true });
});

afterEach(() => {
  for (const stub of [fakes.ec2, fakes.autoScaling, fakes.elbv2, fakes.iam, fakes.ssm, fakes.s3, fakes.dynamo, fakes.events, fakes.sfn]) stub.restore();
});

test('a finding runs through every state to Isolated, with the handlers and payloads as deployed', async () => {
  expect(VPC).toBe(Object.keys(settings().targets.groupsByVpc)[0]);
  const run = await execute(handlers, { kind: 'finding', event: findingEvent() });
  expect(run.end).toBe('Succeed');
  expect(run.path.at(-1)).toBe('Isolated');
  expect(run.path).toContain('Poll forensic capture');
  const network = mutatingCalls(fakes).filter((c) => c.name === 'ModifyNetworkInterfaceAttribute').map((c) => `${c.input['NetworkInterfaceId']} ${(c.input['Groups'] as string[])[0]}`);
  expect(network).toEqual([...ENIS.map((e) => `${e} ${ALLOW_ALL_SG}`), ...ENIS.map((e) => `${e} ${ISOLATION_SG}`)]);
  expect(fakes.table.get(`instance#${INSTANCE}`)!['status']).toBe('isolated');
});

test('a refused finding ends in Refused without any mutation', async () => {
  const run = await execute(handlers, { kind: 'finding', event: findingEvent({ source: 'evil.corp' }) });
  expect(run.path).toEqual(['Evaluate finding', 'Decision?', 'Refused']);
  expect(mutatingCalls(fakes)).toEqual([]);
});

test('a failing network step goes through Report failure to the Fail state, and is reported', async () => {
  fakes.ec2.on(ModifyNetworkInterfaceAttributeCommand, { Groups: [ISOLATION_SG] }).rejects(new EC2ServiceException({ name: 'UnauthorizedOperation', message: 'no', $fault: 'client', $metadata: {} }));
  const run = await execute(handlers, { kind: 'finding', event: findingEvent() });
  expect(run.end).toBe('Fail');
  expect(run.path.slice(-3)).toEqual(['Network isolate', 'Report failure', 'Isolation failed']);
  expect(actionEvents(fakes).at(-1)).toMatchObject({ step: 'complete', outcome: 'failed', error: { message: expect.stringContaining('network-isolate') } });
  expect(mutatingCalls(fakes).some((c) => c.name === 'ReplaceIamInstanceProfileAssociation')).toBe(false);
});

test('an operator request (picket isolate) runs the same workflow', async () => {
  const run = await execute(handlers, { kind: 'manual', instanceId: INSTANCE, reason: 'ticket 7' });
  expect(run.path.at(-1)).toBe('Isolated');
});

test('throttling in a read-only task (evaluate) is retried by the state machine, not fatal', async () => {
  const throttled = new EC2ServiceException({ name: 'RequestLimitExceeded', message: 'Request limit exceeded.', $fault: 'client', $metadata: {} });
  fakes.ec2.on(DescribeInstancesCommand).rejectsOnce(throttled).resolves(describeInstancesResponse());
  const run = await execute(handlers, { kind: 'finding', event: findingEvent() });
  expect(run.output['error']).toBeUndefined();
  expect(run.path.at(-1)).toBe('Isolated');
  expect(run.path.filter((n) => n === 'Evaluate finding')).toHaveLength(1); // retried inside the task state
  expect(fakes.ec2.commandCalls(DescribeInstancesCommand).length).toBeGreaterThanOrEqual(2);
});

test('the rate-limit queue waits in a Wait state, then admits and isolates', async () => {
  const history = [50, 40, 30, 20, 10].map((m) => new Date(NOW.getTime() - m * 60_000).toISOString());
  fakes.table.set('rate#111122223333', { pk: 'rate#111122223333', history, version: 5 });
  const run = await execute(handlers, { kind: 'finding', event: findingEvent() });
  expect(run.path.slice(0, 6)).toEqual(['Evaluate finding', 'Decision?', 'Admit and record pre-state', 'Admitted?', 'Queued by rate limit', 'Admit and record pre-state']);
  expect(run.path.at(-1)).toBe('Isolated');
  expect(actionEvents(fakes)[0]).toMatchObject({ step: 'admit', outcome: 'queued' });
});

