/**
 * Puts findings on the findings bus: source `picket.detector`, detail-type `Picket Runtime Finding`,
 * detail = the finding JSON. PutEvents takes at most 10 entries and 256 KB per request; failed entries
 * (throttling, internal errors) and throttled requests are retried with jittered backoff. What still
 * fails after the last attempt throws PublishError, so the SQS records come back and nothing commits.
 */
import { PutEventsCommand, type PutEventsCommandOutput, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { putEventsEntrySize } from '../domain/events/batch';
import { DETAIL_TYPE_FINDING, FINDING_SOURCE, type Finding } from '../domain/findings/finding';
import { PublishError, isTransient, messageOf } from './errors';
import { type Sleep, backoffMs, realSleep } from './ports';

export const MAX_ENTRIES_PER_PUT = 10;
export const MAX_REQUEST_BYTES = 256 * 1024;

export interface PublisherOptions {
  /** Attempts per entry (first try included). @default 6 */
  readonly maxAttempts?: number;
  readonly sleep?: Sleep;
}

export interface PublishItem {
  readonly finding: Finding;
  /** The finding JSON (already fitted under the entry limit). */
  readonly json: string;
}

export class FindingsPublisher {
  private readonly maxAttempts: number;
  private readonly sleep: Sleep;
  /** Retries made so far (for metrics and tests). */
  retries = 0;

  constructor(
    private readonly events: EventBridgeClient,
    private readonly busName: string,
    options: PublisherOptions = {},
  ) {
    this.maxAttempts = options.maxAttempts ?? 6;
    this.sleep = options.sleep ?? realSleep;
  }

  /** Publishes every item (in order of requests; order across requests is not guaranteed by EventBridge). */
  async publish(items: readonly PublishItem[]): Promise<void> {
    for (const request of this.requests(items)) await this.put(request);
  }

  private entry(item: PublishItem): { entry: PutEventsRequestEntry; bytes: number } {
    const f = item.finding;
    const resource = `arn:${f.partition}:ec2:${f.region}:${f.accountId}:instance/${f.resource.instanceDetails.instanceId}`;
    const entry: PutEventsRequestEntry = {
      EventBusName: this.busName,
      Source: FINDING_SOURCE,
      DetailType: DETAIL_TYPE_FINDING,
      Detail: item.json,
      Resources: [resource],
      Time: new Date(f.updatedAt),
    };
    return { entry, bytes: putEventsEntrySize({ source: FINDING_SOURCE, detailType: DETAIL_TYPE_FINDING, detail: item.json, resources: [resource] }) };
  }

  private requests(items: readonly PublishItem[]): PutEventsRequestEntry[][] {
    const out: PutEventsRequestEntry[][] = [];
    let current: PutEventsRequestEntry[] = [];
    let bytes = 0;
    for (const item of items) {
      const e = this.entry(item);
      if (e.bytes > MAX_REQUEST_BYTES) throw new PublishError(`finding ${item.finding.id} makes a ${e.bytes}-byte entry, over EventBridge's ${MAX_REQUEST_BYTES}`);
      if (current.length === MAX_ENTRIES_PER_PUT || bytes + e.bytes > MAX_REQUEST_BYTES) {
        out.push(current);
        current = [];
        bytes = 0;
      }
      current.push(e.entry);
      bytes += e.bytes;
    }
    if (current.length > 0) out.push(current);
    return out;
  }

  private async put(entries: PutEventsRequestEntry[]): Promise<void> {
    let pending = entries;
    let lastProblem = '';
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      if (attempt > 1) {
        this.retries++;
        await this.sleep(backoffMs(attempt - 1, 100, 5000));
      }
      let result: PutEventsCommandOutput;
      try {
        result = await this.events.send(new PutEventsCommand({ Entries: pending }));
      } catch (error) {
        if (!isTransient(error)) throw new PublishError(`PutEvents to ${this.busName} failed: ${messageOf(error)}`, { cause: error });
        lastProblem = `${(error as Error).name}: ${messageOf(error)}`;
        continue;
      }
      if (!result.FailedEntryCount) return;
      const failures = pending.flatMap((entry, i) => {
        const code = result.Entries?.[i]?.ErrorCode;
        return code ? [{ entry, code, message: result.Entries?.[i]?.ErrorMessage ?? '' }] : [];
      });
      const codes = failures.map((f) => `${f.code}: ${f.message}`).join('; ');
      if (failures.some((f) => !isTransient(f.code))) throw new PublishError(`PutEvents to ${this.busName} refused an entry: ${codes}`);
      lastProblem = codes;
      const failed = failures.map((f) => f.entry);
      pending = failed;
    }
    throw new PublishError(`PutEvents to ${this.busName}: ${pending.length} entries still failing after ${this.maxAttempts} attempts (${lastProblem})`);
  }
}
