/**
 * `picket coverage [--status healthy|unhealthy] [--output table|json] [--table NAME] [--region R]`:
 * every instance in the coverage table with account, status, issue, install mode, agent version and last
 * heartbeat. Text that came from instances (agent version, OS, issue messages quoting them) is escaped.
 */
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { CoverageRecord } from '../domain/coverage/record';
import type { CliIo, Command } from './command';
import { escapeForTerminal } from './render';
import { InputError, UsageError } from './usage-error';

export const DEFAULT_COVERAGE_TABLE = 'picket-coverage';

export interface CoverageCliClients {
  readonly dynamo: DynamoDBDocumentClient;
}

export interface CoverageCommandOptions {
  /** Coverage table name. */
  readonly table: string;
  /** Only instances with this status. @default - all */
  readonly status?: 'healthy' | 'unhealthy';
  readonly output: 'table' | 'json';
  readonly region?: string;
}

/** One line of `picket coverage --output json`. */
export interface CoverageRow {
  readonly instanceId: string;
  readonly accountId: string;
  readonly region: string;
  readonly status: string;
  readonly issue: string | null;
  readonly message: string | null;
  readonly issues: readonly { readonly kind: string; readonly message: string }[];
  readonly installMode: string;
  readonly agentVersion: string | null;
  readonly lastHeartbeat: string | null;
  readonly statusSince: string;
  readonly platform: string | null;
}

export const COVERAGE_HELP = `Usage: picket coverage [--status healthy|unhealthy] [--output table|json] [--table NAME] [--region REGION]

Lists every instance Picket covers, with account, status (Healthy / Unhealthy), the issue to fix first,
install mode (managed by SSM or manual), agent version and last heartbeat. Reads the coverage table
(stack output CoverageTableName; default "${DEFAULT_COVERAGE_TABLE}") with your AWS credentials.
Issue kinds and remedies: docs/coverage.md.`;

/** Parses `picket coverage` arguments; throws UsageError on bad usage. */
export function parseCoverageArgs(args: readonly string[]): CoverageCommandOptions {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: [...args], options: { status: { type: 'string' }, output: { type: 'string' }, table: { type: 'string' }, region: { type: 'string' } }, strict: true, allowPositionals: false }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const status = values['status'] as string | undefined;
  if (status !== undefined && status !== 'healthy' && status !== 'unhealthy') throw new UsageError(`--status must be healthy or unhealthy, got "${status}"`);
  const output = (values['output'] as string | undefined) ?? 'table';
  if (output !== 'table' && output !== 'json') throw new UsageError(`--output must be table or json, got "${output}"`);
  const table = (values['table'] as string | undefined) ?? DEFAULT_COVERAGE_TABLE;
  if (!/^[A-Za-z0-9_.-]{3,255}$/.test(table)) throw new UsageError(`--table must be a DynamoDB table name (3-255 of A-Z a-z 0-9 _ . -), got "${table}"`);
  const region = values['region'] as string | undefined;
  return { table, output, ...(status ? { status } : {}), ...(region ? { region } : {}) };
}

function toRow(r: CoverageRecord): CoverageRow {
  return {
    instanceId: r.instanceId,
    accountId: r.accountId,
    region: r.region,
    status: r.status,
    issue: r.issue?.kind ?? null,
    message: r.issue?.message ?? null,
    issues: r.issues ?? [],
    installMode: r.installMode ?? 'unknown',
    agentVersion: r.heartbeat?.agentVersion ?? null,
    lastHeartbeat: r.heartbeat?.receivedAt ?? null,
    statusSince: r.statusSince,
    platform: r.infra?.platform ?? r.heartbeat?.os ?? null,
  };
}

function cell(text: string, width: number): string {
  const safe = escapeForTerminal(text);
  return safe.length > width ? safe.slice(0, width - 1) + '…' : safe.padEnd(width);
}

export function coverageTable(rows: readonly CoverageRow[]): string {
  const header = ['INSTANCE'.padEnd(20), 'ACCOUNT'.padEnd(12), 'STATUS'.padEnd(9), 'ISSUE'.padEnd(29), 'INSTALL'.padEnd(7), 'AGENT'.padEnd(10), 'LAST HEARTBEAT'.padEnd(20), 'DETAIL'].join(' ');
  const lines = rows.map((r) =>
    [
      cell(r.instanceId, 20),
      cell(r.accountId, 12),
      cell(r.status, 9),
      cell(r.issue ?? '-', 29),
      cell(r.installMode, 7),
      cell(r.agentVersion ?? '-', 10),
      cell(r.lastHeartbeat ? r.lastHeartbeat.replace(/\.\d+Z$/, 'Z') : 'never', 20),
      escapeForTerminal(r.message ?? '').slice(0, 160),
    ].join(' '),
  );
  const healthy = rows.filter((r) => r.status === 'Healthy').length;
  return [header, ...lines, '', `${rows.length} instance(s): ${healthy} healthy, ${rows.length - healthy} unhealthy`].join('\n');
}

/** Reads the coverage table (all pages) and prints it. Resolves to the exit code. */
export async function runCoverageCommand(clients: CoverageCliClients, options: CoverageCommandOptions, io: Pick<CliIo, 'stdout'>): Promise<number> {
  const records: CoverageRecord[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await clients.dynamo.send(
      new ScanCommand({
        TableName: options.table,
        ...(options.status ? { FilterExpression: '#status = :status', ExpressionAttributeNames: { '#status': 'status' }, ExpressionAttributeValues: { ':status': options.status === 'healthy' ? 'Healthy' : 'Unhealthy' } } : {}),
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    for (const item of page.Items ?? []) {
      if (typeof item['instanceId'] !== 'string' || typeof item['status'] !== 'string') {
        throw new InputError(`table ${options.table}: item ${JSON.stringify(item['instanceId'] ?? '?')} is not a coverage record (is --table the coverage table?)`);
      }
      records.push(item as unknown as CoverageRecord);
    }
    start = page.LastEvaluatedKey;
  } while (start);
  const rows = records.map(toRow).sort((a, b) => (a.status === b.status ? a.instanceId.localeCompare(b.instanceId) : a.status === 'Unhealthy' ? -1 : 1));
  io.stdout.write(options.output === 'json' ? JSON.stringify(rows, null, 2) + '\n' : coverageTable(rows) + '\n');
  return 0;
}

/** The `picket coverage` command for bin/picket.ts. */
export const coverageCommand: Command = {
  name: 'coverage',
  summary: 'per-instance coverage: Healthy / Unhealthy and why (deployed account)',
  help: COVERAGE_HELP,
  async run(args, io) {
    const options = parseCoverageArgs(args);
    const dynamo = DynamoDBDocumentClient.from(new DynamoDBClient(options.region ? { region: options.region } : {}));
    return runCoverageCommand({ dynamo }, options, io);
  },
};
