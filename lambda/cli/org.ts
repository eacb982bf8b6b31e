/**
 * Organization views of the CLI (security / management account credentials):
 *   picket org status      — every account and region of the member StackSets with the instance status
 *                            and the coverage % from the org coverage table
 *   picket findings --org  — findings of every member account, from the org findings table
 *   picket coverage --org  — coverage of every member account, from the org coverage table
 * The org tables are written by the org aggregator (lambda/org); their schema is lambda/org/table-schema.ts.
 * Text that came from member accounts (titles, issue kinds, status reasons) is escaped before printing.
 */
import { parseArgs } from 'node:util';
import { CloudFormationClient, ListStackInstancesCommand, type StackInstanceSummary } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { OrgCoverageItem, OrgFindingItem } from '../org/table-schema';
import type { CliIo, Command } from './command';
import { escapeForTerminal } from './render';
import { InputError, UsageError } from './usage-error';

export interface OrgCliClients {
  readonly dynamo: DynamoDBDocumentClient;
  readonly cloudformation: CloudFormationClient;
}

export function createOrgCliClients(region?: string): OrgCliClients {
  const config = region ? { region } : {};
  return { dynamo: DynamoDBDocumentClient.from(new DynamoDBClient(config)), cloudformation: new CloudFormationClient(config) };
}

// ---------------------------------------------------------------------------------------------------
// Reading the org tables and the StackSets
// ---------------------------------------------------------------------------------------------------

async function scanAll<T>(dynamo: DynamoDBDocumentClient, table: string): Promise<T[]> {
  const items: T[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    let page: { Items?: unknown[]; LastEvaluatedKey?: Record<string, unknown> };
    try {
      page = await dynamo.send(new ScanCommand({ TableName: table, ...(start ? { ExclusiveStartKey: start } : {}) }));
    } catch (error) {
      throw new InputError(`cannot read the org table "${table}": ${(error as Error).message} (use the security account's credentials and the table name from the ${table.includes('Coverage') ? 'OrgCoverageTable' : 'OrgFindingsTable'} stack output)`, { cause: error });
    }
    items.push(...((page.Items ?? []) as T[]));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

export interface OrgFindingsQuery {
  readonly minSeverity?: number;
  readonly accountId?: string;
  /** Include archived (suppressed) findings. @default false */
  readonly archived?: boolean;
  /** Most recent first, at most this many. @default 100 */
  readonly limit?: number;
}

/** Aggregated findings, most recently updated first. */
export async function readOrgFindings(dynamo: DynamoDBDocumentClient, table: string, q: OrgFindingsQuery = {}): Promise<OrgFindingItem[]> {
  const items = await scanAll<OrgFindingItem>(dynamo, table);
  return items
    .filter((f) => (q.archived ? true : !f.archived))
    .filter((f) => q.minSeverity === undefined || f.severity >= q.minSeverity)
    .filter((f) => q.accountId === undefined || f.accountId === q.accountId)
    .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))
    .slice(0, q.limit ?? 100);
}

/** Aggregated coverage, by account, region, instance. */
export async function readOrgCoverage(dynamo: DynamoDBDocumentClient, table: string, q: { accountId?: string; status?: 'Healthy' | 'Unhealthy' } = {}): Promise<OrgCoverageItem[]> {
  const items = await scanAll<OrgCoverageItem>(dynamo, table);
  return items
    .filter((c) => q.accountId === undefined || c.accountId === q.accountId)
    .filter((c) => q.status === undefined || c.status === q.status)
    .sort((a, b) => a.accountId.localeCompare(b.accountId) || a.coverageKey.localeCompare(b.coverageKey));
}

/** Every stack instance of a StackSet (all pages). */
export async function listStackSetInstances(cloudformation: CloudFormationClient, stackSetName: string, callAs: 'SELF' | 'DELEGATED_ADMIN'): Promise<StackInstanceSummary[]> {
  const out: StackInstanceSummary[] = [];
  let token: string | undefined;
  do {
    let page: { Summaries?: StackInstanceSummary[]; NextToken?: string };
    try {
      page = await cloudformation.send(new ListStackInstancesCommand({ StackSetName: stackSetName, CallAs: callAs, ...(token ? { NextToken: token } : {}) }));
    } catch (error) {
      throw new InputError(`cannot list the instances of StackSet "${stackSetName}" (call as ${callAs}): ${(error as Error).message}`, { cause: error });
    }
    out.push(...(page.Summaries ?? []));
    token = page.NextToken;
  } while (token);
  return out;
}

// ---------------------------------------------------------------------------------------------------
// org status
// ---------------------------------------------------------------------------------------------------

/** One line of `picket org status --output json`: one account in one region. */
export interface OrgStatusRow {
  readonly accountId: string;
  readonly region: string;
  readonly stackSet: string | null;
  readonly organizationalUnitId: string | null;
  /** CURRENT, OUTDATED, INOPERABLE, or null when the account reports coverage but has no instance. */
  readonly instanceStatus: string | null;
  readonly detailedStatus: string | null;
  readonly statusReason: string | null;
  readonly instances: number;
  readonly healthy: number;
  /** Healthy share of the instances, 0-100, one decimal; null when no instance reported. */
  readonly coveragePercent: number | null;
}

/** Joins StackSet instances and coverage per account and region. Pure. */
export function summarizeOrgStatus(stackSets: readonly { name: string; instances: readonly StackInstanceSummary[] }[], coverage: readonly OrgCoverageItem[]): OrgStatusRow[] {
  const rows = new Map<string, { row: Omit<OrgStatusRow, 'instances' | 'healthy' | 'coveragePercent'>; instances: number; healthy: number }>();
  const keyOf = (account: string, region: string): string => `${account}|${region}`;
  for (const set of stackSets) {
    for (const i of set.instances) {
      if (!i.Account || !i.Region) continue;
      rows.set(keyOf(i.Account, i.Region), {
        row: {
          accountId: i.Account,
          region: i.Region,
          stackSet: set.name,
          organizationalUnitId: i.OrganizationalUnitId ?? null,
          instanceStatus: i.Status ?? null,
          detailedStatus: i.StackInstanceStatus?.DetailedStatus ?? null,
          statusReason: i.StatusReason ?? null,
        },
        instances: 0,
        healthy: 0,
      });
    }
  }
  for (const c of coverage) {
    const key = keyOf(c.accountId, c.region);
    const entry = rows.get(key) ?? {
      row: { accountId: c.accountId, region: c.region, stackSet: null, organizationalUnitId: null, instanceStatus: null, detailedStatus: null, statusReason: null },
      instances: 0,
      healthy: 0,
    };
    entry.instances += 1;
    if (c.status === 'Healthy') entry.healthy += 1;
    rows.set(key, entry);
  }
  return [...rows.values()]
    .map(({ row, instances, healthy }) => ({ ...row, instances, healthy, coveragePercent: instances === 0 ? null : Math.round((healthy / instances) * 1000) / 10 }))
    .sort((a, b) => a.accountId.localeCompare(b.accountId) || a.region.localeCompare(b.region));
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return `${[line(header), ...rows.map(line)].join('\n')}\n`;
}

export function orgStatusTable(rows: readonly OrgStatusRow[]): string {
  const e = (s: string | null): string => (s === null ? '-' : escapeForTerminal(s));
  return table(
    ['ACCOUNT', 'REGION', 'STACKSET', 'STATUS', 'DETAIL', 'INSTANCES', 'HEALTHY', 'COVERAGE'],
    rows.map((r) => [r.accountId, r.region, e(r.stackSet), e(r.instanceStatus), e(r.detailedStatus), String(r.instances), String(r.healthy), r.coveragePercent === null ? '-' : `${r.coveragePercent}%`]),
  );
}

export interface OrgStatusOptions {
  /** StackSet names. @default ['Picket-member'] */
  readonly stackSets: readonly string[];
  readonly callAs: 'SELF' | 'DELEGATED_ADMIN';
  /** Org coverage table (OrgCoverageTable output); absent = no coverage columns filled. */
  readonly coverageTable?: string;
  readonly output: 'table' | 'json';
  readonly region?: string;
}

export const ORG_STATUS_HELP = `Usage: picket org status [--stack-set NAME]… [--call-as SELF|DELEGATED_ADMIN] [--coverage-table NAME]
                         [--output table|json] [--region REGION]

Lists every account and region of the Picket member StackSets (default "Picket-member"; one
--stack-set per scope StackSet, e.g. Picket-member-sandbox) with the stack instance status, and the
coverage % of each from the org coverage table (security-stack output OrgCoverageTable). Run with the
credentials of the account that owns the StackSets (--call-as DELEGATED_ADMIN from a delegated
administrator); reading the coverage table needs read access to it in the security account.`;

const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;

export function parseOrgStatusArgs(args: readonly string[]): OrgStatusOptions {
  let values: Record<string, string | string[] | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: { 'stack-set': { type: 'string', multiple: true }, 'call-as': { type: 'string' }, 'coverage-table': { type: 'string' }, output: { type: 'string' }, region: { type: 'string' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const stackSets = (values['stack-set'] as string[] | undefined) ?? ['Picket-member'];
  for (const s of stackSets) if (!/^[A-Za-z][A-Za-z0-9-]{0,127}$/.test(s)) throw new UsageError(`--stack-set must be a StackSet name (letters, digits, hyphens), got "${s}"`);
  const callAs = (values['call-as'] as string | undefined) ?? 'SELF';
  if (callAs !== 'SELF' && callAs !== 'DELEGATED_ADMIN') throw new UsageError(`--call-as must be SELF or DELEGATED_ADMIN, got "${callAs}"`);
  const output = (values['output'] as string | undefined) ?? 'table';
  if (output !== 'table' && output !== 'json') throw new UsageError(`--output must be table or json, got "${output}"`);
  const coverageTable = values['coverage-table'] as string | undefined;
  if (coverageTable !== undefined && !TABLE_NAME.test(coverageTable)) throw new UsageError(`--coverage-table must be a DynamoDB table name, got "${coverageTable}"`);
  const region = values['region'] as string | undefined;
  return { stackSets, callAs, output, ...(coverageTable ? { coverageTable } : {}), ...(region ? { region } : {}) };
}

export async function runOrgStatusCommand(clients: OrgCliClients, options: OrgStatusOptions, io: Pick<CliIo, 'stdout'>): Promise<number> {
  const stackSets = [];
  for (const name of options.stackSets) stackSets.push({ name, instances: await listStackSetInstances(clients.cloudformation, name, options.callAs) });
  const coverage = options.coverageTable ? await readOrgCoverage(clients.dynamo, options.coverageTable) : [];
  const rows = summarizeOrgStatus(stackSets, coverage);
  io.stdout.write(options.output === 'json' ? rows.map((r) => `${JSON.stringify(r)}\n`).join('') : orgStatusTable(rows));
  return 0;
}

// ---------------------------------------------------------------------------------------------------
// findings --org / coverage --org
// ---------------------------------------------------------------------------------------------------

export interface OrgFindingsOptions extends OrgFindingsQuery {
  readonly table: string;
  readonly output: 'table' | 'json';
  readonly region?: string;
}

export const ORG_FINDINGS_HELP = `Usage: picket findings --org --table NAME [--account ID] [--min-severity N] [--archived] [--limit N]
                       [--output table|json] [--region REGION]

Findings of every member account from the org findings table in the security account (stack output
OrgFindingsTable), most recently updated first. Archived (suppressed) findings only with --archived.`;

export function parseOrgFindingsArgs(args: readonly string[]): OrgFindingsOptions {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...args].filter((a) => a !== '--org'),
      options: { table: { type: 'string' }, account: { type: 'string' }, 'min-severity': { type: 'string' }, archived: { type: 'boolean' }, limit: { type: 'string' }, output: { type: 'string' }, region: { type: 'string' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const tableName = values['table'] as string | undefined;
  if (tableName === undefined || !TABLE_NAME.test(tableName)) throw new UsageError(`--table must name the org findings table (stack output OrgFindingsTable), got ${tableName === undefined ? 'nothing' : `"${tableName}"`}`);
  const account = values['account'] as string | undefined;
  if (account !== undefined && !/^\d{12}$/.test(account)) throw new UsageError(`--account must be a 12-digit account id, got "${account}"`);
  const sev = values['min-severity'] as string | undefined;
  const minSeverity = sev === undefined ? undefined : Number(sev);
  if (minSeverity !== undefined && !(minSeverity >= 1 && minSeverity <= 10)) throw new UsageError(`--min-severity must be a number from 1 to 10, got "${sev}"`);
  const lim = values['limit'] as string | undefined;
  const limit = lim === undefined ? 100 : Number(lim);
  if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit must be a positive integer, got "${lim}"`);
  const output = (values['output'] as string | undefined) ?? 'table';
  if (output !== 'table' && output !== 'json') throw new UsageError(`--output must be table or json, got "${output}"`);
  const region = values['region'] as string | undefined;
  return {
    table: tableName,
    output,
    limit,
    archived: values['archived'] === true,
    ...(account ? { accountId: account } : {}),
    ...(minSeverity !== undefined ? { minSeverity } : {}),
    ...(region ? { region } : {}),
  };
}

export async function runOrgFindingsCommand(clients: Pick<OrgCliClients, 'dynamo'>, options: OrgFindingsOptions, io: Pick<CliIo, 'stdout'>): Promise<number> {
  const findings = await readOrgFindings(clients.dynamo, options.table, options);
  if (options.output === 'json') {
    io.stdout.write(findings.map((f) => `${f.finding ?? JSON.stringify({ ...f, finding: undefined })}\n`).join(''));
    return 0;
  }
  io.stdout.write(
    table(
      ['UPDATED', 'ACCOUNT', 'REGION', 'SEVERITY', 'TYPE', 'INSTANCE', 'TITLE'],
      findings.map((f) => [f.updatedAt, f.accountId, f.region, String(f.severity), escapeForTerminal(f.type), escapeForTerminal(f.instanceId), escapeForTerminal(f.archived ? `[archived: ${f.suppressedBy ?? 'member'}] ${f.title}` : f.title)]),
    ),
  );
  return 0;
}

export interface OrgCoverageOptions {
  readonly table: string;
  readonly accountId?: string;
  readonly status?: 'Healthy' | 'Unhealthy';
  readonly output: 'table' | 'json';
  readonly region?: string;
}

export const ORG_COVERAGE_HELP = `Usage: picket coverage --org --table NAME [--account ID] [--status healthy|unhealthy] [--output table|json] [--region REGION]

Coverage of every member account from the org coverage table in the security account (stack output
OrgCoverageTable): the latest status of each instance, with a per-account summary.`;

export function parseOrgCoverageArgs(args: readonly string[]): OrgCoverageOptions {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...args].filter((a) => a !== '--org'),
      options: { table: { type: 'string' }, account: { type: 'string' }, status: { type: 'string' }, output: { type: 'string' }, region: { type: 'string' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const tableName = values['table'] as string | undefined;
  if (tableName === undefined || !TABLE_NAME.test(tableName)) throw new UsageError(`--table must name the org coverage table (stack output OrgCoverageTable), got ${tableName === undefined ? 'nothing' : `"${tableName}"`}`);
  const account = values['account'] as string | undefined;
  if (account !== undefined && !/^\d{12}$/.test(account)) throw new UsageError(`--account must be a 12-digit account id, got "${account}"`);
  const status = values['status'] as string | undefined;
  if (status !== undefined && status !== 'healthy' && status !== 'unhealthy') throw new UsageError(`--status must be healthy or unhealthy, got "${status}"`);
  const output = (values['output'] as string | undefined) ?? 'table';
  if (output !== 'table' && output !== 'json') throw new UsageError(`--output must be table or json, got "${output}"`);
  const region = values['region'] as string | undefined;
  return {
    table: tableName,
    output,
    ...(account ? { accountId: account } : {}),
    ...(status ? { status: status === 'healthy' ? 'Healthy' : 'Unhealthy' } : {}),
    ...(region ? { region } : {}),
  };
}

export async function runOrgCoverageCommand(clients: Pick<OrgCliClients, 'dynamo'>, options: OrgCoverageOptions, io: Pick<CliIo, 'stdout'>): Promise<number> {
  const items = await readOrgCoverage(clients.dynamo, options.table, { ...(options.accountId ? { accountId: options.accountId } : {}), ...(options.status ? { status: options.status } : {}) });
  if (options.output === 'json') {
    io.stdout.write(items.map((c) => `${JSON.stringify(c)}\n`).join(''));
    return 0;
  }
  const e = (s: string | null): string => (s === null ? '-' : escapeForTerminal(s));
  io.stdout.write(table(['ACCOUNT', 'REGION', 'INSTANCE', 'STATUS', 'ISSUE', 'AGENT', 'LAST HEARTBEAT'], items.map((c) => [c.accountId, c.region, e(c.instanceId), c.status, e(c.issue), e(c.agentVersion), e(c.lastHeartbeatAt)])));
  const summary = summarizeOrgStatus([], items);
  io.stdout.write(`\n${summary.map((r) => `${r.accountId} ${r.region}: ${r.healthy}/${r.instances} healthy (${r.coveragePercent ?? 0}%)`).join('\n')}\n`);
  return 0;
}

// ---------------------------------------------------------------------------------------------------
// The `picket org` command (sub-command `status`)
// ---------------------------------------------------------------------------------------------------

export const orgCommand: Command = {
  name: 'org',
  summary: 'Organization status: StackSet instances per account and region, with coverage %',
  help: ORG_STATUS_HELP,
  async run(args: readonly string[], io: CliIo): Promise<number> {
    const [sub, ...rest] = args;
    if (sub !== 'status') throw new UsageError(`picket org needs a sub-command: status (got ${sub === undefined ? 'nothing' : `"${sub}"`})`);
    const options = parseOrgStatusArgs(rest);
    return runOrgStatusCommand(createOrgCliClients(options.region), options, io);
  },
};
