/**
 * The batch envelope: runtime events as JSON lines, gzip-compressed and base64-encoded into the `detail`
 * of one EventBridge PutEvents entry (EventBatchDetail). EventBridge bills every 64 KB chunk of an entry
 * and refuses entries over 256 KB, so `packBatches` splits a stream into entries that stay under a target.
 *
 * Decoding is defensive: the detail comes from an instance, which may be compromised. Base64 is checked
 * strictly, decompression is capped (no gzip bombs), text must be UTF-8, and every error says which
 * batch and which stage failed.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { errorMessage } from './error-message';
import { type EventBatchDetail, LIMITS, RUNTIME_EVENT_VERSION, type RuntimeEvent } from './runtime-event';
import { validateEventBatchDetail } from './validate';

/** EventBridge refuses PutEvents entries larger than this (bytes, as AWS computes entry size). */
export const EVENTBRIDGE_MAX_ENTRY_BYTES = 256 * 1024;
/** EventBridge bills each started 64 KB of an entry as one event. */
export const EVENTBRIDGE_BILLING_CHUNK_BYTES = 64 * 1024;
/** Decompressed batches larger than this are refused whatever `count` claims (gzip-bomb guard). */
export const MAX_DECODED_BATCH_BYTES = 32 * 1024 * 1024;

export type BatchEncoding = EventBatchDetail['encoding'];

/** Where decoding failed: the envelope fields, the base64 text, the gzip stream, the text, or the line count. */
export type BatchDecodeStage = 'detail' | 'base64' | 'gzip' | 'utf8';

/** A batch that cannot be decoded. `batch` names it (instance, seq range, caller's label). */
export class BatchDecodeError extends Error {
  override readonly name = 'BatchDecodeError';
  readonly batch: string;
  readonly stage: BatchDecodeStage;

  constructor(batch: string, stage: BatchDecodeStage, detail: string, options?: { cause?: unknown }) {
    super(`batch ${batch}: ${stage} failed: ${detail}`, options);
    this.batch = batch;
    this.stage = stage;
  }
}

/** Events that cannot be put into one batch (empty list, mixed instances, an entry that cannot fit). */
export class BatchEncodeError extends Error {
  override readonly name = 'BatchEncodeError';
}

export interface EncodeOptions {
  /** @default 'gzip+base64' */
  readonly encoding?: BatchEncoding;
}

function seqRange(seqs: readonly number[]): { firstSeq: number; lastSeq: number } {
  let firstSeq = Number.POSITIVE_INFINITY;
  let lastSeq = Number.NEGATIVE_INFINITY;
  for (const seq of seqs) {
    if (seq < firstSeq) firstSeq = seq;
    if (seq > lastSeq) lastSeq = seq;
  }
  return { firstSeq, lastSeq };
}

function encodeLines(lines: readonly string[], encoding: BatchEncoding): string {
  const text = lines.join('\n');
  return encoding === 'json' ? text : gzipSync(Buffer.from(text, 'utf8')).toString('base64');
}

function detailFor(instanceId: string, seqs: readonly number[], lines: readonly string[], encoding: BatchEncoding): EventBatchDetail {
  return {
    v: RUNTIME_EVENT_VERSION,
    instanceId,
    encoding,
    count: lines.length,
    ...seqRange(seqs),
    data: encodeLines(lines, encoding),
  };
}

function checkOneInstance(events: readonly RuntimeEvent[]): void {
  if (events.length === 0) throw new BatchEncodeError('cannot encode an empty batch: send nothing (heartbeats cover idle agents)');
  const instanceId = events[0]!.instanceId;
  const other = events.findIndex((e) => e.instanceId !== instanceId);
  if (other >= 0) {
    throw new BatchEncodeError(`events[${other}] is about ${events[other]!.instanceId}, events[0] about ${instanceId}: a batch carries one instance's events`);
  }
}

/**
 * One batch of events (one instance's, at least one) as an EventBatchDetail. Events are written as
 * given: validate (and truncate) them first. Throws BatchEncodeError on an empty or mixed batch.
 */
export function encodeBatch(events: readonly RuntimeEvent[], options?: EncodeOptions): EventBatchDetail {
  checkOneInstance(events);
  return detailFor(events[0]!.instanceId, events.map((e) => e.seq), events.map((e) => JSON.stringify(e)), options?.encoding ?? 'gzip+base64');
}

/** A batch's fields without its data, plus the decoded lines (one JSON event each, not yet validated). */
export interface DecodedBatch {
  readonly detail: Omit<EventBatchDetail, 'data'>;
  readonly lines: readonly string[];
  /** Things wrong with the envelope that lose no event (e.g. `count` differs from the lines found). */
  readonly warnings: readonly string[];
}

export interface DecodeOptions {
  /** How the caller knows this batch (e.g. the EventBridge event id or SQS message id), used in errors. */
  readonly label?: string;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function batchName(value: unknown, label: string | undefined): string {
  const parts: string[] = [];
  if (label !== undefined) parts.push(label);
  if (typeof value === 'object' && value !== null) {
    const d = value as Record<string, unknown>;
    if (typeof d['instanceId'] === 'string') parts.push(JSON.stringify(d['instanceId'].slice(0, 32)));
    if (typeof d['firstSeq'] === 'number' && typeof d['lastSeq'] === 'number') parts.push(`seq ${d['firstSeq']}..${d['lastSeq']}`);
  }
  return parts.length > 0 ? parts.join(' ') : '(unnamed)';
}

function decodeText(detail: EventBatchDetail, name: string): string {
  if (detail.encoding === 'json') return detail.data;
  if (detail.data.length % 4 !== 0 || !BASE64.test(detail.data)) {
    throw new BatchDecodeError(name, 'base64', `data is not canonical base64 (${detail.data.length} characters)`);
  }
  const compressed = Buffer.from(detail.data, 'base64');
  // A batch can hold at most `count` events of at most maxEventBytes, one newline each.
  const cap = Math.min(MAX_DECODED_BATCH_BYTES, detail.count * (LIMITS.maxEventBytes + 1));
  let raw: Buffer;
  try {
    raw = gunzipSync(compressed, { maxOutputLength: cap });
  } catch (error) {
    // Checked by code, not class: zlib's errors may come from another realm (jest, vm).
    const tooLarge = (error as { code?: unknown } | null)?.code === 'ERR_BUFFER_TOO_LARGE';
    const why = tooLarge ? `decompresses to more than ${cap} bytes (count ${detail.count} × ${LIMITS.maxEventBytes})` : errorMessage(error);
    throw new BatchDecodeError(name, 'gzip', why, { cause: error });
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch (error) {
    throw new BatchDecodeError(name, 'utf8', 'decompressed data is not valid UTF-8', { cause: error });
  }
}


/**
 * Decode an EventBatchDetail (as received: unknown) into its JSON lines. Throws BatchDecodeError naming
 * the batch and the stage when the envelope is malformed or the data corrupt; a `count` that differs from
 * the lines found is only a warning, so no event is lost for it.
 */
export function decodeBatch(value: unknown, options?: DecodeOptions): DecodedBatch {
  const checked = validateEventBatchDetail(value);
  if (!checked.ok) throw new BatchDecodeError(batchName(value, options?.label), 'detail', checked.reason);
  return decodeCheckedBatch(checked.detail, options);
}

/** decodeBatch for a detail that already passed validateEventBatchDetail (skips validating it again). */
export function decodeCheckedBatch(checked: EventBatchDetail, options?: DecodeOptions): DecodedBatch {
  const name = batchName(checked, options?.label);
  const { data: _data, ...detail } = checked;
  const text = decodeText(checked, name);
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const warnings = lines.length === detail.count ? [] : [`batch ${name}: count says ${detail.count} events, data holds ${lines.length} lines`];
  return { detail, lines, warnings };
}

/** What a PutEvents entry is made of, for its size. */
export interface PutEventsEntryParts {
  readonly source: string;
  readonly detailType: string;
  /** The Detail string as sent (JSON.stringify of the EventBatchDetail). */
  readonly detail: string;
  readonly resources?: readonly string[];
  /** Whether the entry sets Time (adds 14 bytes). @default true */
  readonly hasTime?: boolean;
}

/** The size EventBridge charges and limits, computed as AWS documents it for PutEvents entries. */
export function putEventsEntrySize(entry: PutEventsEntryParts): number {
  let size = entry.hasTime === false ? 0 : 14;
  size += Buffer.byteLength(entry.source, 'utf8') + Buffer.byteLength(entry.detailType, 'utf8') + Buffer.byteLength(entry.detail, 'utf8');
  for (const r of entry.resources ?? []) size += Buffer.byteLength(r, 'utf8');
  return size;
}

export interface PackOptions extends EncodeOptions {
  /** The entry's Source, `picket.agent/<instance ARN>`. */
  readonly source: string;
  /** The entry's DetailType. */
  readonly detailType: string;
  /**
   * Entry size to stay under, in bytes. One billing chunk by default: a fuller entry costs as much as
   * several smaller ones, and smaller entries reach the detector sooner.
   * @default EVENTBRIDGE_BILLING_CHUNK_BYTES (65536)
   */
  readonly targetEntryBytes?: number;
}

/** A batch ready to put, with the entry size it will have. */
export interface PackedBatch {
  readonly detail: EventBatchDetail;
  /** JSON.stringify(detail): what goes into the PutEvents Detail. */
  readonly detailJson: string;
  readonly entryBytes: number;
}

/**
 * Split one instance's events (in order) into batches whose PutEvents entries stay under
 * `targetEntryBytes` (64 KB by default, never over 256 KB). A valid event (≤ 32 KB) always fits a 64 KB
 * entry on its own, so nothing is dropped; an event too large for `targetEntryBytes` alone gets its own
 * entry as long as that stays under 256 KB, else BatchEncodeError.
 *
 * How: each batch takes as many events as the compression ratio seen so far says will fill the target
 * (with a little margin), is encoded, and is shrunk in proportion if it came out too big. Each event is
 * thus compressed about once, and entries come out nearly full (billing is per started 64 KB).
 */
export function packBatches(events: readonly RuntimeEvent[], options: PackOptions): PackedBatch[] {
  checkOneInstance(events);
  return packSerialised(
    { instanceId: events[0]!.instanceId, seqs: events.map((e) => e.seq), lines: events.map((e) => JSON.stringify(e)) },
    options,
  );
}

/**
 * Events already serialised (JSON.stringify of each, in order), with their seqs: what a producer that keeps
 * events as text until they are sent holds (the agent's batcher does, so pending events are one string each
 * for the garbage collector instead of an object graph). Same packing as packBatches.
 */
export interface SerialisedEvents {
  readonly instanceId: string;
  readonly seqs: readonly number[];
  readonly lines: readonly string[];
}

export function packSerialised(batch: SerialisedEvents, options: PackOptions): PackedBatch[] {
  const target = options.targetEntryBytes ?? EVENTBRIDGE_BILLING_CHUNK_BYTES;
  if (!(target > 0 && target <= EVENTBRIDGE_MAX_ENTRY_BYTES)) {
    throw new BatchEncodeError(`targetEntryBytes is ${target}: expected 1..${EVENTBRIDGE_MAX_ENTRY_BYTES} (EventBridge's entry limit)`);
  }
  const { instanceId, seqs, lines } = batch;
  if (lines.length === 0) throw new BatchEncodeError('cannot encode an empty batch: send nothing (heartbeats cover idle agents)');
  if (seqs.length !== lines.length) throw new BatchEncodeError(`${seqs.length} seqs for ${lines.length} lines: each serialised event needs its seq`);
  const encoding = options.encoding ?? 'gzip+base64';
  const lineBytes = lines.map((l) => Buffer.byteLength(l, 'utf8') + 1);
  const count = lines.length;
  const pack = (from: number, to: number): PackedBatch => {
    const detail = detailFor(instanceId, seqs.slice(from, to), lines.slice(from, to), encoding);
    const detailJson = JSON.stringify(detail);
    return { detail, detailJson, entryBytes: putEventsEntrySize({ source: options.source, detailType: options.detailType, detail: detailJson }) };
  };
  /** Entry bytes that do not depend on the data (source, detail-type, the other detail fields). */
  const fixedBytes = (packed: PackedBatch): number => packed.entryBytes - Buffer.byteLength(JSON.stringify(packed.detail.data), 'utf8') + 2;
  /** Entry bytes per raw line byte, as observed on a packed batch. */
  const observedRatio = (packed: PackedBatch, from: number, to: number): number => {
    let raw = 0;
    for (let i = from; i < to; i++) raw += lineBytes[i]!;
    return Math.max(1e-3, (packed.entryBytes - fixedBytes(packed)) / raw);
  };
  /** The end index of a batch from `from` whose raw lines stay within `rawBudget` bytes (at least one). */
  const endWithin = (from: number, rawBudget: number): number => {
    let to = from + 1;
    let raw = lineBytes[from]!;
    while (to < count && raw + lineBytes[to]! <= rawBudget) raw += lineBytes[to++]!;
    return to;
  };

  const MARGIN = 0.92;
  const out: PackedBatch[] = [];
  // First guess of the ratio: a first slice of the stream (up to 256 KB raw), packed for real.
  let to = endWithin(0, 256 * 1024);
  let packed = pack(0, to);
  if (to === count && packed.entryBytes <= target) return [packed];
  let ratio = observedRatio(packed, 0, to);
  let from = 0;
  while (from < count) {
    to = endWithin(from, Math.max(1, ((target - fixedBytes(packed)) / ratio) * MARGIN));
    packed = pack(from, to);
    // Too big: shrink in proportion to the overshoot until it fits or holds a single event.
    while (packed.entryBytes > target && to - from > 1) {
      ratio = observedRatio(packed, from, to);
      const shrunk = endWithin(from, Math.max(1, ((target - fixedBytes(packed)) / ratio) * MARGIN));
      to = Math.min(shrunk, to - 1);
      packed = pack(from, to);
    }
    if (packed.entryBytes > EVENTBRIDGE_MAX_ENTRY_BYTES) {
      throw new BatchEncodeError(`event seq ${seqs[from]} needs a ${packed.entryBytes}-byte entry, over EventBridge's ${EVENTBRIDGE_MAX_ENTRY_BYTES}: truncate it first`);
    }
    out.push(packed);
    ratio = observedRatio(packed, from, to);
    from = to;
  }
  return out;
}
