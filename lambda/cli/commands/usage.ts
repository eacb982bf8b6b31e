/**
 * `picket usage`: the modelled monthly AWS cost of running Picket per instance at several event rates,
 * beside GuardDuty Runtime Monitoring's charge for the same vCPUs.
 */
import { parseArgs } from 'node:util';
import { DEFAULT_WORKLOAD, monthlyCostPerInstance, type WorkloadAssumptions } from '../../domain/cost/model';
import type { Command } from '../command';
import { UsageError } from '../usage-error';

const HELP = `Usage: picket usage [--vcpus N] [--rates 10,100,1000] [--flush-ms MS] [--bytes-per-event B]
                    [--instances-per-vpc N] [--output table|json]

Models Picket's monthly AWS cost per instance (EventBridge, SQS, Lambda, DynamoDB, VPC endpoints) at each
event rate, beside what GuardDuty Runtime Monitoring charges for the same vCPUs (public us-east-1 prices).`;

function positiveNumber(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${name} must be a positive number, got "${value}"`);
  return n;
}

export const usageCommand: Command = {
  name: 'usage',
  summary: 'modelled monthly AWS cost per instance beside GuardDuty Runtime Monitoring',
  help: HELP,
  async run(args, io) {
    let values: Record<string, string | boolean | undefined>;
    try {
      ({ values } = parseArgs({
        args: [...args],
        options: {
          vcpus: { type: 'string' },
          rates: { type: 'string' },
          'flush-ms': { type: 'string' },
          'bytes-per-event': { type: 'string' },
          'instances-per-vpc': { type: 'string' },
          output: { type: 'string' },
        },
        strict: true,
      }));
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    const output = (values.output as string | undefined) ?? 'table';
    if (output !== 'table' && output !== 'json') throw new UsageError(`--output must be table or json, got "${output}"`);
    const rates = ((values.rates as string | undefined) ?? '10,100,1000').split(',').map((r) => positiveNumber('rates', r.trim(), 0));
    const base: WorkloadAssumptions = {
      ...DEFAULT_WORKLOAD,
      vcpus: positiveNumber('vcpus', values.vcpus as string | undefined, DEFAULT_WORKLOAD.vcpus),
      flushIntervalMs: positiveNumber('flush-ms', values['flush-ms'] as string | undefined, DEFAULT_WORKLOAD.flushIntervalMs),
      bytesPerEvent: positiveNumber('bytes-per-event', values['bytes-per-event'] as string | undefined, DEFAULT_WORKLOAD.bytesPerEvent),
      instancesPerVpc: positiveNumber('instances-per-vpc', values['instances-per-vpc'] as string | undefined, DEFAULT_WORKLOAD.instancesPerVpc),
    };
    const rows = rates.map((eventsPerSecond) => ({ eventsPerSecond, ...monthlyCostPerInstance({ ...base, eventsPerSecond }) }));
    if (output === 'json') {
      io.stdout.write(JSON.stringify({ assumptions: base, perInstanceMonth: rows }, null, 2) + '\n');
      return 0;
    }
    const money = (n: number) => `$${n.toFixed(2)}`;
    io.stdout.write(`Per instance-month, ${base.vcpus} vCPUs, flush every ${base.flushIntervalMs} ms, ${base.bytesPerEvent} B/event compressed, ${base.instancesPerVpc} instances per VPC\n`);
    io.stdout.write(['events/s', 'EventBridge', 'SQS', 'Lambda', 'DynamoDB', 'endpoints', 'Picket', 'GuardDuty', 'ratio'].map((h) => h.padStart(12)).join('') + '\n');
    for (const r of rows) {
      const cells = [String(r.eventsPerSecond), money(r.eventBridge), money(r.sqs), money(r.lambda), money(r.dynamodb), money(r.vpcEndpoints), money(r.total), money(r.guardDuty), (r.total / r.guardDuty).toFixed(2)];
      io.stdout.write(cells.map((c) => c.padStart(12)).join('') + '\n');
    }
    return 0;
  },
};
