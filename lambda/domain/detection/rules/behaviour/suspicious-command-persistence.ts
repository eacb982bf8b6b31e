/**
 * Persistence:Runtime/SuspiciousCommand — a persistence mechanism installed from a command line with
 * no person at a terminal: a crontab loaded from stdin or a file (`… | crontab -`), a service
 * enabled (`systemctl enable`, `update-rc.d … defaults`, `chkconfig … on`), or a line appended to a
 * cron, systemd, boot, shell start-up or authorized_keys file (`echo … >> /etc/crontab`). Medium; High
 * from a foothold; Low at a terminal; not reported under package or configuration management.
 */
import type { ActivityEvent } from '../../../events/runtime-event';
import { sensitiveCategory } from '../../knowledge/sensitive-paths';
import { type DetectionRule, type FindingCandidate, NO_FINDINGS, type RuleContext } from '../../rule';
import { type CommandView, commandsOf } from './support/command-view';
import { compact } from './support/compact';
import { footholdReason } from './support/foothold';
import { commandLine, isAdminToolingLineage, isInteractive, processName } from './support/process-context';

const TYPE = 'Persistence:Runtime/SuspiciousCommand';
const PERSISTENCE_PROGRAMS: ReadonlySet<string> = new Set(['crontab', 'systemctl', 'update-rc.d', 'chkconfig']);
const PERSISTENCE_FILES: ReadonlySet<string> = new Set(['cron', 'systemd-unit', 'rc-local', 'shell-profile', 'ssh-keys', 'module-config']);

export const suspiciousCommandPersistence: DetectionRule = {
  id: 'suspicious-command-persistence',
  kinds: ['process_exec'],
  types: [TYPE],
  evaluate(event: ActivityEvent, ctx: RuleContext): readonly FindingCandidate[] {
    if (event.kind !== 'process_exec' || event.success === false) return NO_FINDINGS;
    let technique: string | undefined;
    for (const c of commandsOf(event).commands) {
      // Exact prefilter: only these programs or a redirect can match.
      if (c.redirects.length === 0 && !PERSISTENCE_PROGRAMS.has(c.name)) continue;
      technique = crontabInstall(c) ?? serviceEnable(c) ?? persistenceAppend(c);
      if (technique) break;
    }
    if (!technique || isAdminToolingLineage(event)) return NO_FINDINGS;
    const foothold = footholdReason(event, ctx);
    const severity = isInteractive(event) ? 2 : foothold ? 8 : 5;
    return [
      {
        type: TYPE,
        severity,
        aggregationKey: `${technique}|${event.process.exe}`,
        description: `${processName(event)} (pid ${event.process.pid}): ${technique}${foothold ? `; ${foothold}` : ''}: ${commandLine(event.process.argv, 200)}`,
        context: compact({ commandLineExample: commandLine(event.process.argv, 500), technique }),
      },
    ];
  },
};

function crontabInstall(c: CommandView): string | undefined {
  if (c.name !== 'crontab') return undefined;
  const args = c.argv.slice(1);
  // -l lists, -r removes, -e opens an editor (a person); a file or "-" installs a whole table.
  if (args.some((a) => a === '-l' || a === '-r' || a === '-e' || a === '-i' || a === '-V')) return undefined;
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === '-u') i++;
    else if (a === '-' || !a.startsWith('-')) positional.push(a);
  }
  const from = positional[0];
  return `crontab installed from ${from === undefined || from === '-' ? 'stdin' : from}`;
}

function serviceEnable(c: CommandView): string | undefined {
  const args = c.argv.slice(1);
  if (c.name === 'systemctl' && (args.includes('enable') || args.includes('link') || args.includes('preset'))) {
    const unit = args.find((a) => !a.startsWith('-') && a !== 'enable' && a !== 'link' && a !== 'preset' && a !== '--now');
    return `service enabled at boot (${unit ?? 'unit'})`;
  }
  if (c.name === 'update-rc.d' && args.some((a) => a === 'defaults' || a === 'enable')) return `init script enabled (${args[0] ?? ''})`;
  if (c.name === 'chkconfig' && args.includes('on')) return `init script enabled (${args[0] ?? ''})`;
  return undefined;
}

function persistenceAppend(c: CommandView): string | undefined {
  const r = c.redirects.find((x) => x.op.includes('>') && PERSISTENCE_FILES.has(sensitiveCategory(x.target) ?? ''));
  return r ? `persistence file written from a command line (${r.target})` : undefined;
}
