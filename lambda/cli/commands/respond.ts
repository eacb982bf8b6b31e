/**
 * `picket respond` (offline isolation plan), `picket isolate` and `picket release` (a deployed account,
 * with the operator's AWS credentials). The logic lives in ../respond.ts; this file only parses options.
 */
import { readFileSync } from 'node:fs';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { FindingInputError, ResponseConfigError } from '../../domain/isolation/errors';

import { createResponderClients } from '../../responder/clients';
import type { Command } from '../command';
import { ApprovalError, approveIsolation, formatPlanJson, formatPlanTable, isolateInstance, planFromFindingFile, releaseInstance } from '../respond';
import { InputError, UsageError } from '../usage-error';

function parse(args: readonly string[], options: NonNullable<ParseArgsConfig['options']>, allowPositionals = false) {
  try {
    return parseArgs({ args: [...args], options, allowPositionals, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function required(values: Record<string, unknown>, name: string, hint: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value.length === 0) throw new UsageError(`--${name} is required (${hint})`);
  return value;
}

const INSTANCE_ID = /^i-[0-9a-f]{8,17}$/;

function instanceArg(positionals: readonly string[]): string {
  const id = positionals[0];
  if (!id) throw new UsageError('an instance id is required, e.g. i-0123456789abcdef0');
  if (!INSTANCE_ID.test(id)) throw new UsageError(`"${id}" is not an EC2 instance id (i-0123456789abcdef0)`);
  if (positionals.length > 1) throw new UsageError(`unexpected argument "${positionals[1]}"`);
  return id;
}

export const respondCommand: Command = {
  name: 'respond',
  summary: 'print the ordered isolation plan for a finding (dry run, no AWS calls)',
  help: `Usage: picket respond --finding FILE --dry-run [--output table|json] [--min-severity N] [--max-age-minutes N]

Builds the isolation plan for a finding (a GuardDuty-shaped finding, a Picket or GuardDuty EventBridge event)
from the instance details inside it, applying the same refusals as the deployed responder (exemption tag,
terminated instance, stale finding, severity and type filters). Nothing is sent to AWS.`,
  async run(args, io) {
    const { values } = parse(args, {
      finding: { type: 'string' },
      'dry-run': { type: 'boolean' },
      output: { type: 'string' },
      'min-severity': { type: 'string' },
      'max-age-minutes': { type: 'string' },
    });
    const file = required(values, 'finding', 'a finding JSON file');
    if (!values['dry-run']) throw new UsageError('--dry-run is required: `picket respond` only plans; use `picket isolate` against a deployed account');
    const output = (values.output as string | undefined) ?? 'table';
    if (output !== 'table' && output !== 'json') throw new UsageError(`--output must be table or json, got "${output}"`);
    const config: Record<string, number> = {};
    for (const [flag, key] of [['min-severity', 'minSeverity'], ['max-age-minutes', 'maxFindingAgeMinutes']] as const) {
      const raw = values[flag] as string | undefined;
      if (raw === undefined) continue;
      const n = Number(raw);
      if (!Number.isFinite(n) || n < 0) throw new UsageError(`--${flag} must be a number >= 0, got "${raw}"`);
      config[key] = n;
    }
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(file === '-' ? 0 : file, 'utf8'));
    } catch (error) {
      throw new InputError(`${file}: cannot read the finding as JSON (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, { cause: error });
    }
    let result: ReturnType<typeof planFromFindingFile>;
    try {
      result = planFromFindingFile(json, { source: file, config });
    } catch (error) {
      if (error instanceof FindingInputError) throw new InputError(error.message, { cause: error });
      if (error instanceof ResponseConfigError) throw new UsageError(error.message);
      throw error;
    }
    io.stdout.write(output === 'json' ? formatPlanJson(result) : formatPlanTable(result));
    return 0;
  },
};

export const isolateCommand: Command = {
  name: 'isolate',
  summary: 'isolate an instance, or answer a pending approval, in a deployed account',
  help: `Usage: picket isolate INSTANCE_ID --state-machine-arn ARN --reason TEXT [--dry-run]
       picket isolate INSTANCE_ID --approve|--reject --state-machine-arn ARN --state-table NAME [--reason TEXT]

Starts the deployed isolation workflow for an operator request (same exemptions, account checks and rate
limit as for findings), or approves/rejects an isolation waiting in approval mode. The ARN and table name are
the stack outputs ResponderStateMachineArn and ResponderStateTable. Uses your AWS credentials and region.`,
  async run(args, io) {
    const { values, positionals } = parse(
      args,
      {
        'state-machine-arn': { type: 'string' },
        'state-table': { type: 'string' },
        reason: { type: 'string' },
        approve: { type: 'boolean' },
        reject: { type: 'boolean' },
        'dry-run': { type: 'boolean' },
        region: { type: 'string' },
      },
      true,
    );
    const instanceId = instanceArg(positionals);
    const region = values.region as string | undefined;
    const operator = process.env.USER ?? 'operator';
    if (values.approve || values.reject) {
      if (values.approve && values.reject) throw new UsageError('--approve and --reject are exclusive');
      const stateTable = required(values, 'state-table', 'stack output ResponderStateTable');
      const sfn = new SFNClient(region ? { region } : {});
      const dynamo = DynamoDBDocumentClient.from(new DynamoDBClient(region ? { region } : {}));
      try {
        const r = await approveIsolation({ sfn, dynamo }, { stateTable, instanceId, approve: Boolean(values.approve), operator, ...(values.reason ? { reason: values.reason as string } : {}) });
        io.stdout.write(`${r.approved ? 'approved' : 'rejected'} isolation of ${r.instanceId} for finding ${r.findingId}\n`);
        return 0;
      } catch (error) {
        if (error instanceof ApprovalError) throw new InputError(error.message, { cause: error });
        throw error;
      }
    }
    const stateMachineArn = required(values, 'state-machine-arn', 'stack output ResponderStateMachineArn');
    const reason = required(values, 'reason', 'why the instance is isolated; it is recorded');
    const sfn = new SFNClient(region ? { region } : {});
    const { executionArn } = await isolateInstance({ sfn }, { stateMachineArn, instanceId, reason, requestedBy: operator, dryRun: Boolean(values['dry-run']) });
    io.stdout.write(`started ${values['dry-run'] ? 'dry-run ' : ''}isolation of ${instanceId}: ${executionArn}\n`);
    return 0;
  },
};

export const releaseCommand: Command = {
  name: 'release',
  summary: 'restore an isolated instance to its recorded pre-isolation state',
  help: `Usage: picket release INSTANCE_ID --state-table NAME --event-bus NAME [--keep-credential-deny] [--force]

Restores security groups per ENI, the instance profile and Auto Scaling membership recorded before isolation,
and removes the credential deny; protection and snapshots stay. Uses your AWS credentials and region.`,
  async run(args, io) {
    const { values, positionals } = parse(
      args,
      { 'state-table': { type: 'string' }, 'event-bus': { type: 'string' }, 'keep-credential-deny': { type: 'boolean' }, force: { type: 'boolean' }, region: { type: 'string' } },
      true,
    );
    const instanceId = instanceArg(positionals);
    const stateTable = required(values, 'state-table', 'stack output ResponderStateTable');
    const eventBusName = required(values, 'event-bus', 'stack output FindingsBusName');
    const result = await releaseInstance(createResponderClients(values.region as string | undefined), instanceId, {
      stateTable,
      eventBusName,
      keepCredentialDeny: Boolean(values['keep-credential-deny']),
      force: Boolean(values.force),
    });
    io.stdout.write(JSON.stringify(result, null, 2) + '\n');
    return 0;
  },
};
