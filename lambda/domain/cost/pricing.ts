/**
 * Public AWS list prices the cost model uses (US East (N. Virginia), on-demand, as published at the time
 * of writing). They are inputs, not truths: `picket usage --prices FILE` overrides any of them.
 */
export interface Prices {
  /** EventBridge custom events, per million (every 64 KB chunk of an entry is one event). */
  readonly eventBridgePerMillion: number;
  /** SQS standard requests, per million (every 64 KB chunk is one request). */
  readonly sqsPerMillionRequests: number;
  /** Lambda requests, per million. */
  readonly lambdaPerMillionRequests: number;
  /** Lambda compute, per GB-second (arm64). */
  readonly lambdaPerGbSecond: number;
  /** DynamoDB on-demand write request units, per million. */
  readonly dynamoPerMillionWrites: number;
  /** DynamoDB on-demand read request units, per million. */
  readonly dynamoPerMillionReads: number;
  /** Interface VPC endpoint, per endpoint per AZ per hour. */
  readonly interfaceEndpointPerAzHour: number;
  /** Interface VPC endpoint data processed, per GB. */
  readonly interfaceEndpointPerGb: number;
  /** GuardDuty Runtime Monitoring (EC2) per vCPU-month, by tier: [up to vCPUs, price]. */
  readonly guardDutyRuntimeTiers: readonly (readonly [number, number])[];
}

export const DEFAULT_PRICES: Prices = {
  eventBridgePerMillion: 1.0,
  sqsPerMillionRequests: 0.4,
  lambdaPerMillionRequests: 0.2,
  lambdaPerGbSecond: 0.0000133334,
  dynamoPerMillionWrites: 0.625,
  dynamoPerMillionReads: 0.125,
  interfaceEndpointPerAzHour: 0.01,
  interfaceEndpointPerGb: 0.01,
  guardDutyRuntimeTiers: [
    [500, 1.5],
    [5000, 0.75],
    [Number.POSITIVE_INFINITY, 0.25],
  ],
};

export const HOURS_PER_MONTH = 730;
export const SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600;
