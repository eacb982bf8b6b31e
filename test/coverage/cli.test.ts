/**
 * `picket coverage` and `picket findings` against mocked DynamoDB (aws-sdk-client-mock, reset per test):
 * argument parsing (UsageError on bad usage), the request sent (by command, in order), table and JSON
 * output, and escaping of instance-controlled text.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { parseCoverageArgs, runCoverageCommand } from '../../lambda/cli/coverage';
import { parseFindingsArgs, runFindingsCommand } from '../../lambda/cli/findings';
import { InputError, UsageError } from '../../lambda/cli/usage-error';
import { applyHeartbeat } from '../../lambda/domain/coverage/heartbeat-state';
import type { CoverageRecord } from '../../lambda/domain/coverage/record';
import type { Finding } from '../../lambda/domain/findings/finding';
import { heartbeatFixture } from './support';

const dynamo = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' }));
const mock = mockClient(dynamo);
beforeEach(() => mock.reset());

function capture(): { io: { stdout: Writable }; text: () => string } {
  let out = '';
  const stdout = new Writable({
    write(chunk, _enc, done) {
      out += String(chunk);
      done();
    },
  });
  return { io: { stdout }, text: () => out };
}

const detected = readFileSync(path.join(__dirname, 'fixtures/findings/detected.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Finding);
/** A stored finding as the detector writes it (lambda/detector/findings-store.ts). */
const item = (f: Finding) => ({ id: f.id, instanceId: f.resource.instanceDetails.instanceId, type: f.type, severity: f.severity, updatedAt: f.updatedAt, archived: false, accountId: f.accountId, finding: JSON.stringify(f) });

function coverageRecord(instanceId: string, status: 'Healthy' | 'Unhealthy', extra: Partial<CoverageRecord> = {}): CoverageRecord {
  const hb = applyHeartbeat(undefined, heartbeatFixture('healthy'), Date.parse('2026-11-29T05:00:00Z'));
  return {
    instanceId,
    accountId: '111122223333',
    region: 'eu-west-1',
    version: 3,
    status,
    issues: [],
    installMode: 'managed',
    reporting: true,
    statusSince: '2026-11-29T04:00:00.000Z',
    ...(hb.applied ? { heartbeat: hb.state } : {}),
    updatedAt: '2026-11-29T05:00:00.000Z',
    ...extra,
  };
}

describe('picket coverage', () => {
  test('argument parsing: defaults, and UsageError on bad usage', () => {
    expect(parseCoverageArgs([])).toEqual({ table: 'picket-coverage', output: 'table' });
    expect(parseCoverageArgs(['--status', 'unhealthy', '--output', 'json', '--table', 'my-coverage', '--region', 'eu-west-1'])).toEqual({ table: 'my-coverage', status: 'unhealthy', output: 'json', region: 'eu-west-1' });
    expect(() => parseCoverageArgs(['--status', 'sick'])).toThrow(new UsageError('--status must be healthy or unhealthy, got "sick"'));
    expect(() => parseCoverageArgs(['--output', 'yaml'])).toThrow(UsageError);
    expect(() => parseCoverageArgs(['--nope'])).toThrow(UsageError);
    expect(() => parseCoverageArgs(['extra'])).toThrow(UsageError);
  });

  test('--status unhealthy filters on the server, pages through the table, lists unhealthy first', async () => {
    const hostile = coverageRecord('i-0bbbbbbbbbbbbbbbb', 'Unhealthy', {
      issue: { kind: 'UNSUPPORTED_KERNEL', message: 'kernel 3.10\u001b[2J\u001b]0;pwned\u0007 is older than 4.14' },
      issues: [{ kind: 'UNSUPPORTED_KERNEL', message: 'x' }],
    });
    mock
      .on(ScanCommand)
      .resolvesOnce({ Items: [coverageRecord('i-0aaaaaaaaaaaaaaaa', 'Healthy')], LastEvaluatedKey: { instanceId: 'i-0aaaaaaaaaaaaaaaa' } })
      .resolvesOnce({ Items: [hostile] });
    const { io, text } = capture();
    expect(await runCoverageCommand({ dynamo }, { table: 'picket-coverage', status: 'unhealthy', output: 'table' }, io)).toBe(0);
    const calls = mock.commandCalls(ScanCommand);
    expect(calls).toHaveLength(2);
    expect(calls[0]!.args[0].input).toEqual({ TableName: 'picket-coverage', FilterExpression: '#status = :status', ExpressionAttributeNames: { '#status': 'status' }, ExpressionAttributeValues: { ':status': 'Unhealthy' } });
    expect(calls[1]!.args[0].input.ExclusiveStartKey).toEqual({ instanceId: 'i-0aaaaaaaaaaaaaaaa' });
    const lines = text().split('\n');
    expect(lines[0]).toMatch(/^INSTANCE +ACCOUNT +STATUS +ISSUE +INSTALL +AGENT +LAST HEARTBEAT +DETAIL$/);
    expect(lines[1]).toMatch(/^i-0bbbbbbbbbbbbbbbb +111122223333 +Unhealthy +UNSUPPORTED_KERNEL +managed +0\.1\.0 +2026-11-29T05:00:00Z/);
    expect(text()).not.toMatch(/\u001b|\u0007/);
    expect(text()).toContain('\\x1b[2J\\x1b]0;pwned\\x07');
    expect(text()).toContain('2 instance(s): 1 healthy, 1 unhealthy');
  });

  test('--output json: one object per instance with account, status, issue, agent version, last heartbeat', async () => {
    mock.on(ScanCommand).resolves({ Items: [coverageRecord('i-0aaaaaaaaaaaaaaaa', 'Healthy')] });
    const { io, text } = capture();
    await runCoverageCommand({ dynamo }, { table: 't-coverage', output: 'json' }, io);
    expect(mock.commandCalls(ScanCommand)[0]!.args[0].input).toEqual({ TableName: 't-coverage' });
    expect(JSON.parse(text())).toEqual([
      expect.objectContaining({ instanceId: 'i-0aaaaaaaaaaaaaaaa', accountId: '111122223333', status: 'Healthy', issue: null, installMode: 'managed', agentVersion: '0.1.0', lastHeartbeat: '2026-11-29T05:00:00.000Z' }),
    ]);
  });

  test('a table that is not the coverage table is an InputError naming it', async () => {
    mock.on(ScanCommand).resolves({ Items: [{ id: 'x', type: 'y' }] });
    await expect(runCoverageCommand({ dynamo }, { table: 'picket-findings', output: 'table' }, capture().io)).rejects.toThrow(InputError);
  });
});

describe('picket findings', () => {
  test('argument parsing: defaults, severity words, and UsageError on bad usage', () => {
    expect(parseFindingsArgs([])).toEqual({ table: 'picket-findings', includeArchived: false, limit: 1000, output: 'table' });
    expect(parseFindingsArgs(['--type', 'Execution:*', '--min-severity', 'High', '--instance', 'i-0123456789abcdef0', '--archived'])).toMatchObject({ type: 'Execution:*', minSeverity: 7, instanceId: 'i-0123456789abcdef0', includeArchived: true });
    expect(parseFindingsArgs(['--min-severity', '5.5']).minSeverity).toBe(5.5);
    for (const bad of [['--min-severity', '11'], ['--min-severity', 'severe'], ['--instance', 'web-1'], ['--type', 'a b'], ['--limit', '0'], ['--output', 'csv'], ['--bogus']]) {
      expect(() => parseFindingsArgs(bad)).toThrow(UsageError);
    }
  });

  test('scan with type prefix, severity and not-archived filters; newest first; table output', async () => {
    mock.on(ScanCommand).resolves({ Items: detected.map(item) });
    const { io, text } = capture();
    await runFindingsCommand({ dynamo }, { table: 'picket-findings', type: 'Execution:*', minSeverity: 7, includeArchived: false, limit: 1000, output: 'table' }, io);
    expect(mock.commandCalls(ScanCommand)[0]!.args[0].input).toEqual({
      TableName: 'picket-findings',
      FilterExpression: 'begins_with(#type, :type) AND #severity >= :minSeverity AND (attribute_not_exists(#archived) OR #archived = :false)',
      ExpressionAttributeNames: { '#type': 'type', '#severity': 'severity', '#archived': 'archived' },
      ExpressionAttributeValues: { ':type': 'Execution:', ':minSeverity': 7, ':false': false },
    });
    const lines = text().split('\n');
    // detected.jsonl: the reverse shell (05:17) is newer than the miner (05:16)
    expect(lines[1]).toContain('Execution:Runtime/ReverseShell');
    expect(lines[2]).toContain('Impact:Runtime/CryptoMinerExecuted');
    expect(text()).toContain('2 finding(s)');
  });

  test('--instance queries the byInstance index newest first; --output json prints the findings', async () => {
    mock.on(QueryCommand).resolves({ Items: detected.map(item) });
    const { io, text } = capture();
    await runFindingsCommand({ dynamo }, { table: 'picket-findings', instanceId: 'i-0000000000000000', includeArchived: true, limit: 1, output: 'json' }, io);
    expect(mock.commandCalls(ScanCommand)).toHaveLength(0);
    expect(mock.commandCalls(QueryCommand)[0]!.args[0].input).toEqual({
      TableName: 'picket-findings',
      IndexName: 'byInstance',
      KeyConditionExpression: '#instanceId = :instanceId',
      ScanIndexForward: false,
      ExpressionAttributeNames: { '#instanceId': 'instanceId' },
      ExpressionAttributeValues: { ':instanceId': 'i-0000000000000000' },
    });
    const printed = JSON.parse(text()) as Finding[];
    expect(printed.map((f) => f.id)).toEqual([detected[0]!.id]);
  });

  test('finding text from the host is escaped in the table', async () => {
    const hostile = { ...detected[0]!, description: 'ran \u001b[31mred\u001b[0m \u009b2J' };
    mock.on(ScanCommand).resolves({ Items: [item(hostile)] });
    const { io, text } = capture();
    await runFindingsCommand({ dynamo }, { table: 'picket-findings', includeArchived: false, limit: 10, output: 'table' }, io);
    expect(text()).not.toMatch(/[\u001b\u009b]/);
    expect(text()).toContain('\\x1b[31mred');
  });

  test('an item whose finding is not JSON is an InputError naming the item', async () => {
    mock.on(ScanCommand).resolves({ Items: [{ id: 'abc', finding: '{broken' }] });
    await expect(runFindingsCommand({ dynamo }, { table: 'picket-findings', includeArchived: false, limit: 10, output: 'json' }, capture().io)).rejects.toThrow(/item "abc": "finding" is not JSON/);
  });
});
