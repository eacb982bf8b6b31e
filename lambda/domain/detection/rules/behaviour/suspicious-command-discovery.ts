/**
 * Discovery:Runtime/SuspiciousCommand — a discovery burst: one parent process runs commands that
 * reveal several different kinds of information (identity, system, network, processes, accounts,
 * privileges, cloud metadata, containers) within a short window — what a fresh foothold runs first.
 * A single `id` or `uname` never fires. Low (the catalogue's band); Medium from a foothold; not
 * reported under package or configuration management. Aggregated per parent process.
 */
import type { ActivityEvent } from '../../../events/runtime-event';
import { parseEventTime } from '../../event-time';
import { type DiscoveryKind, discoveryKind } from '../../knowledge/commands';
import { type DetectionRule, type FindingCandidate, NO_FINDINGS, type RuleContext } from '../../rule';
import { commandsOf } from './support/command-view';
import { compact } from './support/compact';
import { footholdReason } from './support/foothold';
import { isAdminToolingLineage, pidKey, ppidKey, processName } from './support/process-context';

const TYPE = 'Discovery:Runtime/SuspiciousCommand';
const NS_BURST = 'behaviour.discovery';
const WINDOW_MS = 120_000;
/** Distinct kinds of information that make a burst. */
const KINDS_FOR_BURST = 4;
/** Command names a burst memo keeps. */
const MAX_COMMANDS = 32;

interface BurstMemo {
  readonly since: string;
  readonly kinds: readonly DiscoveryKind[];
  readonly commands: readonly string[];
  readonly reported: boolean;
}

export const suspiciousCommandDiscovery: DetectionRule = {
  id: 'suspicious-command-discovery',
  kinds: ['process_exec'],
  types: [TYPE],
  evaluate(event: ActivityEvent, ctx: RuleContext): readonly FindingCandidate[] {
    if (event.kind !== 'process_exec' || event.success === false) return NO_FINDINGS;
    let found: { kind: DiscoveryKind; cmd: string }[] | undefined;
    const view = commandsOf(event);
    for (const c of view.commands) {
      const kind = discoveryKind(c.name, c.argv);
      if (!kind) continue;
      if (found) found.push({ kind, cmd: c.name });
      else found = [{ kind, cmd: c.name }];
    }
    if (found === undefined) return NO_FINDINGS;
    if (isAdminToolingLineage(event)) return NO_FINDINGS;
    // A shell -c string is a burst on its own; separate execs are grouped under their parent.
    const key = view.parsed ? pidKey(event) : ppidKey(event);
    const prev = ctx.state.recall<BurstMemo>(NS_BURST, key, ctx.now);
    const fresh = !prev || ctx.now - parseEventTime(prev.since) > WINDOW_MS;
    // A parent that keeps running the same few commands (a monitoring loop's `ps`) adds nothing: the
    // memo stays as it is. Not rewriting it lets it expire WINDOW_MS after its last change instead
    // of its last repeat, which changes nothing: by then its window (from `since`) is over too.
    if (!fresh && prev.kinds.length < KINDS_FOR_BURST && found.every((f) => prev.kinds.includes(f.kind) && (prev.commands.length >= MAX_COMMANDS || prev.commands.includes(f.cmd)))) {
      return NO_FINDINGS;
    }
    const kinds = new Set<DiscoveryKind>(fresh ? [] : prev.kinds);
    const commands = new Set<string>(fresh ? [] : prev.commands);
    for (const f of found) {
      kinds.add(f.kind);
      commands.add(f.cmd);
    }
    const reported = !fresh && prev.reported;
    const memo: BurstMemo = { since: fresh ? event.ts : prev.since, kinds: [...kinds], commands: [...commands].slice(0, MAX_COMMANDS), reported: reported || kinds.size >= KINDS_FOR_BURST };
    ctx.state.remember(NS_BURST, key, memo, WINDOW_MS, ctx.now);
    if (kinds.size < KINDS_FOR_BURST) return NO_FINDINGS;
    const parent = view.parsed ? { exe: event.process.exe, pid: event.process.pid } : event.lineage[0];
    const foothold = footholdReason(event, ctx);
    return [
      {
        type: TYPE,
        ...(foothold ? { severity: 5 } : {}),
        aggregationKey: `${parent?.exe ?? 'unknown'}|${key}`,
        description: `${parent ? `${parent.exe.slice(parent.exe.lastIndexOf('/') + 1)} (pid ${parent.pid})` : processName(event)} ran ${commands.size} discovery commands covering ${[...kinds].join(', ')} within ${WINDOW_MS / 1000} s${foothold ? `; ${foothold}` : ''}.`,
        context: compact({ discoveryKinds: [...kinds], commands: [...commands].slice(0, 16) }),
        evidence: { since: memo.since, foothold },
      },
    ];
  },
};
