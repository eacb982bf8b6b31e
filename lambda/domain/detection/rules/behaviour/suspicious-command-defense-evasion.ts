/**
 * DefenseEvasion:Runtime/SuspiciousCommand — covering tracks: shell history disabled or wiped
 * (`unset HISTFILE`, `history -c`, `rm ~/.bash_history`, `ln -sf /dev/null ~/.bash_history`), logs
 * deleted or emptied (`rm`/`shred`/`truncate` of /var/log files, `journalctl --vacuum-*`), or
 * security tooling stopped (`systemctl stop auditd`, `auditctl -e 0`, `setenforce 0`, killing an
 * agent). Package and configuration management (maintainer scripts restart services) are not
 * reported; a person at a terminal is Medium, anything else High.
 */
import type { ActivityEvent } from '../../../events/runtime-event';
import { SECURITY_SERVICES, STOP_VERBS } from '../../knowledge/commands';
import { baseName } from '../../knowledge/names';
import { sensitiveCategory } from '../../knowledge/sensitive-paths';
import { type DetectionRule, type FindingCandidate, NO_FINDINGS, type RuleContext } from '../../rule';
import { type CommandView, commandsOf } from './support/command-view';
import { compact } from './support/compact';
import { commandLine, isAdminToolingLineage, isInteractive, processName } from './support/process-context';

const TYPE = 'DefenseEvasion:Runtime/SuspiciousCommand';
const DESTROYERS: ReadonlySet<string> = new Set(['rm', 'shred', 'truncate', 'unlink', 'srm', 'wipe', 'ln', 'cp', 'mv', 'dd']);
const HISTORY_VARS = /^(?:HISTFILE|HISTSIZE|HISTFILESIZE|HISTCONTROL)$/;

export const suspiciousCommandDefenseEvasion: DetectionRule = {
  id: 'suspicious-command-defense-evasion',
  kinds: ['process_exec'],
  types: [TYPE],
  evaluate(event: ActivityEvent, _ctx: RuleContext): readonly FindingCandidate[] {
    if (event.kind !== 'process_exec' || event.success === false) return NO_FINDINGS;
    const { commands } = commandsOf(event);
    let technique: string | undefined;
    for (const c of commands) {
      if (!mayEvade(c)) continue;
      technique = historyTampering(c) ?? logTampering(c) ?? securityStop(c);
      if (technique) break;
    }
    if (!technique || isAdminToolingLineage(event)) return NO_FINDINGS;
    return [
      {
        type: TYPE,
        ...(isInteractive(event) ? { severity: 5 } : {}),
        aggregationKey: `${technique}|${event.process.exe}`,
        description: `${processName(event)} (pid ${event.process.pid}): ${technique}: ${commandLine(event.process.argv, 200)}`,
        context: compact({ commandLineExample: commandLine(event.process.argv, 500), technique }),
      },
    ];
  },
};

/** Every program name the checks below look at: anything else can only matter through a redirect or assignment. */
const EVASION_PROGRAMS: ReadonlySet<string> = new Set([
  ...DESTROYERS,
  ...['unset', 'export', 'set', 'history', 'journalctl', ':', 'true', 'echo', 'printf', 'cat'],
  ...['systemctl', 'service', 'rc-service', 'chkconfig', 'update-rc.d', 'auditctl', 'setenforce', 'ufw', 'pkill', 'killall', 'aa-teardown', 'apparmor_parser'],
]);

/** Cheap exact prefilter: false when none of historyTampering, logTampering, securityStop can match. */
function mayEvade(c: CommandView): boolean {
  return c.redirects.length > 0 || c.assignments.length > 0 || EVASION_PROGRAMS.has(c.name);
}

const isLog = (t: string) => t.startsWith('/var/log/') && sensitiveCategory(t) === 'logs';

function targets(c: CommandView): string[] {
  return [...c.argv.slice(1).filter((a) => !a.startsWith('-')), ...c.redirects.filter((r) => r.op.includes('>')).map((r) => r.target)];
}

function historyTampering(c: CommandView): string | undefined {
  if (c.name === 'unset' && c.argv.slice(1).some((a) => HISTORY_VARS.test(a))) return 'shell history disabled';
  if ((c.name === 'export' || c.name === 'set') && c.argv.slice(1).some((a) => /^(?:HISTFILE=\/dev\/null|HISTSIZE=0|HISTFILESIZE=0|\+o)$/.test(a) || a === 'history')) {
    return 'shell history disabled';
  }
  if (c.assignments.some((a) => (a.name === 'HISTFILE' && (a.value === '/dev/null' || a.value === '')) || (/^HIST(?:FILE)?SIZE$/.test(a.name) && a.value === '0'))) {
    return 'shell history disabled';
  }
  if (c.name === 'history' && c.argv.includes('-c')) return 'shell history cleared';
  if (DESTROYERS.has(c.name) && targets(c).some((t) => /(?:^|\/)\.(?:bash|zsh|ash|sh|mysql|psql|python)_history$|(?:^|\/)\.history$/.test(t))) {
    return 'shell history deleted';
  }
  if (c.redirects.some((r) => r.op.includes('>') && /(?:^|\/)\.(?:bash|zsh)_history$/.test(r.target)) && c.argv.length <= 1) return 'shell history emptied';
  return undefined;
}

function logTampering(c: CommandView): string | undefined {
  if (c.name === 'journalctl' && c.argv.some((a) => a.startsWith('--vacuum-') || a === '--rotate')) return 'system journal purged';
  // `: > /var/log/auth.log`, `echo > …`, `cat /dev/null > …`: an overwrite (not an append) with nothing.
  const emptier = c.name === ':' || c.name === 'true' || c.name === 'echo' || c.name === 'printf' || (c.name === 'cat' && c.argv[1] === '/dev/null');
  const overwritten = c.redirects.find((r) => (r.op === '>' || r.op === '>|') && isLog(r.target));
  if (emptier && overwritten && c.argv.length <= 2) return `log emptied (${overwritten.target})`;
  if (!DESTROYERS.has(c.name)) return undefined;
  const logs = c.argv.slice(1).filter((a) => !a.startsWith('-') && isLog(a));
  if (logs.length === 0) return undefined;
  if (c.name === 'cp' || c.name === 'mv' || c.name === 'dd') {
    // Copying a log away is a backup; copying /dev/null over it is emptying it.
    const src = c.argv.slice(1).find((a) => !a.startsWith('-'));
    return src === '/dev/null' || c.argv.includes('if=/dev/null') || c.argv.includes('if=/dev/zero') ? `log emptied (${logs[logs.length - 1]})` : undefined;
  }
  if (c.name === 'ln') return undefined;
  return `log ${c.name === 'truncate' ? 'emptied' : 'deleted'} (${logs[0]})`;
}

function securityStop(c: CommandView): string | undefined {
  const args = c.argv.slice(1);
  if (c.name === 'systemctl' || c.name === 'service' || c.name === 'rc-service' || c.name === 'chkconfig' || c.name === 'update-rc.d') {
    const verb = args.find((a) => STOP_VERBS.has(a) || a === 'off' || a === 'remove');
    const service = args.map((a) => a.replace(/\.service$/, '')).find((a) => SECURITY_SERVICES.has(a));
    if (verb && service) return `security service ${service} stopped`;
  }
  if (c.name === 'auditctl' && (args.includes('-D') || (args.includes('-e') && args[args.indexOf('-e') + 1] === '0'))) return 'audit rules removed or auditing disabled';
  if (c.name === 'setenforce' && (args[0] === '0' || args[0]?.toLowerCase() === 'permissive')) return 'SELinux enforcement disabled';
  if (c.name === 'ufw' && args[0] === 'disable') return 'host firewall disabled';
  if ((c.name === 'pkill' || c.name === 'killall') && args.some((a) => SECURITY_SERVICES.has(baseName(a)))) return 'security agent killed';
  if (c.name === 'aa-teardown' || (c.name === 'apparmor_parser' && args.includes('-R'))) return 'AppArmor profiles unloaded';
  return undefined;
}
