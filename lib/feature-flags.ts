/**
 * CDK feature flags Picket is built and tested with. cdk.json carries the same values for the CLI;
 * in-process apps (tests, `npm start`, benchmarks) get them from here, and a test keeps the two equal.
 */
export const PICKET_FEATURE_FLAGS: Readonly<Record<string, boolean>> = Object.freeze({
  '@aws-cdk/aws-iam:minimizePolicies': true,
  '@aws-cdk/aws-lambda:recognizeLayerVersion': true,
  '@aws-cdk/core:checkSecretUsage': true,
  '@aws-cdk/core:validateSnapshotRemovalPolicy': true,
  '@aws-cdk/aws-ec2:restrictDefaultSecurityGroup': true,
  '@aws-cdk/aws-sqs:dlqEncryption': true,
  // With a KMS-encrypted queue, scope the EventBridge → SQS permission to this account.
  '@aws-cdk/aws-events:eventsTargetQueueSameAccount': true,
});
