/**
 * The AWS clients the responder uses. Everything below the handlers takes them as a parameter, so
 * tests mock them and the CLI passes its own (with the operator's credentials).
 */
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { IAMClient } from '@aws-sdk/client-iam';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface ResponderClients {
  readonly ec2: EC2Client;
  readonly autoScaling: AutoScalingClient;
  readonly elbv2: ElasticLoadBalancingV2Client;
  readonly iam: IAMClient;
  readonly ssm: SSMClient;
  readonly s3: S3Client;
  readonly dynamo: DynamoDBDocumentClient;
  readonly events: EventBridgeClient;
  readonly sfn: SFNClient;
}

/** Clients with the SDK's standard retry (3 attempts); throttling beyond that is retried by the workflow. */
export function createResponderClients(region?: string): ResponderClients {
  const config = region ? { region } : {};
  return {
    ec2: new EC2Client(config),
    autoScaling: new AutoScalingClient(config),
    elbv2: new ElasticLoadBalancingV2Client(config),
    iam: new IAMClient(config),
    ssm: new SSMClient(config),
    s3: new S3Client(config),
    dynamo: DynamoDBDocumentClient.from(new DynamoDBClient(config), { marshallOptions: { removeUndefinedValues: true } }),
    events: new EventBridgeClient(config),
    sfn: new SFNClient(config),
  };
}

/** Structured logging the handlers back with Powertools Logger; silent in tests. */
export interface ResponderLog {
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

export const SILENT_LOG: ResponderLog = { info() {}, warn() {}, error() {} };
