/**
 * PrivilegeEscalation:Runtime/SuspiciousCommand — a root backdoor is planted: the setuid/setgid bit
 * put on a shell, an interpreter or a file in a world-writable directory (`chmod u+s`, `chmod 4755`),
 * privilege capabilities granted with setcap (cap_setuid, cap_sys_admin, …), or a sudoers / account
 * file appended to from a command line (`echo '… NOPASSWD: ALL' >> /etc/sudoers`). Package and
 * configuration management are not reported; at a terminal it is Low.
 */
import type { ActivityEvent } from '../../../events/runtime-event';
import { INTERPRETERS } from '../../knowledge/interpreters';
import { baseName, inSet, programFamily } from '../../knowledge/names';
import { inDropDir } from '../../knowledge/paths';
import { sensitiveCategory } from '../../knowledge/sensitive-paths';
import { SHELLS } from '../../knowledge/shells';
import { type DetectionRule, type FindingCandidate, NO_FINDINGS, type RuleContext } from '../../rule';
import { type CommandView, commandsOf } from './support/command-view';
import { compact } from './support/compact';
import { footholdReason } from './support/foothold';
import { commandLine, isAdminToolingLineage, isInteractive, processName } from './support/process-context';

const TYPE = 'PrivilegeEscalation:Runtime/SuspiciousCommand';
const DANGEROUS_CAPS = /cap_(?:setuid|setgid|sys_admin|dac_override|dac_read_search|sys_ptrace|sys_module|chown|fowner)|(?:^|[,=])all[=+]/i;

export const suspiciousCommandPrivilegeEscalation: DetectionRule = {
  id: 'suspicious-command-privilege-escalation',
  kinds: ['process_exec'],
  types: [TYPE],
  evaluate(event: ActivityEvent, ctx: RuleContext): readonly FindingCandidate[] {
    if (event.kind !== 'process_exec' || event.success === false) return NO_FINDINGS;
    let hit: { technique: string; target: string; risky: boolean } | undefined;
    for (const c of commandsOf(event).commands) {
      // Exact prefilter: only chmod, setcap or a redirect can match.
      if (c.name !== 'chmod' && c.name !== 'setcap' && c.redirects.length === 0) continue;
      hit = setuidBit(c) ?? capabilities(c) ?? privilegeFileAppend(c);
      if (hit) break;
    }
    if (!hit || isAdminToolingLineage(event)) return NO_FINDINGS;
    const foothold = footholdReason(event, ctx);
    const severity = isInteractive(event) ? 2 : hit.risky || foothold ? 8 : 5;
    return [
      {
        type: TYPE,
        severity,
        aggregationKey: `${hit.technique}|${hit.target}`,
        description: `${processName(event)} (pid ${event.process.pid}): ${hit.technique} on ${hit.target}${foothold ? `; ${foothold}` : ''}: ${commandLine(event.process.argv, 200)}`,
        context: compact({ commandLineExample: commandLine(event.process.argv, 500), technique: hit.technique, threatFilePath: hit.target }),
      },
    ];
  },
};

/** A copy of a shell or interpreter, or anything in /tmp, is a backdoor when made setuid. */
function riskyTarget(path: string): boolean {
  const n = programFamily(baseName(path));
  return inDropDir(path) || inSet(SHELLS, n) || inSet(INTERPRETERS, n) || /(?:^|[-_.])(?:sh|bash|python\d?|perl)$/.test(baseName(path));
}

function setuidBit(c: CommandView): { technique: string; target: string; risky: boolean } | undefined {
  if (c.name !== 'chmod') return undefined;
  const args = c.argv.slice(1).filter((a) => !a.startsWith('--'));
  const modeIdx = args.findIndex((a) => /^[ugoa]*[+=][rwxXstugo]*s/.test(a) || /^[0-7]?[2467][0-7]{3}$/.test(a));
  if (modeIdx < 0) return undefined;
  const target = args.slice(modeIdx + 1).find((a) => !a.startsWith('-'));
  if (!target) return undefined;
  return { technique: 'setuid/setgid bit set', target, risky: riskyTarget(target) };
}

function capabilities(c: CommandView): { technique: string; target: string; risky: boolean } | undefined {
  if (c.name !== 'setcap') return undefined;
  const args = c.argv.slice(1).filter((a) => !a.startsWith('-'));
  const caps = args.find((a) => DANGEROUS_CAPS.test(a));
  const target = args[args.length - 1];
  if (!caps || !target || target === caps) return undefined;
  return { technique: `privileged capability granted (${caps})`, target, risky: riskyTarget(target) };
}

function privilegeFileAppend(c: CommandView): { technique: string; target: string; risky: boolean } | undefined {
  const r = c.redirects.find((x) => x.op.includes('>') && ['identity', 'sudoers', 'pam'].includes(sensitiveCategory(x.target) ?? ''));
  if (!r) return undefined;
  return { technique: 'privilege file written from a command line', target: r.target, risky: true };
}
