/** How a shell was invoked: the command string it runs, or whether it reads commands from stdin. */
import { SHELL_COMMAND_FLAGS } from '../../../knowledge/shells';

/** The string a shell runs with -c (argv after the flag), or undefined. */
export function shellCommandString(argv: readonly string[]): string | undefined {
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i] as string;
    if (SHELL_COMMAND_FLAGS.has(a) || (a.charCodeAt(0) === 45 /* - */ && COMMAND_FLAGS.test(a))) return i + 1 < argv.length ? argv[i + 1] : undefined;
  }
  return undefined;
}
/** A bundle of short options with -c among them (-c, -lc, -ec…). */
const COMMAND_FLAGS = /^-[a-z]*c[a-z]*$/;

/**
 * True when a shell reads its commands from stdin: `sh`, `sh -i`, `bash -s`, `sh -` — no -c string
 * and no script file argument.
 */
export function readsCommandsFromStdin(argv: readonly string[]): boolean {
  if (shellCommandString(argv) !== undefined) return false;
  // Loops over argv in place: every shell and interpreter exec asks, and most have one or two arguments.
  let optionsOnly = true;
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a.charCodeAt(0) !== 45 /* - */) {
      optionsOnly = false;
      continue;
    }
    if (a === '-i' || a === '-s' || a === '-' || INTERACTIVE_FLAGS.test(a)) return true;
  }
  return optionsOnly;
}
/** A bundle of short options with -i among them (-il, -ic…). */
const INTERACTIVE_FLAGS = /^-[a-z]*i[a-z]*$/;
