/**
 * The agentless detector core on real-shaped CloudWatch Logs subscription events (gzip + base64),
 * EventBridge and DynamoDB mocked per client (aws-sdk-client-mock), reset per test.
 */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { AgentlessDetector } from '../../lambda/agentless/agentless';
import { AgentlessSettingsError, agentlessSettingsFromJson, type AgentlessSettings } from '../../lambda/agentless/settings';
import { PICKET_FLOW_LOG_FIELDS } from '../../lambda/domain/agentless/flow-log';
import { DetectionEngine } from '../../lambda/domain/detection/engine';
import { BUILTIN_RULES } from '../../lambda/domain/detection/rules/index';
import type { NetEvent } from '../../lambda/domain/events/runtime-event';
import { DETAIL_TYPE_FINDING, FINDING_SOURCE, type Finding } from '../../lambda/domain/findings/finding';
import type { CloudWatchLogsEvent } from 'aws-lambda';
import { intelFrom } from './engine';
import { ACCOUNT, INSTANCE, picketFlowRecord, resolverRecord, subscriptionEvent } from './records';

const LISTS = intelFrom([{ name: 'c2.txt', text: 'c2.example.test\n198.51.100.66\n', role: 'threat', category: 'c2' }]);
const eventsMock = mockClient(EventBridgeClient);
const dynamoMock = mockClient(DynamoDBDocumentClient);
const BUS = 'arn:aws:events:eu-west-1:111122223333:event-bus/picket-findings';

const base: AgentlessSettings = {
  accountId: ACCOUNT,
  region: 'eu-west-1',
  partition: 'aws',
  detectorId: 'picket',
  findingsBus: BUS,
  skipHealthyInstances: false,
  flowLogFields: [...PICKET_FLOW_LOG_FIELDS],
  updateIntervalMs: 300_000,
};
const warnings: Record<string, unknown>[] = [];
const log = { info: () => {}, warn: (_m: string, extra?: Record<string, unknown>) => warnings.push(extra ?? {}), error: () => {} };

function detector(settings: Partial<AgentlessSettings> = {}, extra: Partial<ConstructorParameters<typeof AgentlessDetector>[0]> = {}) {
  return new AgentlessDetector({
    settings: { ...base, ...settings },
    clients: { events: new EventBridgeClient({ region: 'eu-west-1' }), dynamo: DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' })) },
    intel: async () => LISTS,
    log,
    now: () => Date.parse('2026-11-29T10:05:00Z'),
    ...extra,
  });
}

const asEvent = (e: { awslogs: { data: string } }) => e as CloudWatchLogsEvent;

beforeEach(() => {
  eventsMock.reset();
  dynamoMock.reset();
  warnings.length = 0;
  eventsMock.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: '1' }] });
});

test('a resolver delivery with a C2 query publishes one logs-only DnsLogs finding as picket.detector', async () => {
  const event = subscriptionEvent('/aws/picket/resolver-query-logs', [resolverRecord('www.example.com'), 'not json at all', resolverRecord('c2.example.test', { offsetS: 1 })], 'vpc-0a1b2c3d4e5f60718_0');
  const outcome = await detector().handle(asEvent(event));
  expect(outcome).toMatchObject({ source: 'route53-resolver', records: 3, events: 2, malformed: 1, published: 1 });
  const calls = eventsMock.commandCalls(PutEventsCommand);
  expect(calls).toHaveLength(1);
  const [entry] = calls[0].args[0].input.Entries ?? [];
  expect(entry).toMatchObject({ EventBusName: BUS, Source: FINDING_SOURCE, DetailType: DETAIL_TYPE_FINDING, Resources: [`arn:aws:ec2:eu-west-1:${ACCOUNT}:instance/${INSTANCE}`] });
  const finding = JSON.parse(entry.Detail ?? '{}') as Finding;
  expect(finding).toMatchObject({ type: 'Backdoor:Runtime/C&CActivity.B!DNS', service: { featureName: 'DnsLogs', additionalInfo: { sources: ['route53-resolver'], logsOnly: true } } });
  // The malformed record is reported with where it was; the records around it were still detected.
  expect(warnings).toEqual([expect.objectContaining({ logGroup: '/aws/picket/resolver-query-logs', logStream: 'vpc-0a1b2c3d4e5f60718_0', line: 2, message: expect.stringMatching(/not JSON/) })]);
});

test('a flow-log delivery publishes a FlowLogs finding; a control message publishes nothing', async () => {
  const d = detector();
  const outcome = await d.handle(asEvent(subscriptionEvent('/aws/picket/flow-logs', [picketFlowRecord('198.51.100.66', 443)])));
  expect(outcome).toMatchObject({ source: 'vpc-flow-logs', events: 1, published: 1 });
  const detail = JSON.parse(eventsMock.commandCalls(PutEventsCommand)[0].args[0].input.Entries?.[0].Detail ?? '{}') as Finding;
  expect(detail.service).toMatchObject({ featureName: 'FlowLogs', additionalInfo: { sources: ['vpc-flow-logs'], logsOnly: true } });
  eventsMock.resetHistory();
  const { gzipSync } = await import('node:zlib');
  const control = { messageType: 'CONTROL_MESSAGE', owner: 'CloudwatchLogs', logGroup: '', logStream: '', subscriptionFilters: [], logEvents: [{ id: '', timestamp: 0, message: 'CWL CONTROL MESSAGE: Checking health of destination Lambda.' }] };
  const out = await d.handle(asEvent({ awslogs: { data: gzipSync(JSON.stringify(control)).toString('base64') } }));
  expect(out).toMatchObject({ published: 0, malformed: 0, events: 0 });
  expect(eventsMock.commandCalls(PutEventsCommand)).toHaveLength(0);
});

test('skipHealthyInstances: flow records of a Healthy instance never reach the engine (one coverage read)', async () => {
  dynamoMock.on(GetCommand, { TableName: 'coverage', Key: { instanceId: INSTANCE } }).resolves({ Item: { status: 'Healthy' } });
  const d = detector({ skipHealthyInstances: true, coverageTable: 'coverage' });
  const outcome = await d.handle(asEvent(subscriptionEvent('/aws/picket/flow-logs', [picketFlowRecord('198.51.100.66', 443), picketFlowRecord('198.51.100.66', 443, { offsetS: 1 })])));
  expect(outcome).toMatchObject({ events: 2, skippedHealthy: 2, findings: 0, published: 0 });
  expect(dynamoMock.commandCalls(GetCommand)).toHaveLength(1);
  expect(eventsMock.commandCalls(PutEventsCommand)).toHaveLength(0);
  // Unhealthy: detected as usual.
  dynamoMock.on(GetCommand, { TableName: 'coverage', Key: { instanceId: INSTANCE } }).resolves({ Item: { status: 'Unhealthy' } });
  const again = await detector({ skipHealthyInstances: true, coverageTable: 'coverage' }).handle(asEvent(subscriptionEvent('/aws/picket/flow-logs', [picketFlowRecord('198.51.100.66', 443)])));
  expect(again).toMatchObject({ skippedHealthy: 0, published: 1 });
});

test('with the findings table: the agent finding absorbs the log sighting (written back, not published again)', async () => {
  const engine = new DetectionEngine({ rules: BUILTIN_RULES, intel: LISTS, accountId: ACCOUNT, region: 'eu-west-1', detectorId: 'picket' });
  const process = { pid: 7, ppid: 1, exe: '/tmp/implant', argv: ['implant'], cwd: '/', uid: 0, euid: 0, gid: 0, uuid: 'u-7' };
  const agentEvent: NetEvent = { v: 1, kind: 'net_connect', ts: '2026-11-29T09:59:00.000Z', instanceId: INSTANCE, seq: 1, process, lineage: [], sensor: 'auditd', success: true, net: { family: 'inet', protocol: 'tcp', remoteIp: '198.51.100.66', remotePort: 443 } };
  const [agentFinding] = engine.process(agentEvent).map((u) => u.finding);
  const item = { id: agentFinding.id, instanceId: INSTANCE, finding: JSON.stringify(agentFinding), lastPublishedAt: Date.parse(agentFinding.updatedAt), publishPending: false };
  dynamoMock.on(QueryCommand).resolves({ Items: [item] });
  dynamoMock.on(BatchGetCommand).resolves({ Responses: { findings: [item] } });
  dynamoMock.on(PutCommand).resolves({});

  const outcome = await detector({ findingsTable: 'findings' }).handle(asEvent(subscriptionEvent('/aws/picket/flow-logs', [picketFlowRecord('198.51.100.66', 443)])));
  expect(outcome).toMatchObject({ findings: 1, mergedIntoAgent: 1, published: 0 });
  expect(eventsMock.commandCalls(PutEventsCommand)).toHaveLength(0);
  const puts = dynamoMock.commandCalls(PutCommand);
  expect(puts).toHaveLength(1);
  const stored = JSON.parse(String(puts[0].args[0].input.Item?.['finding'])) as Finding;
  expect(stored.id).toBe(agentFinding.id);
  expect(stored.service.runtimeDetails?.process?.executablePath).toBe('/tmp/implant');
  expect(stored.service.additionalInfo).toMatchObject({ sources: ['agent', 'vpc-flow-logs'] });
  expect(stored.service.additionalInfo?.logsOnly).toBeUndefined();
  expect(puts[0].args[0].input.ConditionExpression).toMatch(/attribute_not_exists\(id\)/);
});

test('with the findings table and no agent finding: stored and published as logs-only', async () => {
  dynamoMock.on(QueryCommand).resolves({ Items: [] });
  dynamoMock.on(BatchGetCommand).resolves({ Responses: { findings: [] } });
  dynamoMock.on(PutCommand).resolves({});
  const outcome = await detector({ findingsTable: 'findings' }).handle(asEvent(subscriptionEvent('/aws/picket/resolver-query-logs', [resolverRecord('c2.example.test')])));
  expect(outcome).toMatchObject({ mergedIntoAgent: 0, published: 1 });
  expect(dynamoMock.commandCalls(PutCommand)).toHaveLength(1);
  expect(eventsMock.commandCalls(PutEventsCommand)).toHaveLength(1);
});

test('an undecodable payload throws (Lambda retries the async invocation) and names the step', async () => {
  await expect(detector().handle(asEvent({ awslogs: { data: 'bm90IGd6aXA=' } }))).rejects.toThrow(/base64 of gzip/);
});

describe('settings', () => {
  it('reads what the construct writes and names a bad field', () => {
    expect(agentlessSettingsFromJson(JSON.stringify(base))).toEqual(base);
    expect(() => agentlessSettingsFromJson(undefined)).toThrow(AgentlessSettingsError);
    expect(() => agentlessSettingsFromJson(JSON.stringify({ ...base, accountId: '12' }))).toThrow(/accountId/);
    expect(() => agentlessSettingsFromJson(JSON.stringify({ ...base, skipHealthyInstances: true }))).toThrow(/coverageTable/);
  });
});
