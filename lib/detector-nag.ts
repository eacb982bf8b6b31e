/**
 * cdk-nag acknowledgements of PicketDetector, each on the narrowest construct that raises it, with
 * the reason it is safe. The lead merges them into lib/nag-acknowledgements.ts
 * (call `applyDetectorNagAcknowledgements(stack.detector)` there).
 */
import { CfnElement, Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { PicketDetector } from './detector';

function ack(scope: IConstruct | undefined, id: string, reason: string): void {
  if (scope) Validations.of(scope).acknowledge({ id, reason });
}

export function applyDetectorNagAcknowledgements(detector: PicketDetector): void {
  ack(detector.function, 'AwsSolutions-L1', 'Node.js 22 is the runtime the project pins (design brief: a supported Node.js 22 or newer); it is supported by Lambda and moved deliberately, not by default.');
  ack(
    detector.role,
    'AwsSolutions-IAM5[Resource::*]',
    'ec2:DescribeInstances (read-only: tags, ENIs, security groups of the instance a finding is about) and X-Ray PutTraceSegments/PutTelemetryRecords (active tracing) have no resource-level permissions; every write is scoped to one table, bus or prefix.',
  );
  ackIntelPrefix(detector);
  const bucket = detector.node.tryFindChild('IntelBucket');
  ack(bucket, 'AwsSolutions-S1', 'The intel bucket holds threat lists the detector reads (s3:GetObject under intel/ only); reads and writes are recorded by CloudTrail. Server access logs would need a second bucket for little gain.');
}

/** s3:GetObject on `<bucket>/intel/*`: the lists are many files whose names operators choose. */
function ackIntelPrefix(detector: PicketDetector): void {
  const reason = 'Read-only s3:GetObject under the intel/ prefix: operators add threat, trusted and hash lists there under names of their choice; nothing outside the prefix is readable.';
  const bucketNode = detector.intelBucket.node.defaultChild;
  const logicalId = bucketNode instanceof CfnElement ? Stack.of(bucketNode).resolve(bucketNode.logicalId) : undefined;
  if (typeof logicalId === 'string') {
    ack(detector.role, `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>/intel/*]`, reason);
    ack(
      detector.role,
      `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>/sigma/*]`,
      'Read-only s3:GetObject under the sigma/ prefix of the deployment\'s own intel bucket: operators add custom Sigma rule files there under names of their choice; nothing outside the prefix is readable.',
    );
  }
  for (const bucket of detector.threatListBuckets) ack(detector.role, `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${bucket}/intel/*]`, reason);
}
