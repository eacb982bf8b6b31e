/**
 * The real systemd-resolved captures of test/fixtures/dns-resolved (see capture.sh there): resolvectl monitor
 * output, the time each line was read, and the audit trail of the same run, parsed by the agent's real parser.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAuditText } from '../../../agent-bootstrap/agent/audit/index';
import type { RuntimeEvent } from '../../../lambda/domain/events/runtime-event';

export const FIXTURE_DIR = join(__dirname, '../../fixtures/dns-resolved');
export const INSTANCE_ID = 'i-0123456789abcdef0';

function lines(name: string): string[] {
  return readFileSync(join(FIXTURE_DIR, name), 'utf8').split('\n').filter((l) => l.length > 0);
}

/** resolvectl monitor --json=short lines, in order (17 of them). */
export const monitorLines = (): string[] => lines('monitor.jsonl');
/** The same queries while resolved saw no usable network link. */
export const networkDownLines = (): string[] => lines('monitor-network-down.jsonl');
/** When each monitor line was read (ms since the epoch), line for line. */
export const readTimes = (): number[] => lines('monitor.read-ms.txt').map(Number);

let auditCache: RuntimeEvent[] | undefined;
/** Runtime events of the captured audit trail (the scenario's process subtree). */
export function auditEvents(): RuntimeEvent[] {
  auditCache ??= parseAuditText(readFileSync(join(FIXTURE_DIR, 'audit.log'), 'utf8'), { instanceId: INSTANCE_ID, procRoot: null, hashExecutables: false, nextSeq: counter() }).events;
  return auditCache;
}

export function counter(start = 0): () => number {
  let n = start;
  return () => ++n;
}
