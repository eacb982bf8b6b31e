/**
 * cdk-nag acknowledgements of PicketCoverage, each on the narrowest construct that raises it, with the
 * reason it is safe. The lead calls `applyCoverageNagAcknowledgements(stack.coverage)` from
 * lib/nag-acknowledgements.ts.
 */
import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { PicketCoverage } from './coverage';

function ack(scope: IConstruct | undefined, id: string, reason: string): void {
  if (scope) Validations.of(scope).acknowledge({ id, reason });
}

export function applyCoverageNagAcknowledgements(coverage: PicketCoverage): void {
  for (const fn of [coverage.evaluateFunction, coverage.heartbeatFunction]) {
    ack(fn, 'AwsSolutions-L1', 'Node.js 22 is the runtime the project pins (design brief: a supported Node.js 22 or newer); it is supported by Lambda and moved deliberately, not by default.');
  }
  ack(
    coverage.evaluateFunction.role,
    'AwsSolutions-IAM5[Resource::*]',
    'ec2:DescribeInstances, ec2:DescribeVpcEndpoints, ec2:DescribeVpcAttribute, ssm:DescribeInstanceInformation and ssm:DescribeInstanceAssociationsStatus are read-only and have no resource-level permissions, and X-Ray (active tracing) has none either; every write is scoped to the coverage table and the findings bus.',
  );
  ack(coverage.heartbeatFunction.role, 'AwsSolutions-IAM5[Resource::*]', 'Only X-Ray PutTraceSegments/PutTelemetryRecords (active tracing) use "*": X-Ray has no resource-level permissions. Table and bus access are scoped by ARN.');
}
