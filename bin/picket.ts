/**
 * The `picket` CLI entry point: picks the sub-command, maps errors to exit codes
 * (0 done, 1 unreadable or malformed input, 2 bad usage), and nothing else.
 */
import type { CliIo, Command } from '../lambda/cli/command';
import { coverageCommand } from '../lambda/cli/coverage';
import { findingsCommand } from '../lambda/cli/findings';
import { orgCommand } from '../lambda/cli/org';
import { detectCommand } from '../lambda/cli/commands/detect';
import { orgAwareCoverage, orgAwareFindings } from '../lambda/cli/commands/org-aware';
import { isolateCommand, releaseCommand, respondCommand } from '../lambda/cli/commands/respond';
import { usageCommand } from '../lambda/cli/commands/usage';
import { watchCommand } from '../lambda/cli/commands/watch';
import { InputError, UsageError } from '../lambda/cli/usage-error';

const COMMANDS: readonly Command[] = [detectCommand, watchCommand, respondCommand, isolateCommand, releaseCommand, orgAwareCoverage(coverageCommand), orgAwareFindings(findingsCommand), orgCommand, usageCommand];

function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'Usage: picket <command> [options]',
    '',
    'Runtime threat detection and response for Amazon EC2. Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `picket <command> --help` for a command\'s options.',
  ].join('\n');
}

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? io.stderr : io.stdout).write(mainHelp() + '\n');
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.stderr.write(`picket: unknown command "${name}"\n\n${mainHelp()}\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(command.help + '\n');
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`picket ${command.name}: ${error.message}\n\n${command.help}\n`);
      return 2;
    }
    if (error instanceof InputError) {
      io.stderr.write(`picket ${command.name}: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

/** Runs the CLI on this process's arguments and streams; sets the exit code. */
export function main(): void {
  runCli(process.argv.slice(2), { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, stderrIsTty: Boolean(process.stderr.isTTY) })
    .then((code) => {
      process.exitCode = code;
    })
    .catch((error: unknown) => {
      process.stderr.write(`picket: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    });
}

if (require.main === module) main();
