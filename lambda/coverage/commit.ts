/**
 * Read-evaluate-write with an optimistic lock: the update is rebuilt from the freshly read record when
 * another writer got there first, so the winner alone reports the transition.
 */
import type { CoverageChange, CoverageRecord, RecordUpdate } from '../domain/coverage/record';
import type { CoverageClients } from './clients';
import { ConcurrentUpdateError } from './errors';
import { getRecord, putRecord } from './store';

const ATTEMPTS = 4;

export interface Committed {
  /** The record as stored now (the previous one when nothing needed writing). */
  readonly record: CoverageRecord | undefined;
  readonly change?: CoverageChange;
  readonly written: boolean;
}

export async function commitRecord(
  clients: CoverageClients,
  table: string,
  instanceId: string,
  previous: CoverageRecord | undefined,
  build: (previous: CoverageRecord | undefined) => RecordUpdate | undefined,
): Promise<Committed> {
  let current = previous;
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const update = build(current);
    if (update === undefined || !update.changed) return { record: current, written: false };
    if (await putRecord(clients, table, update.record)) {
      return update.change === undefined ? { record: update.record, written: true } : { record: update.record, change: update.change, written: true };
    }
    current = await getRecord(clients, table, instanceId);
  }
  throw new ConcurrentUpdateError(instanceId, `the coverage record kept changing under ${ATTEMPTS} write attempts`);
}
