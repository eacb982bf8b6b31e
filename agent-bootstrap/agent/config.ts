/**
 * The agent's configuration: a JSON file (`--config /etc/picket/agent.json`, written by the install script
 * from the SSM document's parameters) over these defaults. Unknown keys are errors, so a typo in the SSM
 * parameters is caught at start instead of silently ignored.
 */
import { readFileSync } from 'node:fs';
import type { FsyncPolicy } from './delivery/spool';
import type { LogLevel } from './util/log';

export interface StaticIdentity {
  readonly instanceId: string;
  readonly region: string;
  readonly accountId: string;
  readonly instanceArn: string;
}

export interface AgentConfig {
  /** Name or ARN of the runtime event bus. Required to ship (not for local mode). */
  readonly eventBusName: string;
  /** Region of the bus. @default the instance's region (IMDS) */
  readonly region?: string;
  /** EventBridge endpoint override: the `events` interface VPC endpoint DNS name, or a test server. @default SDK default */
  readonly endpoint?: string;
  /** @default 'http://169.254.169.254' */
  readonly imdsEndpoint: string;
  /** Identity when not on EC2 (tests, labs). @default from IMDSv2 */
  readonly identity?: StaticIdentity;
  /** Spool, sequence high-water mark and read positions. @default '/var/lib/picket-agent' */
  readonly stateDir: string;
  /** `auto`: the af_unix socket when it exists, else the log file. @default 'auto' */
  readonly reader: 'auto' | 'af_unix' | 'file';
  /** @default '/var/run/audispd_events' */
  readonly socketPath: string;
  /** @default '/var/log/audit/audit.log' */
  readonly auditLogPath: string;
  /** Where a tail starts with no saved position. @default 'end' */
  readonly startAt: 'end' | 'beginning';
  /** @default 1000 */
  readonly flushIntervalMs: number;
  /** @default 65536 */
  readonly targetEntryBytes: number;
  /** Send urgent events (reverse-shell exec, ptrace, module load) at once. @default true */
  readonly urgentFlush: boolean;
  /** @default 60000 */
  readonly heartbeatIntervalMs: number;
  /** @default 268435456 (256 MB) */
  readonly spoolMaxBytes: number;
  /** @default 'interval' (see delivery/spool.ts) */
  readonly spoolFsync: FsyncPolicy;
  /** @default 200 */
  readonly retryBaseDelayMs: number;
  /** @default 30000 */
  readonly retryMaxDelayMs: number;
  /** Calls tried before entries go to the spool. @default 3 */
  readonly directAttempts: number;
  /** @default 4 */
  readonly maxEntriesPerCall: number;
  /** @default 10000 */
  readonly requestTimeoutMs: number;
  /** @default true */
  readonly hashExecutables: boolean;
  /** @default '/proc' */
  readonly procRoot: string;
  /** @default 'auditctl' */
  readonly auditctlPath: string;
  /** @default 'info' */
  readonly logLevel: LogLevel;
  /**
   * Host DNS capture through systemd-resolved (`resolvectl monitor`, docs/agent-dns.md): `auto` when resolvectl
   * is installed and resolved runs, `on` always (restarted while it fails), `off` never. @default 'auto'
   */
  readonly dnsCapture: 'auto' | 'on' | 'off';
  /** @default 'resolvectl' */
  readonly resolvectlPath: string;
}

export const DEFAULT_CONFIG: AgentConfig = {
  eventBusName: '',
  imdsEndpoint: 'http://169.254.169.254',
  stateDir: '/var/lib/picket-agent',
  reader: 'auto',
  socketPath: '/var/run/audispd_events',
  auditLogPath: '/var/log/audit/audit.log',
  startAt: 'end',
  flushIntervalMs: 1000,
  targetEntryBytes: 64 * 1024,
  urgentFlush: true,
  heartbeatIntervalMs: 60_000,
  spoolMaxBytes: 256 * 1024 * 1024,
  spoolFsync: 'interval',
  retryBaseDelayMs: 200,
  retryMaxDelayMs: 30_000,
  directAttempts: 3,
  maxEntriesPerCall: 4,
  requestTimeoutMs: 10_000,
  hashExecutables: true,
  procRoot: '/proc',
  auditctlPath: 'auditctl',
  logLevel: 'info',
  dnsCapture: 'auto',
  resolvectlPath: 'resolvectl',
};

export class AgentConfigError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AgentConfigError';
  }
}

type Check = (value: unknown) => string | undefined;
const str: Check = (v) => (typeof v === 'string' && v.length > 0 ? undefined : 'a non-empty string');
const bool: Check = (v) => (typeof v === 'boolean' ? undefined : 'true or false');
const int = (min: number, max: number): Check => (v) => (Number.isInteger(v) && (v as number) >= min && (v as number) <= max ? undefined : `an integer within ${min}..${max}`);
const oneOf = (...values: string[]): Check => (v) => (values.includes(v as string) ? undefined : `one of ${values.map((x) => JSON.stringify(x)).join(', ')}`);
const url: Check = (v) => {
  if (typeof v !== 'string') return 'a URL string';
  try {
    const u = new URL(v);
    return u.protocol === 'http:' || u.protocol === 'https:' ? undefined : 'an http(s) URL';
  } catch {
    return 'a URL such as "https://vpce-0123-abcd.events.us-east-1.vpce.amazonaws.com"';
  }
};
const identity: Check = (v) => {
  if (typeof v !== 'object' || v === null) return 'an object {instanceId, region, accountId, instanceArn}';
  const o = v as Record<string, unknown>;
  for (const key of ['instanceId', 'region', 'accountId', 'instanceArn']) if (typeof o[key] !== 'string') return `an object with string "${key}"`;
  return undefined;
};

const CHECKS: Record<keyof AgentConfig, Check> = {
  eventBusName: (v) => (typeof v === 'string' ? undefined : 'a string (bus name or ARN)'),
  region: str,
  endpoint: url,
  imdsEndpoint: url,
  identity,
  stateDir: str,
  reader: oneOf('auto', 'af_unix', 'file'),
  socketPath: str,
  auditLogPath: str,
  startAt: oneOf('end', 'beginning'),
  flushIntervalMs: int(1, 3_600_000),
  targetEntryBytes: int(4096, 256 * 1024),
  urgentFlush: bool,
  heartbeatIntervalMs: int(1000, 86_400_000),
  spoolMaxBytes: int(1024 * 1024, 64 * 1024 * 1024 * 1024),
  spoolFsync: oneOf('always', 'interval', 'never'),
  retryBaseDelayMs: int(1, 60_000),
  retryMaxDelayMs: int(1, 3_600_000),
  directAttempts: int(1, 100),
  maxEntriesPerCall: int(1, 10),
  requestTimeoutMs: int(100, 300_000),
  hashExecutables: bool,
  procRoot: str,
  auditctlPath: str,
  logLevel: oneOf('debug', 'info', 'warn', 'error', 'silent'),
  dnsCapture: oneOf('auto', 'on', 'off'),
  resolvectlPath: str,
};

/** Defaults overlaid with `overrides`, checked. `where` names the source in errors (file path). */
export function resolveAgentConfig(overrides: unknown, where = 'agent config'): AgentConfig {
  if (typeof overrides !== 'object' || overrides === null || Array.isArray(overrides)) {
    throw new AgentConfigError(`${where}: expected a JSON object, got ${Array.isArray(overrides) ? 'an array' : typeof overrides}`);
  }
  const problems: string[] = [];
  for (const [key, value] of Object.entries(overrides)) {
    const check = CHECKS[key as keyof AgentConfig];
    if (!check) {
      problems.push(`unknown key "${key}" (known: ${Object.keys(CHECKS).join(', ')})`);
      continue;
    }
    const expected = check(value);
    if (expected) problems.push(`"${key}" is ${JSON.stringify(value)}, expected ${expected}`);
  }
  if (problems.length > 0) throw new AgentConfigError(`${where}: ${problems.join('; ')}`);
  return { ...DEFAULT_CONFIG, ...(overrides as Partial<AgentConfig>) };
}

export function loadAgentConfig(path: string): AgentConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new AgentConfigError(`cannot read agent config ${path}`, { cause: error });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new AgentConfigError(`agent config ${path} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  return resolveAgentConfig(parsed, path);
}
