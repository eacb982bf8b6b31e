/**
 * `picket org status`, `findings --org`, `coverage --org`: argument parsing, the join of StackSet
 * instances with coverage, escaping of member-controlled text, and the SDK calls (mocked per client).
 */
import { PassThrough } from 'node:stream';
import { CloudFormationClient, ListStackInstancesCommand } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import {
  parseOrgCoverageArgs,
  parseOrgFindingsArgs,
  parseOrgStatusArgs,
  runOrgCoverageCommand,
  runOrgFindingsCommand,
  runOrgStatusCommand,
  summarizeOrgStatus,
} from '../../lambda/cli/org';
import { UsageError } from '../../lambda/cli/usage-error';
import type { OrgCoverageItem } from '../../lambda/org/table-schema';

const cov = (accountId: string, region: string, instanceId: string, status: 'Healthy' | 'Unhealthy'): OrgCoverageItem => ({
  accountId, region, instanceId, status, coverageKey: `${region}#${instanceId}`, issue: status === 'Healthy' ? null : 'AGENT_NOT_REPORTING', agentVersion: '0.1.0', lastHeartbeatAt: null, changedAt: '2026-11-29T05:00:00Z', receivedAt: '2026-11-29T05:00:01Z',
});

function capture(): { io: { stdout: PassThrough }; text: () => string } {
  const stdout = new PassThrough();
  const chunks: Buffer[] = [];
  stdout.on('data', (c: Buffer) => chunks.push(c));
  return { io: { stdout }, text: () => Buffer.concat(chunks).toString('utf8') };
}

describe('summarizeOrgStatus', () => {
  it('joins StackSet instances and coverage per account and region, with the healthy share', () => {
    const rows = summarizeOrgStatus(
      [{ name: 'Picket-member', instances: [
        { Account: '111111111111', Region: 'eu-west-1', Status: 'CURRENT', StackInstanceStatus: { DetailedStatus: 'SUCCEEDED' }, OrganizationalUnitId: 'ou-ab12-prod0001' },
        { Account: '222222222222', Region: 'eu-west-1', Status: 'INOPERABLE', StackInstanceStatus: { DetailedStatus: 'FAILED' }, StatusReason: 'Bucket not found' },
      ] }],
      [cov('111111111111', 'eu-west-1', 'i-1', 'Healthy'), cov('111111111111', 'eu-west-1', 'i-2', 'Healthy'), cov('111111111111', 'eu-west-1', 'i-3', 'Unhealthy'), cov('333333333333', 'us-east-1', 'i-4', 'Healthy')],
    );
    expect(rows).toEqual([
      expect.objectContaining({ accountId: '111111111111', region: 'eu-west-1', stackSet: 'Picket-member', instanceStatus: 'CURRENT', instances: 3, healthy: 2, coveragePercent: 66.7 }),
      expect.objectContaining({ accountId: '222222222222', instanceStatus: 'INOPERABLE', statusReason: 'Bucket not found', instances: 0, coveragePercent: null }),
      expect.objectContaining({ accountId: '333333333333', region: 'us-east-1', stackSet: null, instances: 1, coveragePercent: 100 }),
    ]);
  });
});

describe('argument parsing', () => {
  it('org status: defaults, repeated --stack-set, and usage errors', () => {
    expect(parseOrgStatusArgs([])).toEqual({ stackSets: ['Picket-member'], callAs: 'SELF', output: 'table' });
    expect(parseOrgStatusArgs(['--stack-set', 'Picket-member', '--stack-set', 'Picket-member-sandbox', '--call-as', 'DELEGATED_ADMIN', '--coverage-table', 'org-cov'])).toMatchObject({ stackSets: ['Picket-member', 'Picket-member-sandbox'], callAs: 'DELEGATED_ADMIN', coverageTable: 'org-cov' });
    expect(() => parseOrgStatusArgs(['--call-as', 'ROOT'])).toThrow(UsageError);
    expect(() => parseOrgStatusArgs(['--bogus'])).toThrow(UsageError);
  });

  it('findings --org / coverage --org need the org table and check their filters', () => {
    expect(parseOrgFindingsArgs(['--org', '--table', 'org-findings', '--min-severity', '7', '--account', '111111111111'])).toMatchObject({ table: 'org-findings', minSeverity: 7, accountId: '111111111111', archived: false, limit: 100 });
    expect(() => parseOrgFindingsArgs(['--org'])).toThrow(/--table must name the org findings table/);
    expect(() => parseOrgFindingsArgs(['--org', '--table', 'org-findings', '--min-severity', '11'])).toThrow(/from 1 to 10/);
    expect(parseOrgCoverageArgs(['--org', '--table', 'org-cov', '--status', 'unhealthy'])).toMatchObject({ table: 'org-cov', status: 'Unhealthy' });
    expect(() => parseOrgCoverageArgs(['--org', '--table', 'org-cov', '--account', '12'])).toThrow(/12-digit/);
  });
});

describe('commands against mocked clients', () => {
  const cfn = mockClient(CloudFormationClient);
  const ddb = mockClient(DynamoDBDocumentClient);
  const clients = { cloudformation: new CloudFormationClient({ region: 'eu-west-1' }), dynamo: DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' })) };
  beforeEach(() => {
    cfn.reset();
    ddb.reset();
  });

  it('org status pages through the stack instances (call as delegated admin) and the coverage table', async () => {
    cfn.on(ListStackInstancesCommand, { StackSetName: 'Picket-member', CallAs: 'DELEGATED_ADMIN' })
      .resolvesOnce({ Summaries: [{ Account: '111111111111', Region: 'eu-west-1', Status: 'CURRENT' }], NextToken: 't1' })
      .resolvesOnce({ Summaries: [{ Account: '111111111111', Region: 'us-east-1', Status: 'OUTDATED', StackInstanceStatus: { DetailedStatus: 'RUNNING' } }] });
    ddb.on(ScanCommand).resolvesOnce({ Items: [cov('111111111111', 'eu-west-1', 'i-1', 'Healthy')], LastEvaluatedKey: { accountId: 'x' } }).resolvesOnce({ Items: [cov('111111111111', 'eu-west-1', 'i-2', 'Unhealthy')] });
    const out = capture();
    await runOrgStatusCommand(clients, parseOrgStatusArgs(['--call-as', 'DELEGATED_ADMIN', '--coverage-table', 'org-cov']), out.io);
    expect(cfn).toHaveReceivedCommandTimes(ListStackInstancesCommand, 2);
    expect(cfn).toHaveReceivedNthCommandWith(2, ListStackInstancesCommand, { StackSetName: 'Picket-member', CallAs: 'DELEGATED_ADMIN', NextToken: 't1' });
    expect(ddb).toHaveReceivedNthCommandWith(2, ScanCommand, { TableName: 'org-cov', ExclusiveStartKey: { accountId: 'x' } });
    const lines = out.text().trim().split('\n');
    expect(lines[0]).toMatch(/^ACCOUNT\s+REGION\s+STACKSET\s+STATUS/);
    expect(lines[1]).toMatch(/111111111111\s+eu-west-1\s+Picket-member\s+CURRENT\s+-\s+2\s+1\s+50%/);
    expect(lines[2]).toMatch(/111111111111\s+us-east-1\s+Picket-member\s+OUTDATED\s+RUNNING\s+0\s+0\s+-/);
  });

  it('findings --org hides archived findings unless asked, sorts by update time, and escapes member text', async () => {
    const item = (id: string, updatedAt: string, archived: boolean, title: string) => ({ accountId: '111111111111', findingKey: `eu-west-1#${id}`, region: 'eu-west-1', id, type: 'Execution:Runtime/ReverseShell', severity: 8, title, instanceId: 'i-0123456789abcdef0', createdAt: updatedAt, updatedAt, count: 1, archived, receivedAt: updatedAt });
    ddb.on(ScanCommand).resolves({ Items: [item('a', '2026-11-29T05:00:00Z', false, 'older'), item('b', '2026-11-29T05:10:00Z', false, 'shell \u001b[31mred'), item('c', '2026-11-29T05:20:00Z', true, 'muted')] });
    const out = capture();
    await runOrgFindingsCommand(clients, parseOrgFindingsArgs(['--org', '--table', 'org-findings']), out.io);
    const text = out.text();
    expect(text).not.toContain('muted');
    expect(text).not.toContain('\u001b');
    expect(text.indexOf('shell')).toBeLessThan(text.indexOf('older'));
    const all = capture();
    await runOrgFindingsCommand(clients, parseOrgFindingsArgs(['--org', '--table', 'org-findings', '--archived']), all.io);
    expect(all.text()).toContain('[archived: member] muted');
  });

  it('coverage --org prints instances and a per-account summary', async () => {
    ddb.on(ScanCommand).resolves({ Items: [cov('111111111111', 'eu-west-1', 'i-1', 'Healthy'), cov('111111111111', 'eu-west-1', 'i-2', 'Unhealthy')] });
    const out = capture();
    await runOrgCoverageCommand(clients, parseOrgCoverageArgs(['--org', '--table', 'org-cov']), out.io);
    expect(out.text()).toMatch(/i-2\s+Unhealthy\s+AGENT_NOT_REPORTING/);
    expect(out.text()).toContain('111111111111 eu-west-1: 1/2 healthy (50%)');
  });
});
