/**
 * The commands one exec runs: the program itself (name + argv) and, for a shell with -c, every
 * simple command of its command string. Rules look at all of them the same way.
 */
import type { ActivityEvent } from '../../../../events/runtime-event';
import { baseName, inSet, programFamily } from '../../../knowledge/names';
import { SHELLS } from '../../../knowledge/shells';
import { factsOf, processName } from './process-context';
import { allCommands, type ParsedCommandLine, parseCommandLine, type SimpleCommand } from './shell-command';
import { shellCommandString } from './shell-invocation';

const NONE: readonly never[] = Object.freeze([]);

export interface CommandView {
  /** Program name (basename, lower case). */
  readonly name: string;
  readonly argv: readonly string[];
  readonly redirects: SimpleCommand['redirects'];
  readonly assignments: SimpleCommand['assignments'];
}

export interface ExecCommands {
  readonly commands: readonly CommandView[];
  /** The parsed -c string when the process is a shell running one. */
  readonly parsed?: ParsedCommandLine;
}

/** Several rules read the same exec: parse its -c string once per event (kept in the event's facts slot). */
export function commandsOf(event: ActivityEvent): ExecCommands {
  const facts = factsOf(event);
  let view = facts.commands as ExecCommands | undefined;
  if (view === undefined) {
    view = buildView(event);
    facts.commands = view;
  }
  return view;
}

function buildView(event: ActivityEvent): ExecCommands {
  // A plain exec (not a shell running a -c string: nearly all) is one command with nothing parsed:
  // its view is two small objects, and the empty lists are shared.
  const self: CommandView = { name: processName(event), argv: event.process.argv, redirects: NONE, assignments: NONE };
  if (!inSet(SHELLS, programFamily(self.name))) return { commands: [self] };
  const text = shellCommandString(event.process.argv);
  if (!text) return { commands: [self] };
  const parsed = parseCommandLine(text);
  const inner = allCommands(parsed).map((c) => ({ name: baseName(c.words[0]), argv: c.words, redirects: c.redirects, assignments: c.assignments }));
  return { commands: [self, ...inner], parsed };
}
