/**
 * Release: undo an isolation from the recorded pre-state (see domain/isolation/release-plan.ts).
 * Re-runnable: steps already done are recorded as `release:<step>` and skipped.
 */
import { type ReleaseOptions, planRelease } from '../domain/isolation/release-plan';
import { type ResponseRecord, withStep } from '../domain/isolation/response-record';
import { sendPlannedCall } from './call-dispatch';
import type { ResponderClients, ResponderLog } from './clients';
import { emitAction } from './emit';
import { classifyError, errorMessage, errorName } from './sdk-errors';
import { loadRecord, saveRecord } from './state-store';

export class ReleaseError extends Error {
  override readonly name = 'ReleaseError';
}

export interface ReleaseDeps {
  readonly clients: ResponderClients;
  readonly stateTable: string;
  readonly eventBusName: string;
  readonly log: ResponderLog;
  readonly now: () => Date;
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface ReleaseStepReport {
  readonly step: string;
  readonly outcome: 'succeeded' | 'skipped' | 'failed' | 'already-done';
  readonly calls: number;
  readonly reason?: string;
}

export interface ReleaseResult {
  readonly instanceId: string;
  readonly status: 'released' | 'release-failed';
  readonly steps: readonly ReleaseStepReport[];
}

export async function releaseIsolation(deps: ReleaseDeps, instanceId: string, options: ReleaseOptions & { force?: boolean } = {}): Promise<ReleaseResult> {
  const { clients, stateTable, eventBusName, log } = deps;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const now = deps.now();
  let record = await loadRecord(clients, stateTable, instanceId);
  if (!record?.preState) throw new ReleaseError(`no isolation of ${instanceId} is recorded in ${stateTable}; nothing to release`);
  if (record.status === 'released') throw new ReleaseError(`${instanceId} was already released at ${record.releasedAt}`);
  if ((record.status === 'in-progress' || record.status === 'pending-approval') && !options.force) {
    throw new ReleaseError(`the isolation of ${instanceId} is ${record.status}; wait for it to finish or pass force`);
  }
  const pre = record.preState;
  const base = { version: 1 as const, action: 'release' as const, instanceId, findingId: record.findingId, accountId: pre.accountId, region: pre.region };
  record = await saveRecord(clients, stateTable, { ...record, status: 'releasing', updatedAt: now.toISOString() });
  const reports: ReleaseStepReport[] = [];
  for (const step of planRelease(pre, record, now, options)) {
    const key = `release:${step.id}`;
    if (record.steps[key]?.status === 'succeeded') {
      reports.push({ step: step.id, outcome: 'already-done', calls: 0 });
      continue;
    }
    if (step.calls.length === 0) {
      reports.push({ step: step.id, outcome: 'skipped', calls: 0, reason: step.skipReason });
      continue;
    }
    let failure: { name: string; message: string } | undefined;
    for (const call of step.calls) {
      for (let attempt = 1; ; attempt++) {
        try {
          await sendPlannedCall(clients, call);
          break;
        } catch (error) {
          const kind = classifyError(error);
          if (kind === 'not-found' && call.onNotFound === 'skip') break;
          if (kind === 'throttled' && attempt < 6) {
            await sleep(1000 * 2 ** (attempt - 1));
            continue;
          }
          failure = { name: errorName(error), message: errorMessage(error) };
          break;
        }
      }
      if (failure) break;
    }
    const at = deps.now().toISOString();
    record = await saveRecord(clients, stateTable, withStep(record, key, { status: failure ? 'failed' : 'succeeded', completedCalls: step.calls.length, outputs: {}, at, ...(failure ? { error: failure } : {}) }, deps.now()));
    await emitAction(clients, eventBusName, { ...base, at, step: step.id, outcome: failure ? 'failed' : 'succeeded', calls: step.calls.length, ...(failure ? { error: failure } : {}) }, log);
    reports.push({ step: step.id, outcome: failure ? 'failed' : 'succeeded', calls: step.calls.length, reason: failure ? `${failure.name}: ${failure.message}` : undefined });
    if (failure && !step.optional) {
      await finish(record, 'release-failed');
      return { instanceId, status: 'release-failed', steps: reports };
    }
  }
  await finish(record, 'released');
  return { instanceId, status: 'released', steps: reports };

  async function finish(current: ResponseRecord, status: 'released' | 'release-failed'): Promise<void> {
    const at = deps.now().toISOString();
    // A finished release clears the per-step release marks so a later isolation and release start clean.
    const steps = status === 'released' ? Object.fromEntries(Object.entries(current.steps).filter(([k]) => !k.startsWith('release:'))) : current.steps;
    await saveRecord(clients, stateTable, { ...current, steps, status, updatedAt: at, ...(status === 'released' ? { releasedAt: at } : {}) });
    await emitAction(clients, eventBusName, { ...base, at, step: 'complete', outcome: status === 'released' ? 'succeeded' : 'failed' }, log);
  }
}
