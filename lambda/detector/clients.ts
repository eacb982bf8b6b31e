/** The AWS clients of the detector, created once per execution environment (SDK standard retries). */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DetectorClients } from './ports';

export function createDetectorClients(options: { securityHub: boolean; region?: string }): DetectorClients {
  const config = options.region ? { region: options.region } : {};
  return {
    dynamo: DynamoDBDocumentClient.from(new DynamoDBClient(config), { marshallOptions: { removeUndefinedValues: true } }),
    events: new EventBridgeClient(config),
    ec2: new EC2Client(config),
    s3: new S3Client(config),
    ...(options.securityHub ? { securityHub: new SecurityHubClient(config) } : {}),
  };
}
