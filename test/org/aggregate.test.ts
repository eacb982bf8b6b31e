/**
 * The org aggregator: what it writes for each Picket event from the org bus, that spoofed events are
 * refused, that central and the sender's own suppression apply, and that writes are conditional
 * (a late, older event never overwrites a newer state). The finding is a real `picket detect` output
 * (test/org/fixtures/make-finding.sh).
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { SuppressionRuleSet } from '../../lambda/domain/findings/suppression';
import { type OrgBusEvent, planWrite } from '../../lambda/org/aggregate';
import { ORG_AGGREGATOR_ENV, orgAggregatorSettings } from '../../lambda/org/settings';
import { executeWrite } from '../../lambda/org/write';

const MEMBER = '333344445555';
const raw = JSON.parse(readFileSync(path.resolve(__dirname, 'fixtures/finding.crypto-miner.json'), 'utf8'));
const finding = { ...raw, accountId: MEMBER, region: 'eu-west-1' };
const NOW = '2026-11-29T06:00:00.000Z';
const none = new SuppressionRuleSet({});

function event(source: string, detailType: string, detail: unknown, account = MEMBER): OrgBusEvent {
  return { id: 'e1', source, 'detail-type': detailType, account, region: 'eu-west-1', time: NOW, detail };
}
const findingEvent = (detail: unknown = finding, account = MEMBER) => event('picket.detector', 'Picket Runtime Finding', detail, account);

describe('planWrite', () => {
  it('a finding becomes one findings-table item keyed by sending account, region and finding id', () => {
    const w = planWrite(findingEvent(), none, NOW);
    expect(w.kind).toBe('finding');
    if (w.kind !== 'finding') return;
    expect(w.item).toMatchObject({
      accountId: MEMBER,
      findingKey: `eu-west-1#${raw.id}`,
      type: 'Impact:Runtime/CryptoMinerExecuted',
      severity: raw.severity,
      instanceId: raw.resource.instanceDetails.instanceId,
      archived: false,
      updatedAt: raw.updatedAt,
      receivedAt: NOW,
    });
    expect(JSON.parse(w.item.finding!).id).toBe(raw.id);
  });

  it('a member claiming another account in the detail is refused, not written under that account', () => {
    const w = planWrite(findingEvent({ ...finding, accountId: '111122223333' }), none, NOW);
    expect(w).toEqual({ kind: 'rejected', reason: `detail claims account 111122223333 but the event came from ${MEMBER}` });
  });

  it('central rules archive any account\'s finding; an account\'s own rules only its own', () => {
    const rules = new SuppressionRuleSet({
      central: [],
      accounts: { [MEMBER]: [{ name: 'member-miner-lab', action: 'ARCHIVE', criterion: { type: { eq: ['Impact:Runtime/CryptoMinerExecuted'] } } }] },
    });
    const own = planWrite(findingEvent(), rules, NOW);
    expect(own.kind === 'finding' && own.item).toMatchObject({ archived: true, suppressedBy: 'member-miner-lab' });
    const other = planWrite(findingEvent({ ...finding, accountId: '444455556666' }, '444455556666'), rules, NOW);
    expect(other.kind === 'finding' && other.item.archived).toBe(false);
    const central = new SuppressionRuleSet({ central: [{ name: 'org-lab', action: 'ARCHIVE', criterion: { severity: { gte: 1 } } }] });
    const c = planWrite(findingEvent({ ...finding, accountId: '444455556666' }, '444455556666'), central, NOW);
    expect(c.kind === 'finding' && c.item.suppressedBy).toBe('org-lab');
  });

  it('a coverage change becomes the latest coverage item of that instance', () => {
    const detail = {
      schemaVersion: '1.0', instanceId: 'i-0123456789abcdef0', accountId: MEMBER, region: 'eu-west-1', previousStatus: 'Healthy', currentStatus: 'Unhealthy',
      previousIssue: null, issue: { kind: 'AGENT_NOT_REPORTING' }, issues: [], installMode: 'managed', agentVersion: '0.1.0', lastHeartbeatAt: '2026-11-29T05:40:00.000Z', changedAt: '2026-11-29T05:55:00.000Z', guardDutyIssue: null, remedy: null,
    };
    const w = planWrite(event('picket.coverage', 'Picket Coverage Status Changed', detail), none, NOW);
    expect(w).toEqual({
      kind: 'coverage',
      item: { accountId: MEMBER, coverageKey: 'eu-west-1#i-0123456789abcdef0', region: 'eu-west-1', instanceId: 'i-0123456789abcdef0', status: 'Unhealthy', issue: 'AGENT_NOT_REPORTING', agentVersion: '0.1.0', lastHeartbeatAt: '2026-11-29T05:40:00.000Z', changedAt: '2026-11-29T05:55:00.000Z', receivedAt: NOW },
    });
  });

  it('a response action is attached to its finding; one without a finding id is ignored; other sources are ignored', () => {
    const action = { version: 1, action: 'isolate', step: 'swap-security-groups', outcome: 'done', instanceId: 'i-0123456789abcdef0', findingId: raw.id, accountId: MEMBER, region: 'eu-west-1', at: NOW, mode: 'auto' };
    expect(planWrite(event('picket.responder', 'Picket Response Action', action), none, NOW)).toMatchObject({ kind: 'response', accountId: MEMBER, findingKey: `eu-west-1#${raw.id}`, response: { step: 'swap-security-groups', outcome: 'done' } });
    expect(planWrite(event('picket.responder', 'Picket Response Action', { ...action, findingId: undefined }), none, NOW).kind).toBe('ignored');
    expect(planWrite(event('aws.guardduty', 'GuardDuty Finding', { accountId: MEMBER }), none, NOW).kind).toBe('ignored');
    expect(planWrite(findingEvent({ ...finding, id: undefined }), none, NOW).kind).toBe('rejected');
  });
});

describe('executeWrite', () => {
  const ddbMock = mockClient(DynamoDBDocumentClient);
  const ddb = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' }));
  const settings = { findingsTable: 'org-findings', coverageTable: 'org-coverage' };
  beforeEach(() => ddbMock.reset());

  it('puts a finding only if it is new or newer than the stored one', async () => {
    ddbMock.on(PutCommand).resolves({});
    const w = planWrite(findingEvent(), none, NOW);
    await expect(executeWrite(ddb, settings, w)).resolves.toBe('written');
    expect(ddbMock).toHaveReceivedCommandWith(PutCommand, { TableName: 'org-findings', ConditionExpression: 'attribute_not_exists(accountId) OR updatedAt <= :u', ExpressionAttributeValues: { ':u': raw.updatedAt } });
  });

  it('a stale event (condition failed) is reported as stale, not as an error', async () => {
    ddbMock.on(PutCommand).rejects(new ConditionalCheckFailedException({ message: 'older', $metadata: {} }));
    await expect(executeWrite(ddb, settings, planWrite(findingEvent(), none, NOW))).resolves.toBe('stale');
  });

  it('other DynamoDB errors propagate (EventBridge retries, then the DLQ keeps the event)', async () => {
    ddbMock.on(PutCommand).rejects(new Error('ProvisionedThroughputExceeded'));
    await expect(executeWrite(ddb, settings, planWrite(findingEvent(), none, NOW))).rejects.toThrow('ProvisionedThroughputExceeded');
  });

  it('a response event updates the existing finding only', async () => {
    ddbMock.on(UpdateCommand).resolves({});
    const action = { instanceId: 'i-0123456789abcdef0', findingId: raw.id, accountId: MEMBER, region: 'eu-west-1', at: NOW, step: 'tag', outcome: 'done' };
    await executeWrite(ddb, settings, planWrite(event('picket.responder', 'Picket Response Action', action), none, NOW));
    expect(ddbMock).toHaveReceivedCommandWith(UpdateCommand, { TableName: 'org-findings', Key: { accountId: MEMBER, findingKey: `eu-west-1#${raw.id}` }, ConditionExpression: 'attribute_exists(accountId)' });
  });
});

describe('aggregator settings', () => {
  it('reads table names and the suppression JSON; names a missing variable', () => {
    const s = orgAggregatorSettings({ [ORG_AGGREGATOR_ENV.findingsTable]: 'f', [ORG_AGGREGATOR_ENV.coverageTable]: 'c', [ORG_AGGREGATOR_ENV.suppression]: '{"rules":[]}' });
    expect(s).toMatchObject({ findingsTable: 'f', coverageTable: 'c' });
    expect(() => orgAggregatorSettings({ [ORG_AGGREGATOR_ENV.coverageTable]: 'c' })).toThrow(/PICKET_ORG_FINDINGS_TABLE is missing/);
    expect(() => orgAggregatorSettings({ [ORG_AGGREGATOR_ENV.findingsTable]: 'f', [ORG_AGGREGATOR_ENV.coverageTable]: 'c', [ORG_AGGREGATOR_ENV.suppression]: '{' })).toThrow(/not JSON/);
  });
});
