/**
 * `picket findings [--type T] [--min-severity N] [--instance i-…] [--archived] [--limit N]
 * [--output table|json] [--table NAME] [--region R]`: lists findings from the detector's findings table
 * (items keyed by `id`, attributes instanceId, type, severity, updatedAt, archived, accountId, and
 * `finding` = the finding JSON; GSI `byInstance` on instanceId + updatedAt), newest first.
 * Finding text came from hosts: the table output escapes it.
 */
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { Finding } from '../domain/findings/finding';
import type { CliIo, Command } from './command';
import { findingsTable } from './render';
import { InputError, UsageError } from './usage-error';

export const DEFAULT_FINDINGS_TABLE = 'picket-findings';
export const FINDINGS_BY_INSTANCE = 'byInstance';

export interface FindingsCliClients {
  readonly dynamo: DynamoDBDocumentClient;
}

export interface FindingsCommandOptions {
  readonly table: string;
  /** Exact type, or a prefix ending in `*` (e.g. `Execution:*`). */
  readonly type?: string;
  /** Lowest severity shown (1.0–10.0). */
  readonly minSeverity?: number;
  readonly instanceId?: string;
  /** Also archived (suppressed) findings. @default false */
  readonly includeArchived: boolean;
  /** Most findings printed. @default 1000 */
  readonly limit: number;
  readonly output: 'table' | 'json';
  readonly region?: string;
}

export const FINDINGS_HELP = `Usage: picket findings [--type TYPE] [--min-severity N] [--instance i-…] [--archived] [--limit N]
                      [--output table|json] [--table NAME] [--region REGION]

Lists Picket findings from the findings table (default "${DEFAULT_FINDINGS_TABLE}"; stack output
FindingsTableName), newest first. --type takes an exact type or a prefix ending in * (Execution:*);
--min-severity a number from 1 to 10 or Low / Medium / High / Critical. Archived (suppressed) findings
are left out unless --archived. Uses your AWS credentials.`;

const SEVERITY_WORDS: Record<string, number> = { low: 1, medium: 4, high: 7, critical: 9 };

/** Parses `picket findings` arguments; throws UsageError on bad usage. */
export function parseFindingsArgs(args: readonly string[]): FindingsCommandOptions {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: {
        type: { type: 'string' },
        'min-severity': { type: 'string' },
        instance: { type: 'string' },
        archived: { type: 'boolean' },
        limit: { type: 'string' },
        output: { type: 'string' },
        table: { type: 'string' },
        region: { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const type = values['type'] as string | undefined;
  if (type !== undefined && !/^[A-Za-z0-9]+(:[A-Za-z0-9]*(\/[A-Za-z0-9.!_*-]*)?)?\*?$/.test(type)) {
    throw new UsageError(`--type must be a finding type such as Execution:Runtime/ReverseShell, or a prefix ending in * (Execution:*), got "${type}"`);
  }
  let minSeverity: number | undefined;
  const sev = values['min-severity'] as string | undefined;
  if (sev !== undefined) {
    minSeverity = SEVERITY_WORDS[sev.toLowerCase()] ?? Number(sev);
    if (!Number.isFinite(minSeverity) || minSeverity < 1 || minSeverity > 10 || sev.trim() === '') throw new UsageError(`--min-severity must be a number from 1 to 10 or Low/Medium/High/Critical, got "${sev}"`);
  }
  const instanceId = values['instance'] as string | undefined;
  if (instanceId !== undefined && !/^i-[0-9a-f]{8,17}$/.test(instanceId)) throw new UsageError(`--instance must be an EC2 instance id (i- and 8 or 17 hex digits), got "${instanceId}"`);
  const limitText = (values['limit'] as string | undefined) ?? '1000';
  const limit = Number(limitText);
  if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit must be a positive integer, got "${limitText}"`);
  const output = (values['output'] as string | undefined) ?? 'table';
  if (output !== 'table' && output !== 'json') throw new UsageError(`--output must be table or json, got "${output}"`);
  const table = (values['table'] as string | undefined) ?? DEFAULT_FINDINGS_TABLE;
  if (!/^[A-Za-z0-9_.-]{3,255}$/.test(table)) throw new UsageError(`--table must be a DynamoDB table name, got "${table}"`);
  const region = values['region'] as string | undefined;
  return {
    table,
    includeArchived: values['archived'] === true,
    limit,
    output,
    ...(type !== undefined ? { type } : {}),
    ...(minSeverity !== undefined ? { minSeverity } : {}),
    ...(instanceId !== undefined ? { instanceId } : {}),
    ...(region ? { region } : {}),
  };
}

/** The server-side filter (type, severity, archived) shared by Scan and Query. */
function filterOf(options: FindingsCommandOptions): { FilterExpression?: string; ExpressionAttributeNames?: Record<string, string>; ExpressionAttributeValues?: Record<string, unknown> } {
  const parts: string[] = [];
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  if (options.type !== undefined) {
    names['#type'] = 'type';
    if (options.type.endsWith('*')) {
      parts.push('begins_with(#type, :type)');
      values[':type'] = options.type.slice(0, -1);
    } else {
      parts.push('#type = :type');
      values[':type'] = options.type;
    }
  }
  if (options.minSeverity !== undefined) {
    names['#severity'] = 'severity';
    parts.push('#severity >= :minSeverity');
    values[':minSeverity'] = options.minSeverity;
  }
  if (!options.includeArchived) {
    names['#archived'] = 'archived';
    parts.push('(attribute_not_exists(#archived) OR #archived = :false)');
    values[':false'] = false;
  }
  return parts.length === 0 ? {} : { FilterExpression: parts.join(' AND '), ExpressionAttributeNames: names, ExpressionAttributeValues: values };
}

function parseFinding(item: Record<string, unknown>, table: string): Finding {
  const raw = item['finding'];
  const id = JSON.stringify(item['id'] ?? '?');
  if (typeof raw === 'object' && raw !== null) return raw as Finding;
  if (typeof raw !== 'string') throw new InputError(`table ${table}: item ${id} has no "finding" attribute (is --table the findings table?)`);
  try {
    return JSON.parse(raw) as Finding;
  } catch (error) {
    throw new InputError(`table ${table}: item ${id}: "finding" is not JSON (${(error as Error).message})`, { cause: error });
  }
}

/** Reads matching findings (Query on byInstance with --instance, else Scan), newest first, and prints them. */
export async function runFindingsCommand(clients: FindingsCliClients, options: FindingsCommandOptions, io: Pick<CliIo, 'stdout'>): Promise<number> {
  const filter = filterOf(options);
  const findings: Finding[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = options.instanceId
      ? await clients.dynamo.send(
          new QueryCommand({
            TableName: options.table,
            IndexName: FINDINGS_BY_INSTANCE,
            KeyConditionExpression: '#instanceId = :instanceId',
            ScanIndexForward: false,
            ...filter,
            ExpressionAttributeNames: { ...filter.ExpressionAttributeNames, '#instanceId': 'instanceId' },
            ExpressionAttributeValues: { ...filter.ExpressionAttributeValues, ':instanceId': options.instanceId },
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        )
      : await clients.dynamo.send(new ScanCommand({ TableName: options.table, ...filter, ...(start ? { ExclusiveStartKey: start } : {}) }));
    for (const item of page.Items ?? []) findings.push(parseFinding(item, options.table));
    start = page.LastEvaluatedKey;
  } while (start && (options.instanceId ? findings.length < options.limit : true));
  const shown = findings.sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : a.updatedAt > b.updatedAt ? -1 : b.severity - a.severity)).slice(0, options.limit);
  io.stdout.write(options.output === 'json' ? JSON.stringify(shown, null, 2) + '\n' : findingsTable(shown) + `\n\n${shown.length} finding(s)${findings.length > shown.length ? ` (of ${findings.length}; raise --limit)` : ''}\n`);
  return 0;
}

/** The `picket findings` command for bin/picket.ts. */
export const findingsCommand: Command = {
  name: 'findings',
  summary: 'list and filter findings (deployed account)',
  help: FINDINGS_HELP,
  async run(args, io) {
    const options = parseFindingsArgs(args);
    const dynamo = DynamoDBDocumentClient.from(new DynamoDBClient(options.region ? { region: options.region } : {}));
    return runFindingsCommand({ dynamo }, options, io);
  },
};
