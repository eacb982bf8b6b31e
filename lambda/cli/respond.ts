/**
 * What `picket respond`, `picket isolate` and `picket release` call. `planFromFindingFile` works
 * offline from the instance details inside the finding and applies the same refusals as the
 * deployed responder; the others act on a deployed account through the clients they are given.
 */
import { SendTaskFailureCommand, SendTaskSuccessCommand, StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { parseIncomingFinding } from '../domain/isolation/finding-event';
import { type IsolationPlan, type IsolationTargets, type PlanRow, planIsolation, planRows } from '../domain/isolation/plan';
import { preStateFromFinding } from '../domain/isolation/pre-state';
import { type Refusal, type ResponderIdentity, refuseFinding, refuseInstance } from '../domain/isolation/refusals';
import { type ResponseConfig, resolveResponseConfig } from '../domain/isolation/response-config';
import type { ResponderClients, ResponderLog } from '../responder/clients';
import { SILENT_LOG } from '../responder/clients';
import { type ReleaseResult, releaseIsolation } from '../responder/release';
import { loadRecord, saveRecord } from '../responder/state-store';

export interface PlanFromFindingOptions {
  /** Name of the file the JSON came from, used in error messages. @default 'finding' */
  readonly source?: string;
  /** The clock used for the finding-age check. @default new Date() */
  readonly now?: Date;
  /** The response config (mode is ignored: this is always a dry run). @default the defaults */
  readonly config?: Partial<ResponseConfig>;
  /** Account and region the responder guards. @default the finding's own (no cross-account refusal offline) */
  readonly identity?: ResponderIdentity;
  /** Deployment facts; missing ones are shown as `<…>` placeholders resolved at run time. */
  readonly targets?: Partial<IsolationTargets>;
}

/** The offline plan: either the ordered calls, or the refusal that stops them. */
export interface OfflinePlan {
  readonly instanceId?: string;
  readonly findingId?: string;
  readonly refusal?: Refusal;
  readonly plan?: IsolationPlan;
  /** One row per API call, in execution order (empty when refused). */
  readonly rows: readonly PlanRow[];
}

/** Builds the isolation plan for a finding file's JSON (a bare finding or an EventBridge event). */
export function planFromFindingFile(json: unknown, opts: PlanFromFindingOptions = {}): OfflinePlan {
  const incoming = parseIncomingFinding(json, opts.source ?? 'finding');
  const { finding } = incoming;
  const now = opts.now ?? new Date();
  const config = { ...resolveResponseConfig(opts.config ?? {}, 'config.response'), mode: 'dry-run' as const };
  const identity = opts.identity ?? { accountId: finding.accountId, region: finding.region };
  const ids = { instanceId: finding.instanceDetails.instanceId, findingId: finding.id };
  const early = refuseFinding({ incoming, config, identity, now, trustBareFinding: true });
  if (early) return { ...ids, refusal: early, rows: [] };
  const pre = preStateFromFinding(finding.instanceDetails, finding, now);
  const groupsByVpc = opts.targets?.groupsByVpc;
  const late = refuseInstance({ preState: pre, config, ...(groupsByVpc ? { isolationVpcIds: Object.keys(groupsByVpc) } : {}) });
  if (late) return { ...ids, refusal: late, rows: [] };
  const targets: IsolationTargets = {
    groupsByVpc: groupsByVpc ?? {},
    quarantineProfileArn: opts.targets?.quarantineProfileArn ?? '<quarantine instance profile>',
    evidenceBucket: opts.targets?.evidenceBucket ?? '<evidence bucket>',
    stateTable: opts.targets?.stateTable ?? '<response state table>',
    forensics: opts.targets?.forensics ?? config.forensics,
  };
  const plan = planIsolation(pre, targets, now);
  return { ...ids, plan, rows: planRows(plan.steps) };
}

/** `--output json`: the plan (or refusal) as one JSON document. */
export function formatPlanJson(result: OfflinePlan): string {
  return `${JSON.stringify(
    result.refusal
      ? { instanceId: result.instanceId, findingId: result.findingId, refused: true, refusal: result.refusal }
      : { instanceId: result.instanceId, findingId: result.findingId, refused: false, steps: result.rows },
    null,
    2,
  )}\n`;
}

/** Makes text from the finding (attacker-controlled) safe to print on a terminal. */
function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** `--output table`: one line per call; parameters as compact JSON, shortened to `width`. */
export function formatPlanTable(result: OfflinePlan, width = 100): string {
  if (result.refusal) {
    return `REFUSED ${printable(result.instanceId ?? '')}: ${result.refusal.code}: ${printable(result.refusal.reason)}\n`;
  }
  const header = ['#', 'step', 'api', 'target', 'parameters'];
  const rows = result.rows.map((r) => {
    const params = JSON.stringify(r.parameters);
    return [
      String(r.order),
      r.step + (r.optional ? ' (optional)' : ''),
      r.api,
      printable(r.target),
      printable(params.length > width ? `${params.slice(0, width - 1)}…` : params) + (r.resolvedAtRunTime ? ' [resolved at run time]' : ''),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (i === 4 ? 0 : row[i]!.length))));
  const line = (cells: string[]) => cells.map((c, i) => (i === 4 ? c : c.padEnd(widths[i]!))).join('  ');
  return `${[line(header), ...rows.map(line)].join('\n')}\n`;
}

export interface IsolateOptions {
  /** The isolation state machine (PicketResponder's `isolationStateMachine`). */
  readonly stateMachineArn: string;
  readonly instanceId: string;
  readonly reason: string;
  readonly requestedBy?: string;
  /** Plan and report only. @default false */
  readonly dryRun?: boolean;
  readonly now?: Date;
}

/**
 * `picket isolate <instance-id>`: starts the deployed workflow for an operator request. It goes
 * through the same refusals (exempt tag and list, terminated, rate limit) as a finding does.
 */
export async function isolateInstance(clients: { readonly sfn: SFNClient }, opts: IsolateOptions): Promise<{ executionArn: string }> {
  if (!/^i-[0-9a-f]{8,17}$/.test(opts.instanceId)) throw new Error(`"${opts.instanceId}" is not an EC2 instance id (i-0123456789abcdef0)`);
  const now = opts.now ?? new Date();
  const out = await clients.sfn.send(
    new StartExecutionCommand({
      stateMachineArn: opts.stateMachineArn,
      name: `manual-${opts.instanceId}-${now.getTime()}`,
      input: JSON.stringify({ kind: 'manual', instanceId: opts.instanceId, reason: opts.reason, requestedBy: opts.requestedBy, dryRun: opts.dryRun ?? false }),
    }),
  );
  return { executionArn: out.executionArn ?? '' };
}

export interface ApproveOptions {
  /** The response state table (PicketResponder's `stateTable`). */
  readonly stateTable: string;
  readonly instanceId: string;
  /** true = approve (`--approve`), false = reject (`--reject`). */
  readonly approve: boolean;
  readonly operator?: string;
  readonly reason?: string;
  readonly now?: Date;
}

export class ApprovalError extends Error {
  override readonly name = 'ApprovalError';
}

/** `picket isolate <id> --approve|--reject`: answers the workflow waiting in approval mode. */
export async function approveIsolation(clients: { readonly sfn: SFNClient; readonly dynamo: DynamoDBDocumentClient }, opts: ApproveOptions): Promise<{ instanceId: string; findingId: string; approved: boolean }> {
  const record = await loadRecord(clients, opts.stateTable, opts.instanceId);
  if (record?.status !== 'pending-approval' || !record.approvalToken) {
    throw new ApprovalError(`no isolation of ${opts.instanceId} is waiting for approval${record ? ` (it is ${record.status})` : ''}`);
  }
  if (opts.approve) {
    await clients.sfn.send(new SendTaskSuccessCommand({ taskToken: record.approvalToken, output: JSON.stringify({ approved: true, operator: opts.operator ?? 'unknown' }) }));
  } else {
    await clients.sfn.send(new SendTaskFailureCommand({ taskToken: record.approvalToken, error: 'PicketApprovalRejected', cause: (opts.reason ?? `rejected by ${opts.operator ?? 'an operator'}`).slice(0, 256) }));
    const now = opts.now ?? new Date();
    await saveRecord(clients, opts.stateTable, { ...record, status: 'rejected', approvalToken: undefined, updatedAt: now.toISOString() });
  }
  return { instanceId: opts.instanceId, findingId: record.findingId, approved: opts.approve };
}

export interface ReleaseInstanceOptions {
  readonly stateTable: string;
  readonly eventBusName: string;
  /** Keep the deny on sessions issued before isolation. @default false */
  readonly keepCredentialDeny?: boolean;
  /** Release even if the isolation is still running or waiting. @default false */
  readonly force?: boolean;
  readonly log?: ResponderLog;
  readonly now?: () => Date;
}

/** `picket release <instance-id>`: restores the recorded pre-state with the operator's credentials. */
export async function releaseInstance(clients: ResponderClients, instanceId: string, opts: ReleaseInstanceOptions): Promise<ReleaseResult> {
  return releaseIsolation(
    { clients, stateTable: opts.stateTable, eventBusName: opts.eventBusName, log: opts.log ?? SILENT_LOG, now: opts.now ?? (() => new Date()) },
    instanceId,
    { keepCredentialDeny: opts.keepCredentialDeny, force: opts.force },
  );
}
