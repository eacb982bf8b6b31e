/**
 * Puts `Picket Response Action` and `Picket Isolation Pending Approval` events. A lost event is
 * logged, not fatal: the DynamoDB record is the source of truth and the isolation must go on.
 */
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DETAIL_TYPE_PENDING_APPROVAL, DETAIL_TYPE_RESPONSE_ACTION, RESPONSE_SOURCE } from '../domain/isolation/constants';
import type { PendingApprovalDetail, ResponseActionDetail } from '../domain/isolation/response-event';
import type { ResponderClients, ResponderLog } from './clients';
import { errorMessage } from './sdk-errors';

export async function emitAction(clients: ResponderClients, bus: string, detail: ResponseActionDetail, log: ResponderLog): Promise<void> {
  await put(clients, bus, DETAIL_TYPE_RESPONSE_ACTION, detail, detail.instanceId, log);
}

export async function emitPendingApproval(clients: ResponderClients, bus: string, detail: PendingApprovalDetail, log: ResponderLog): Promise<void> {
  await put(clients, bus, DETAIL_TYPE_PENDING_APPROVAL, detail, detail.instanceId, log);
}

async function put(clients: ResponderClients, bus: string, detailType: string, detail: object, instanceId: string, log: ResponderLog): Promise<void> {
  try {
    const out = await clients.events.send(
      new PutEventsCommand({ Entries: [{ EventBusName: bus, Source: RESPONSE_SOURCE, DetailType: detailType, Detail: JSON.stringify(detail), Resources: [] }] }),
    );
    if ((out.FailedEntryCount ?? 0) > 0) log.warn('response event rejected', { instanceId, detailType, error: out.Entries?.[0]?.ErrorMessage });
  } catch (error) {
    log.warn('response event not sent', { instanceId, detailType, error: errorMessage(error) });
  }
}
