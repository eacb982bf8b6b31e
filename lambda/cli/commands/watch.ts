/**
 * `picket watch`: live local mode. The agent's collector (audit socket or audit.log) and the detector's
 * engine in one process, findings on stdout as they happen. Needs root and a running auditd.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { localInstanceId, startLocalCollector } from '../../../agent-bootstrap/agent/local';
import type { ActivityEvent } from '../../domain/events/runtime-event';
import { severityLabel } from '../../domain/findings/finding';
import type { Command } from '../command';
import { buildEngine } from '../engine-from-files';
import { escapeForTerminal } from '../render';
import { InputError, UsageError } from '../usage-error';

const RULES_FILE = path.resolve(__dirname, '../../../agent-bootstrap/rules/picket.rules');

const HELP = `Usage: picket watch [--reader auto|af_unix|file] [--audit-log PATH] [--load-rules] [--duration SECONDS]
                    [--threat-list [CATEGORY=]FILE]... [--trusted-list FILE]... [--hash-list FILE]...
                    [--rules DIR] [--suppress FILE] [--output jsonl|table] [--no-dns]

Watches this host live: reads the kernel's audit events (auditd's af_unix socket, or by tailing audit.log),
turns them into runtime events and prints findings as they are raised (new findings at once, updates of a
finding at most every 5 minutes). Needs root and a running auditd with Picket's rules loaded
(--load-rules loads agent-bootstrap/rules/picket.rules with auditctl). Where systemd-resolved runs, its DNS
results are watched too (resolvectl monitor; --no-dns leaves them out). Stops on Ctrl-C or after --duration.`;

export const watchCommand: Command = {
  name: 'watch',
  summary: 'live local mode: audit events of this host to findings on stdout',
  help: HELP,
  async run(args, io) {
    let values: Record<string, string | boolean | string[] | undefined>;
    try {
      ({ values } = parseArgs({
        args: [...args],
        options: {
          reader: { type: 'string' },
          'audit-log': { type: 'string' },
          'load-rules': { type: 'boolean' },
          duration: { type: 'string' },
          'threat-list': { type: 'string', multiple: true },
          'trusted-list': { type: 'string', multiple: true },
          'hash-list': { type: 'string', multiple: true },
          rules: { type: 'string' },
          suppress: { type: 'string' },
          output: { type: 'string' },
          'no-dns': { type: 'boolean' },
        },
        strict: true,
      }));
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    const reader = (values.reader as string | undefined) ?? 'auto';
    if (!['auto', 'af_unix', 'file'].includes(reader)) throw new UsageError(`--reader must be auto, af_unix or file, got "${reader}"`);
    const output = (values.output as string | undefined) ?? 'jsonl';
    if (output !== 'jsonl' && output !== 'table') throw new UsageError(`--output must be jsonl or table, got "${output}"`);
    const duration = values.duration === undefined ? undefined : Number(values.duration);
    if (duration !== undefined && !(duration > 0)) throw new UsageError(`--duration must be a number of seconds > 0, got "${String(values.duration)}"`);
    if (process.platform !== 'linux') throw new InputError('picket watch reads the Linux kernel audit trail; run it on a Linux host with auditd');
    if (values['load-rules']) loadAuditRules();

    const warn = (message: string) => io.stderr.write(`picket watch: ${message}\n`);
    const engine = buildEngine(
      {
        threatLists: (values['threat-list'] as string[] | undefined) ?? [],
        trustedLists: (values['trusted-list'] as string[] | undefined) ?? [],
        hashLists: (values['hash-list'] as string[] | undefined) ?? [],
        ...(values.rules ? { rulesDir: values.rules as string } : {}),
        ...(values.suppress ? { suppressFile: values.suppress as string } : {}),
        accountId: '000000000000',
        region: 'local',
        seedIntel: true,
      },
      warn,
    );
    const instanceId = localInstanceId();
    let events = 0;
    let findings = 0;
    const print = (finding: import('../../domain/findings/finding').Finding) => {
      findings++;
      if (output === 'jsonl') {
        io.stdout.write(JSON.stringify(finding) + '\n');
        return;
      }
      const proc = finding.service.runtimeDetails?.process;
      io.stdout.write(
        `${finding.updatedAt} ${severityLabel(finding.severity).padEnd(8)} ${finding.type} x${finding.service.count}` +
          `${proc ? ` pid ${proc.pid} ${escapeForTerminal(proc.executablePath)}` : ''}\n    ${escapeForTerminal(finding.description)}\n`,
      );
    };
    const collector = startLocalCollector(
      {
        instanceId,
        reader: reader as 'auto' | 'af_unix' | 'file',
        startAt: 'end',
        dns: { mode: values['no-dns'] ? 'off' : 'auto' },
        ...(values['audit-log'] ? { auditLogPath: values['audit-log'] as string } : {}),
      },
      (event) => {
        if (event.kind === 'heartbeat') return;
        events++;
        for (const update of engine.process(event as ActivityEvent)) if (update.publish) print(update.finding);
      },
    );
    warn(`watching ${instanceId} (reader ${reader}); findings on stdout, Ctrl-C to stop`);
    const flushTimer = setInterval(() => {
      for (const update of engine.flushDue(Date.now())) if (update.publish) print(update.finding);
    }, 10_000);
    flushTimer.unref();
    const stop = () => void collector.stop();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    const timer = duration ? setTimeout(stop, duration * 1000) : undefined;
    try {
      await collector.done;
    } finally {
      clearInterval(flushTimer);
      if (timer) clearTimeout(timer);
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
    warn(`stopped: ${events} events, ${findings} findings printed`);
    return 0;
  },
};

function loadAuditRules(): void {
  if (!existsSync(RULES_FILE)) throw new InputError(`${RULES_FILE}: Picket's audit rules are missing from this checkout`);
  try {
    execFileSync('auditctl', ['-R', RULES_FILE], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    throw new InputError(`auditctl -R ${RULES_FILE} failed (are you root, is auditd installed?): ${stderr || (error as Error).message}`, { cause: error });
  }
}
