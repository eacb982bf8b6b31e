/** How a shell was invoked: the command string it runs, or whether it reads commands from stdin. */
import { SHELL_COMMAND_FLAGS } from '../../../knowledge/shells';

/** The string a shell runs with -c (argv after the flag), or undefined. */
export function shellCommandString(argv: readonly string[]): string | undefined {
  const idx = argv.findIndex((a, i) => i > 0 && (SHELL_COMMAND_FLAGS.has(a) || /^-[a-z]*c[a-z]*$/.test(a)));
  if (idx < 0 || idx + 1 >= argv.length) return undefined;
  return argv[idx + 1];
}

/**
 * True when a shell reads its commands from stdin: `sh`, `sh -i`, `bash -s`, `sh -` — no -c string
 * and no script file argument.
 */
export function readsCommandsFromStdin(argv: readonly string[]): boolean {
  if (shellCommandString(argv) !== undefined) return false;
  const args = argv.slice(1);
  if (args.some((a) => a === '-i' || a === '-s' || a === '-' || /^-[a-z]*i[a-z]*$/.test(a))) return true;
  return args.every((a) => a.startsWith('-'));
}
