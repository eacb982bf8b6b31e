/**
 * The cost model behind `picket usage` and the cost lines of `npm run bench`: what running Picket costs
 * per instance-month for a given event rate, beside what GuardDuty Runtime Monitoring charges for the
 * same vCPUs. Every assumption is a named input so the figures can be checked and changed.
 */
import { DEFAULT_PRICES, HOURS_PER_MONTH, type Prices, SECONDS_PER_MONTH } from './pricing';

export interface WorkloadAssumptions {
  /** Runtime events per second the instance produces (after the rule set's filtering). */
  readonly eventsPerSecond: number;
  /** vCPUs of the instance (GuardDuty bills by vCPU). */
  readonly vcpus: number;
  /** Compressed bytes per event on the wire (gzip+base64 JSON lines); measured by `npm run bench`. */
  readonly bytesPerEvent: number;
  /** Agent flush interval: a batch goes out at least this often when events flow. */
  readonly flushIntervalMs: number;
  /** Largest PutEvents entry the agent builds, in bytes (EventBridge bills each 64 KB chunk). */
  readonly maxBatchBytes: number;
  /** Instances sharing one VPC's interface endpoints (their hourly fee is split between them). */
  readonly instancesPerVpc: number;
  /** AZs the interface endpoints are placed in. */
  readonly endpointAzs: number;
  /**
   * Interface endpoints charged to Picket. Default 1 (events): the ssm, ssmmessages and ec2messages endpoints
   * are what SSM itself needs on private subnets and often exist already; set 4 when Picket creates them for you.
   */
  readonly interfaceEndpoints: number;
  /** Detector Lambda: memory in MB and milliseconds per SQS message (one agent batch). */
  readonly detectorMemoryMb: number;
  readonly detectorMsPerBatch: number;
  /** SQS messages per Lambda invocation. */
  readonly sqsBatchSize: number;
  /** DynamoDB writes per agent batch, and reads: the detector writes instance state once per instance per invocation. */
  readonly dynamoWritesPerBatch: number;
  readonly dynamoReadsPerBatch: number;
  /** Heartbeats per hour. */
  readonly heartbeatsPerHour: number;
}

export const DEFAULT_WORKLOAD: WorkloadAssumptions = {
  eventsPerSecond: 100,
  vcpus: 2,
  bytesPerEvent: 120,
  flushIntervalMs: 1000,
  maxBatchBytes: 64 * 1024,
  instancesPerVpc: 25,
  endpointAzs: 2,
  interfaceEndpoints: 1,
  detectorMemoryMb: 512,
  detectorMsPerBatch: 40,
  sqsBatchSize: 10,
  dynamoWritesPerBatch: 0.2,
  dynamoReadsPerBatch: 0.2,
  heartbeatsPerHour: 60,
};

export interface CostBreakdown {
  readonly eventBridge: number;
  readonly sqs: number;
  readonly lambda: number;
  readonly dynamodb: number;
  readonly vpcEndpoints: number;
  readonly total: number;
  /** GuardDuty Runtime Monitoring for the same vCPUs (first-tier price for a single instance). */
  readonly guardDuty: number;
  /** Agent batches (PutEvents entries) per month. */
  readonly batchesPerMonth: number;
}

/** Monthly cost of one instance under the assumptions. */
export function monthlyCostPerInstance(workload: WorkloadAssumptions = DEFAULT_WORKLOAD, prices: Prices = DEFAULT_PRICES): CostBreakdown {
  assertPositive(workload);
  const bytesPerSecond = workload.eventsPerSecond * workload.bytesPerEvent;
  // A batch leaves when it is full or when the flush timer fires, whichever comes first.
  const batchesPerSecond = workload.eventsPerSecond === 0 ? 0 : Math.max(1000 / workload.flushIntervalMs, bytesPerSecond / workload.maxBatchBytes);
  const bytesPerBatch = batchesPerSecond === 0 ? 0 : bytesPerSecond / batchesPerSecond;
  const chunksPerBatch = Math.max(1, Math.ceil(bytesPerBatch / (64 * 1024)));
  const batchesPerMonth = batchesPerSecond * SECONDS_PER_MONTH;
  const heartbeatsPerMonth = workload.heartbeatsPerHour * HOURS_PER_MONTH;

  const billedEvents = batchesPerMonth * chunksPerBatch + heartbeatsPerMonth;
  const eventBridge = (billedEvents / 1e6) * prices.eventBridgePerMillion;
  // Send by EventBridge, receive and delete by Lambda (both batched by sqsBatchSize).
  const sqsRequests = batchesPerMonth * chunksPerBatch + (2 * batchesPerMonth) / workload.sqsBatchSize;
  const sqs = (sqsRequests / 1e6) * prices.sqsPerMillionRequests;
  const invocations = batchesPerMonth / workload.sqsBatchSize;
  const gbSeconds = (batchesPerMonth * workload.detectorMsPerBatch * workload.detectorMemoryMb) / 1024 / 1000;
  const lambda = (invocations / 1e6) * prices.lambdaPerMillionRequests + gbSeconds * prices.lambdaPerGbSecond;
  const dynamodb =
    ((batchesPerMonth * workload.dynamoWritesPerBatch + heartbeatsPerMonth) / 1e6) * prices.dynamoPerMillionWrites +
    ((batchesPerMonth * workload.dynamoReadsPerBatch) / 1e6) * prices.dynamoPerMillionReads;
  const endpointHours = workload.interfaceEndpoints * workload.endpointAzs * HOURS_PER_MONTH;
  const endpointGb = (bytesPerSecond * SECONDS_PER_MONTH) / 1e9;
  const vpcEndpoints = (endpointHours * prices.interfaceEndpointPerAzHour) / workload.instancesPerVpc + endpointGb * prices.interfaceEndpointPerGb;
  const total = eventBridge + sqs + lambda + dynamodb + vpcEndpoints;
  return {
    eventBridge,
    sqs,
    lambda,
    dynamodb,
    vpcEndpoints,
    total,
    guardDuty: guardDutyMonthlyCost(workload.vcpus, prices),
    batchesPerMonth,
  };
}

/** GuardDuty Runtime Monitoring (EC2) for `vcpus` monitored all month, applying its volume tiers. */
export function guardDutyMonthlyCost(vcpus: number, prices: Prices = DEFAULT_PRICES): number {
  let remaining = vcpus;
  let previousCap = 0;
  let cost = 0;
  for (const [cap, price] of prices.guardDutyRuntimeTiers) {
    const inTier = Math.min(remaining, cap - previousCap);
    if (inTier <= 0) break;
    cost += inTier * price;
    remaining -= inTier;
    previousCap = cap;
  }
  return cost;
}

/** GuardDuty's charge for monitored vCPU-hours in a month (the `MonitoredVcpuHours` metric summed). */
export function guardDutyCostForVcpuHours(vcpuHours: number, prices: Prices = DEFAULT_PRICES): number {
  return guardDutyMonthlyCost(vcpuHours / HOURS_PER_MONTH, prices);
}

function assertPositive(workload: WorkloadAssumptions): void {
  for (const [key, value] of Object.entries(workload)) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new RangeError(`cost model: "${key}" must be a finite number >= 0, got ${String(value)}`);
    }
  }
  for (const key of ['flushIntervalMs', 'maxBatchBytes', 'instancesPerVpc', 'sqsBatchSize'] as const) {
    if (workload[key] === 0) throw new RangeError(`cost model: "${key}" must be greater than 0`);
  }
}
