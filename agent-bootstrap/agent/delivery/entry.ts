/** One PutEvents entry as the agent queues, spools and sends it (Source and EventBusName are added at send time). */
export interface OutgoingEntry {
  /** DETAIL_TYPE_EVENTS or DETAIL_TYPE_HEARTBEAT. */
  readonly detailType: string;
  /** EventBatchDetail, serialised. */
  readonly detail: string;
  /** Runtime events inside. */
  readonly count: number;
  readonly firstSeq: number;
  readonly lastSeq: number;
}

/** Size EventBridge bills and limits for an entry (Source + DetailType + Detail in UTF-8; we set no Time or Resources). */
export function entryBytes(source: string, entry: Pick<OutgoingEntry, 'detailType' | 'detail'>): number {
  return Buffer.byteLength(source) + Buffer.byteLength(entry.detailType) + Buffer.byteLength(entry.detail);
}

/** Hard EventBridge limit for a whole PutEvents request. */
export const MAX_PUT_EVENTS_REQUEST_BYTES = 256 * 1024;
/** Hard EventBridge limit for entries per PutEvents request. */
export const MAX_PUT_EVENTS_ENTRIES = 10;
