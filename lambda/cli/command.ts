/** What every `picket` sub-command provides to the dispatcher in bin/picket.ts. */
import type { Readable, Writable } from 'node:stream';

export interface CliIo {
  readonly stdin: Readable;
  readonly stdout: Writable;
  readonly stderr: Writable;
  /** Whether stderr is a terminal (progress bars only then). */
  readonly stderrIsTty: boolean;
}

export interface Command {
  readonly name: string;
  /** One line for `picket --help`. */
  readonly summary: string;
  /** The full help text for `picket <name> --help`. */
  readonly help: string;
  /** Runs the command; resolves to the exit code. Throws UsageError (exit 2) or InputError (exit 1). */
  run(args: readonly string[], io: CliIo): Promise<number>;
}
