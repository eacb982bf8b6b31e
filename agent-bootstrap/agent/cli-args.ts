/** Command line of the agent: `picket-agent --config /etc/picket/agent.json [--print-config] [--no-dns] [--version]`. */
export interface AgentArgs {
  readonly configPath: string | undefined;
  readonly printConfig: boolean;
  readonly version: boolean;
  readonly help: boolean;
  /** Turn host DNS capture off whatever the config says (`dnsCapture: "off"`). */
  readonly noDns: boolean;
}

export const DEFAULT_CONFIG_PATH = '/etc/picket/agent.json';

export const USAGE = `usage: picket-agent [--config FILE] [--print-config] [--no-dns] [--version]
  --config FILE    JSON agent configuration (default ${DEFAULT_CONFIG_PATH} when it exists, else built-in defaults)
  --print-config   print the effective configuration and exit
  --no-dns         no host DNS capture through systemd-resolved (same as "dnsCapture": "off")
  --version        print the agent version and exit
Stops gracefully on SIGTERM/SIGINT: events not yet delivered are written to the spool.`;

export class UsageError extends Error {
  constructor(message: string) {
    super(`${message}\n${USAGE}`);
    this.name = 'UsageError';
  }
}

export function parseAgentArgs(argv: readonly string[]): AgentArgs {
  let configPath: string | undefined;
  let printConfig = false;
  let version = false;
  let help = false;
  let noDns = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--config' || arg === '-c') {
      const value = argv[++i];
      if (value === undefined || value.startsWith('-')) throw new UsageError(`${arg} needs a file path`);
      configPath = value;
    } else if (arg.startsWith('--config=')) {
      configPath = arg.slice('--config='.length);
    } else if (arg === '--print-config') printConfig = true;
    else if (arg === '--version') version = true;
    else if (arg === '--no-dns') noDns = true;
    else if (arg === '--help' || arg === '-h') help = true;
    else throw new UsageError(`unknown argument ${JSON.stringify(arg)}`);
  }
  return { configPath, printConfig, version, help, noDns };
}
