/**
 * Impact:Runtime/CryptoMinerExecuted — a cryptocurrency miner runs. Scored from independent signs
 * so a renamed miner is still caught and a word in an argument is not enough: the program's name is
 * a miner's (2), a stratum:// pool URL in its arguments (2), miner-only flags or algorithm names
 * (1 each), a wallet address (1), a pool port in the URL or in its outbound connection (1). A score
 * of 2 or more fires. On net_connect the process's own argv is scored with the connection's port.
 */
import type { ActivityEvent } from '../../../events/runtime-event';
import { MINER_ALGORITHMS, MINER_FLAGS, MINER_NAMES, MONERO_WALLET, POOL_PORTS, STRATUM_URL } from '../../knowledge/miners';
import { type DetectionRule, type FindingCandidate, NO_FINDINGS, type RuleContext } from '../../rule';
import { compact } from './support/compact';
import { commandLine, eventNames, processName } from './support/process-context';

const TYPE = 'Impact:Runtime/CryptoMinerExecuted';
const THRESHOLD = 2;

export const cryptoMinerExecuted: DetectionRule = {
  id: 'crypto-miner-executed',
  kinds: ['process_exec', 'net_connect'],
  types: [TYPE],
  evaluate(event: ActivityEvent, ctx: RuleContext): readonly FindingCandidate[] {
    if (event.success === false) return NO_FINDINGS;
    if (event.kind !== 'process_exec' && event.kind !== 'net_connect') return NO_FINDINGS;
    const port = event.kind === 'net_connect' ? event.net.remotePort : undefined;
    const { score, signs, pool } = minerScore(event, port);
    if (score < THRESHOLD) return NO_FINDINGS;
    // A miner reconnects to its pool again and again: a repeat needs no description.
    if (ctx.countRepeat?.(TYPE, event.process.exe)) return NO_FINDINGS;
    return [
      {
        type: TYPE,
        aggregationKey: event.process.exe,
        description: `${processName(event)} looks like a cryptocurrency miner (${signs.join(', ')})${pool ? `; pool ${pool}` : ''}: ${commandLine(event.process.argv, 200)}`,
        context: compact({ commandLineExample: commandLine(event.process.argv, 500), ...(pool ? { poolUrl: pool } : {}) }),
        evidence: { score, signs, ...(event.kind === 'net_connect' ? { remoteIp: event.net.remoteIp, remotePort: port } : {}) },
      },
    ];
  },
};

export function minerScore(event: ActivityEvent, connectPort?: number): { score: number; signs: readonly string[]; pool?: string } {
  const name = minerName(eventNames(event));
  // Most programs have neither a miner's name nor any long option a miner takes: stop early (this
  // runs on every exec and connect, so the common answer allocates nothing).
  if (!name && !anyMinerLikeArgument(event.process.argv)) return NOT_SCORED;
  // Without a miner's name only an argument below can score; none of them: nothing to score.
  if (!name && !mayScore(event.process.argv)) return NOT_SCORED;
  const signs: string[] = [];
  let score = 0;
  if (name) {
    score += 2;
    signs.push(`miner program name ${name}`);
  }
  const argv = event.process.argv.slice(1);
  const text = argv.join(' ');
  const url = STRATUM_URL.exec(text)?.[0];
  if (url) {
    score += 2;
    signs.push('stratum pool URL');
    const p = Number(/:(\d+)(?:\/|$)/.exec(url)?.[1]);
    if (POOL_PORTS.has(p)) {
      score += 1;
      signs.push(`pool port ${p}`);
    }
  }
  const flags = argv.filter((a) => MINER_FLAGS.has(flagName(a)));
  score += Math.min(2, flags.length);
  if (flags.length > 0) signs.push(`miner flags ${flags.slice(0, 3).join(' ')}`);
  const algoIdx = argv.findIndex((a) => a === '-a' || a === '--algo');
  if (algoIdx >= 0 && MINER_ALGORITHMS.test(argv[algoIdx + 1] ?? '')) {
    score += 1;
    signs.push(`mining algorithm ${argv[algoIdx + 1]}`);
  }
  if (MONERO_WALLET.test(text)) {
    score += 1;
    signs.push('wallet address');
  }
  if (connectPort !== undefined && POOL_PORTS.has(connectPort) && score > 0) {
    score += 1;
    signs.push(`connection to pool port ${connectPort}`);
  }
  return { score, signs, ...(url ? { pool: url } : {}) };
}

 /** The answer for a process nothing can score (shared: frozen, so no caller can change it). */
const NOT_SCORED: { readonly score: number; readonly signs: readonly string[] } = Object.freeze({ score: 0, signs: Object.freeze([]) });

function minerName(names: readonly string[]): string | undefined {
  for (let i = 0; i < names.length; i++) if (MINER_NAMES.has(names[i] as string)) return names[i];
  return undefined;
}

/** Any argument after argv[0] shaped like something a miner takes: a long option, -a, a long value, "stratum". */
function anyMinerLikeArgument(argv: readonly string[]): boolean {
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a.startsWith('--') || a === '-a' || a.length >= 40 || a.includes('stratum')) return true;
  }
  return false;
}

/**
 * Whether any argument could score without a miner's name: a pool URL (one argument holding `://`
 * and "stratum"), a miner flag (all start with `--`), an algorithm option, or a wallet address (95
 * characters in one argument). Exactly the arguments the scoring below can count, found without
 * joining the command line or running its regular expressions on every connect and exec.
 */
function mayScore(argv: readonly string[]): boolean {
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '-a' || a === '--algo' || a.length >= 95) return true;
    if (a.startsWith('--') && MINER_FLAGS.has(flagName(a))) return true;
    if (a.includes('://') && STRATUM_HINT.test(a)) return true;
  }
  return false;
}
const STRATUM_HINT = /stratum/i;

/** The part of an argument before its first '=' (the whole argument without one), without allocating an array. */
function flagName(arg: string): string {
  const eq = arg.indexOf('=');
  return eq < 0 ? arg : arg.slice(0, eq);
}
