/**
 * First task: verify the finding, read the live instance, apply every refusal, plan. No mutation.
 */
import { FindingInputError } from '../domain/isolation/errors';
import { type IncomingFinding, parseIncomingFinding } from '../domain/isolation/finding-event';
import { planIsolation, planRows } from '../domain/isolation/plan';
import { type Refusal, refuseFinding, refuseInstance } from '../domain/isolation/refusals';
import { holdsIsolation } from '../domain/isolation/response-record';
import { capturePreState } from './capture-pre-state';
import { emitAction } from './emit';
import { loadRecord } from './state-store';
import { type EvaluateResult, type StepContext, type WorkflowDeps, type WorkflowInput, actionBase, busy } from './workflow-common';

function toIncoming(input: WorkflowInput, deps: WorkflowDeps, now: Date): IncomingFinding {
  if (input.kind === 'finding') return parseIncomingFinding(input.event, 'event');
  const { identity, partition } = deps.settings;
  return {
    finding: {
      id: `manual-${input.instanceId}-${now.getTime()}`,
      type: 'Manual:Isolation/Operator',
      severity: 10,
      accountId: identity.accountId,
      region: identity.region,
      partition,
      updatedAt: now.toISOString(),
      instanceDetails: { instanceId: input.instanceId },
    },
  };
}

/** First task: verify the finding, read the live instance, apply every refusal, plan. No mutation. */
export async function evaluate(deps: WorkflowDeps, input: WorkflowInput): Promise<EvaluateResult> {
  const { clients, settings, log } = deps;
  const now = deps.now();
  let incoming: IncomingFinding;
  try {
    incoming = toIncoming(input, deps, now);
  } catch (error) {
    if (!(error instanceof FindingInputError)) throw error;
    const refusal: Refusal = { code: 'malformed-finding', reason: error.message };
    await emitAction(clients, settings.eventBusName, { version: 1, action: 'isolate', step: 'evaluate', outcome: 'refused', instanceId: 'unknown', accountId: settings.identity.accountId, region: settings.identity.region, at: now.toISOString(), refusal }, log);
    return { decision: 'refused', refusal };
  }
  const manual = input.kind === 'manual';
  const config = manual ? { ...settings.config, mode: input.dryRun ? ('dry-run' as const) : ('auto' as const), minSeverity: 0, includeTypes: [], excludeTypes: [] } : settings.config;
  const { finding } = incoming;
  const ctx: StepContext = {
    instanceId: finding.instanceDetails.instanceId,
    findingId: finding.id,
    accountId: finding.accountId,
    region: finding.region,
    partition: finding.partition,
    manual,
  };
  const refuse = async (refusal: Refusal): Promise<EvaluateResult> => {
    log.info('isolation refused', { instanceId: ctx.instanceId, findingId: ctx.findingId, refusal });
    await emitAction(clients, settings.eventBusName, { ...actionBase(ctx, now), step: 'evaluate', outcome: 'refused', mode: config.mode, refusal }, log);
    return { decision: 'refused', ctx, refusal };
  };
  const early = refuseFinding({ incoming, config, identity: settings.identity, now, trustBareFinding: manual });
  if (early) return refuse(early);

  const existing = await loadRecord(clients, settings.targets.stateTable, ctx.instanceId);
  if (busy(existing, now)) return refuse({ code: 'in-progress', reason: `a response to ${ctx.instanceId} is already ${existing!.status} (finding ${existing!.findingId})` });
  if (existing?.status === 'release-failed') {
    return refuse({ code: 'in-progress', reason: `the release of ${ctx.instanceId} failed half-way; run picket release ${ctx.instanceId} again before isolating it anew` });
  }
  const live = await capturePreState(clients, ctx, now, settings.config.exemptTagKey);
  const late = refuseInstance({ preState: live, config, isolationVpcIds: Object.keys(settings.targets.groupsByVpc), existingStatus: existing?.status });
  if (late) return refuse(late);
  // A failed earlier run left the instance half-isolated: plan from what it recorded, not from now.
  const preState = holdsIsolation(existing) ? existing.preState : live!;
  const plan = planRows(planIsolation(preState, settings.targets, now).steps);
  if (config.mode === 'dry-run') {
    await emitAction(clients, settings.eventBusName, { ...actionBase(ctx, now), step: 'evaluate', outcome: 'planned', mode: config.mode, calls: plan.length, plan }, log);
    return { decision: 'dry-run', ctx, plan };
  }
  if (config.mode === 'approval') return { decision: 'approval', ctx, preState, plan };
  return { decision: 'proceed', ctx, preState };
}
