/**
 * Puts `Picket Coverage Status Changed` events on the findings bus, 10 entries a call, retrying failed
 * entries, and clears each published change's `pendingChange` mark in the table. Throws PublishError when
 * entries keep failing; their marks stay, so the next scheduled run sends them again.
 */
import { PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { coverageChangeEntry } from '../domain/coverage/change-event';
import type { CoverageChange } from '../domain/coverage/record';
import type { CoverageClients } from './clients';
import { PublishError } from './errors';
import { clearPendingChange } from './store';

const ENTRIES_PER_CALL = 10;
const ATTEMPTS = 3;

export async function publishChanges(clients: CoverageClients, table: string, busName: string, partition: string, changes: readonly CoverageChange[]): Promise<void> {
  const failures: string[] = [];
  let failedCount = 0;
  for (let i = 0; i < changes.length; i += ENTRIES_PER_CALL) {
    let pending = changes.slice(i, i + ENTRIES_PER_CALL);
    for (let attempt = 1; pending.length > 0; attempt++) {
      const entries: PutEventsRequestEntry[] = pending.map((c) => ({ ...coverageChangeEntry(c, partition), EventBusName: busName }));
      const out = await clients.events.send(new PutEventsCommand({ Entries: entries }));
      const failed = out.FailedEntryCount ? pending.filter((_, j) => out.Entries?.[j]?.ErrorCode !== undefined) : [];
      for (const c of pending) if (!failed.includes(c)) await clearPendingChange(clients, table, c);
      if (failed.length > 0 && attempt >= ATTEMPTS) {
        failedCount += failed.length;
        failures.push(...(out.Entries ?? []).map((e) => e.ErrorCode ?? '').filter(Boolean));
        break;
      }
      pending = failed;
    }
  }
  if (failedCount > 0) {
    throw new PublishError(`${failedCount} coverage change event(s) not put on ${busName} after ${ATTEMPTS} attempts (${[...new Set(failures)].join(', ')}); they stay pending in ${table} and are sent again by the next scheduled run`);
  }
}
