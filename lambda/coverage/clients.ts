/** The AWS clients coverage uses, passed in as parameters so tests mock them (aws-sdk-client-mock). */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface CoverageClients {
  readonly ec2: EC2Client;
  readonly ssm: SSMClient;
  readonly dynamo: DynamoDBDocumentClient;
  readonly events: EventBridgeClient;
}

/** Clients with adaptive retry (Describe APIs throttle when 10,000 instances are described at once). */
export function createCoverageClients(region?: string): CoverageClients {
  const base = { ...(region ? { region } : {}), retryMode: 'adaptive', maxAttempts: 8 };
  return {
    ec2: new EC2Client(base),
    ssm: new SSMClient(base),
    dynamo: DynamoDBDocumentClient.from(new DynamoDBClient(base), { marshallOptions: { removeUndefinedValues: true } }),
    events: new EventBridgeClient(base),
  };
}

/** Runs `fn` over `items` with at most `limit` in flight; results in input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
