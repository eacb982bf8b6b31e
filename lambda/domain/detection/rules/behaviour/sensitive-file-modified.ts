/**
 * {PrivilegeEscalation,Persistence,DefenseEvasion}:Runtime/SensitiveFileModified — a write, rename,
 * link, delete or mode change of a file that controls identity and privilege (passwd, shadow,
 * sudoers, PAM), persistence (cron, systemd units, authorized_keys, shell profiles, boot scripts,
 * module config) or defences (audit config, ld.so.preload, logs, shell history). The category of the
 * path picks the type (knowledge/sensitive-paths.ts). Package managers, configuration management
 * and the files' own tools (useradd, visudo, crontab, systemctl, logrotate…) are routine and not
 * reported; a person at a terminal editing them is Low.
 */
import type { ActivityEvent } from '../../../events/runtime-event';
import { inSet } from '../../knowledge/names';
import { SENSITIVE_CATEGORIES, type SensitiveCategory, sensitiveCategory } from '../../knowledge/sensitive-paths';
import { type DetectionRule, type FindingCandidate, NO_FINDINGS, type RuleContext } from '../../rule';
import { compact } from './support/compact';
import { anyInSet, commandLine, eventNames, isAdminToolingLineage, isInteractive, lineageNamesAt, processName } from './support/process-context';

const TYPES = [
  'PrivilegeEscalation:Runtime/SensitiveFileModified',
  'Persistence:Runtime/SensitiveFileModified',
  'DefenseEvasion:Runtime/SensitiveFileModified',
] as const;
/** Ancestors searched for the file's owning tool. */
const OWNER_DEPTH = 2;
const DAEMONS: ReadonlySet<string> = new Set(['systemd', 'init', 'cron', 'crond', 'anacron', 'atd', 'auditd', 'rsyslogd', 'syslog-ng', 'systemd-journald', 'sshd']);
const VERB: Record<string, string> = { file_write: 'wrote', file_rename: 'renamed', file_unlink: 'deleted', file_link: 'linked', file_chmod: 'changed the mode of' };

/** An owner among the first OWNER_DEPTH ancestors' names, daemons excepted. */
function ancestorOwns(event: ActivityEvent, owners: ReadonlySet<string>): boolean {
  const depth = Math.min(OWNER_DEPTH, event.lineage.length);
  for (let i = 0; i < depth; i++) {
    for (const n of lineageNamesAt(event, i)) if (!DAEMONS.has(n) && inSet(owners, n)) return true;
  }
  return false;
}

function sensitiveHit(path: string | undefined): { path: string; category: SensitiveCategory } | undefined {
  if (!path) return undefined;
  const category = sensitiveCategory(path);
  return category ? { path, category } : undefined;
}

export const sensitiveFileModified: DetectionRule = {
  id: 'sensitive-file-modified',
  kinds: ['file_write', 'file_rename', 'file_unlink', 'file_link', 'file_chmod'],
  types: TYPES,
  evaluate(event: ActivityEvent, ctx: RuleContext): readonly FindingCandidate[] {
    if (event.success === false) return NO_FINDINGS;
    if (event.kind !== 'file_write' && event.kind !== 'file_rename' && event.kind !== 'file_unlink' && event.kind !== 'file_link' && event.kind !== 'file_chmod') return NO_FINDINGS;
    // The new name first, then the old one (checked without building an array: every file event comes here).
    const hit = sensitiveHit(event.file.newPath) ?? sensitiveHit(event.file.path);
    if (!hit) return NO_FINDINGS;
    const info = SENSITIVE_CATEGORIES[hit.category];
    if (isAdminToolingLineage(event)) return NO_FINDINGS;
    // The owning tool itself, or an editor/helper it started (systemctl edit, logrotate's postrotate).
    // Daemons that are everybody's ancestor (systemd, cron) never vouch for a descendant, and a shell
    // only owns its own history, not its children's writes.
    const owner = anyInSet(eventNames(event), info.owners) || (hit.category !== 'shell-history' && ancestorOwns(event, info.owners));
    // A shell appending its own history is the owner's routine; deleting or linking it away is not.
    if (owner && !(hit.category === 'shell-history' && (event.kind === 'file_unlink' || event.kind === 'file_link' || event.kind === 'file_rename'))) return NO_FINDINGS;
    if (hit.category === 'shell-history' && owner && event.kind === 'file_write') return NO_FINDINGS;
    const severity = isInteractive(event) ? 2 : undefined;
    const aggregationKey = `${hit.path}|${event.process.exe}`;
    // Logs and history files are written over and over: a repeat needs no description.
    if (ctx.countRepeat?.(info.type, aggregationKey, severity)) return NO_FINDINGS;
    return [
      {
        type: info.type,
        ...(severity !== undefined ? { severity } : {}),
        aggregationKey,
        description: `${processName(event)} (pid ${event.process.pid}) ${VERB[event.kind] ?? 'modified'} ${hit.path} (${info.what}): ${commandLine(event.process.argv, 200)}`,
        context: compact({ filePath: hit.path, fileCategory: hit.category, modifyingProcess: event.process.exe, ...(event.file.mode ? { mode: event.file.mode } : {}) }),
        evidence: { operation: event.kind, interactive: isInteractive(event) },
      },
    ];
  },
};
