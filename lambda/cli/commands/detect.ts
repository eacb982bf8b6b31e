/**
 * `picket detect`: the detection engine over a file (or stdin) of audit records, runtime events,
 * Route 53 Resolver query logs or VPC Flow Logs. Streams the input in constant memory; prints one
 * finding per line (its final state: repeats are aggregated into `service.count`).
 */
import { readdirSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Finding } from '../../domain/findings/finding';
import type { DetectionEngine, FindingUpdate } from '../../domain/detection/engine';
import type { Command } from '../command';
import { buildEngine, type EngineFileOptions } from '../engine-from-files';
import { createDecoder } from '../event-decoders';
import { INPUT_FORMATS, type InputFormat, sniffFormat } from '../input-format';
import { type LineSource, openLineSource } from '../line-source';
import { startProgress } from '../progress';
import { findingsTable } from '../render';
import { InputError, UsageError } from '../usage-error';

const HELP = `Usage: picket detect --input FILE|- [--format auditd|events|resolver|flowlogs]
                     [--threat-list [CATEGORY=]FILE]... [--trusted-list FILE]... [--hash-list FILE]...
                     [--rules DIR] [--suppress FILE] [--output jsonl|json|table]
                     [--instance-id ID] [--account-id ID] [--region NAME] [--no-seed-intel]

Runs Picket's detection engine on a log and prints the findings (GuardDuty finding shape).
  --input        audit log (RAW or ENRICHED, any rule set), runtime-event JSON lines, Route 53 Resolver
                 query log JSON lines, or VPC Flow Log records (default or custom format with header); - for stdin
  --format       the input format; guessed from the first record when omitted
  --threat-list  extra threat list (one IP, CIDR or domain per line, # comments); CATEGORY is one of
                 c2, mining_pool, tor_relay, tor_client, blackhole, drop_point, drive_by, phishing, malicious, custom
  --trusted-list addresses and domains never to raise intel findings for (trusted beats threat)
  --hash-list    SHA-256 list of malicious executables (MaliciousFileExecuted.Custom)
  --rules        directory of Sigma rules (.yml) raising Custom:Runtime/<RuleName> findings
  --suppress     JSON suppression rules (GuardDuty filter semantics); matching findings are archived, not printed
  --output       jsonl (default: one finding per line), json (an array) or table
  --instance-id  instance a raw audit log is attributed to (default i-0000000000000000)
Exit status: 0 done (with or without findings), 1 unreadable or malformed input (file:line on stderr;
everything readable is still processed), 2 bad usage.`;

const OUTPUTS = ['jsonl', 'json', 'table'] as const;
type Output = (typeof OUTPUTS)[number];

export interface DetectOptions extends EngineFileOptions {
  readonly input: string;
  readonly format?: InputFormat;
  readonly output: Output;
  readonly instanceId: string;
}

function parseDetectArgs(args: readonly string[]): DetectOptions {
  let values: Record<string, string | boolean | string[] | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: [...args],
      options: {
        input: { type: 'string', short: 'i' },
        format: { type: 'string', short: 'f' },
        'threat-list': { type: 'string', multiple: true },
        'trusted-list': { type: 'string', multiple: true },
        'hash-list': { type: 'string', multiple: true },
        rules: { type: 'string' },
        suppress: { type: 'string' },
        output: { type: 'string', short: 'o' },
        'instance-id': { type: 'string' },
        'account-id': { type: 'string' },
        region: { type: 'string' },
        'no-seed-intel': { type: 'boolean' },
      },
      allowPositionals: true,
      strict: true,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}" (did you mean --input ${positionals[0]}?)`);
  const input = values.input as string | undefined;
  if (!input) throw new UsageError('--input FILE is required (use - for stdin)');
  const format = values.format as string | undefined;
  if (format !== undefined && !(INPUT_FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`--format must be one of ${INPUT_FORMATS.join(', ')}, got "${format}"`);
  }
  const output = (values.output as string | undefined) ?? 'jsonl';
  if (!(OUTPUTS as readonly string[]).includes(output)) throw new UsageError(`--output must be one of ${OUTPUTS.join(', ')}, got "${output}"`);
  const instanceId = (values['instance-id'] as string | undefined) ?? 'i-0000000000000000';
  if (!/^i-[0-9a-f]{8,17}$/.test(instanceId)) throw new UsageError(`--instance-id must look like i-0123456789abcdef0, got "${instanceId}"`);
  const accountId = (values['account-id'] as string | undefined) ?? '000000000000';
  if (!/^\d{12}$/.test(accountId)) throw new UsageError(`--account-id must be 12 digits, got "${accountId}"`);
  return {
    input,
    ...(format ? { format: format as InputFormat } : {}),
    threatLists: (values['threat-list'] as string[] | undefined) ?? [],
    trustedLists: (values['trusted-list'] as string[] | undefined) ?? [],
    hashLists: (values['hash-list'] as string[] | undefined) ?? [],
    ...(values.rules ? { rulesDir: values.rules as string } : {}),
    ...(values.suppress ? { suppressFile: values.suppress as string } : {}),
    output: output as Output,
    instanceId,
    accountId,
    region: (values.region as string | undefined) ?? 'local',
    seedIntel: !values['no-seed-intel'],
  };
}

export interface DetectResult {
  readonly findings: readonly Finding[];
  readonly archived: number;
  readonly events: number;
  readonly malformed: number;
  readonly format: InputFormat;
}

/** Reads the whole source through the engine; findings in order of first appearance, final state. */
export async function detectFromSource(source: LineSource, options: DetectOptions, engine: DetectionEngine, onIssue: (where: string) => void): Promise<DetectResult> {
  let format = options.format;
  let decoder = format ? createDecoder(format, { instanceId: options.instanceId }) : undefined;
  const findings = new Map<string, Finding>();
  let archived = 0;
  let events = 0;
  let reported = 0;
  const recordFinal = (updates: Iterable<FindingUpdate>) => {
    for (const update of updates) {
      if (update.archived) {
        if (update.change === 'created') archived++;
        findings.delete(update.finding.id);
        continue;
      }
      findings.set(update.finding.id, update.finding);
    }
  };
  const consume = (batch: readonly import('../../domain/events/runtime-event').ActivityEvent[]) => {
    for (const event of batch) {
      events++;
      recordFinal(engine.process(event));
    }
  };
  const reportNewIssues = () => {
    if (!decoder) return;
    const { kept } = decoder.issues();
    for (; reported < kept.length; reported++) onIssue(`${source.name}:${kept[reported]!.line}: ${kept[reported]!.message}`);
  };
  for await (const { text, lineNo } of source.lines()) {
    if (!decoder) {
      format = sniffFormat(text);
      if (!format) {
        if (text.trim().length === 0 || text.trim().startsWith('#')) continue;
        throw new InputError(`${source.name}:${lineNo}: cannot tell the input format from this line; pass --format (${INPUT_FORMATS.join(', ')})`);
      }
      decoder = createDecoder(format, { instanceId: options.instanceId });
    }
    consume(decoder.push(text, lineNo));
    reportNewIssues();
  }
  if (!decoder) throw new InputError(`${source.name}: no records found (empty input)`);
  consume(decoder.flush());
  recordFinal(engine.takeFolded());
  reportNewIssues();
  const { total } = decoder.issues();
  if (total > reported) onIssue(`${source.name}: ${total - reported} more malformed line(s) not shown`);
  return { findings: [...findings.values()], archived, events, malformed: total, format: format! };
}

export const detectCommand: Command = {
  name: 'detect',
  summary: 'run the detection engine on an audit log, runtime events, resolver or flow logs',
  help: HELP,
  async run(args, io) {
    const options = parseDetectArgs(args);
    const warn = (message: string) => io.stderr.write(`picket detect: ${message}\n`);
    const engine = buildEngine(options, warn);
    const source = openLineSource(options.input, io.stdin);
    const progress = io.stderrIsTty ? startProgress(source, io.stderr) : undefined;
    let result: DetectResult;
    try {
      result = await detectFromSource(source, options, engine, (where) => {
        progress?.clear();
        io.stderr.write(`picket detect: malformed input: ${where}\n`);
      });
    } finally {
      progress?.stop();
    }
    if (options.output === 'jsonl') for (const f of result.findings) io.stdout.write(JSON.stringify(f) + '\n');
    else if (options.output === 'json') io.stdout.write(JSON.stringify(result.findings, null, 2) + '\n');
    else io.stdout.write(findingsTable(result.findings) + '\n');
    io.stderr.write(
      `picket detect: ${result.events} events (${result.format}) from ${source.name}, ${result.findings.length} findings` +
        `${result.archived ? `, ${result.archived} archived by suppression` : ''}${result.malformed ? `, ${result.malformed} malformed line(s)` : ''}\n`,
    );
    return result.malformed > 0 ? 1 : 0;
  },
};

/** For tests: the names of files a rules directory holds. */
export function listRuleFiles(dir: string): string[] {
  return readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));
}
