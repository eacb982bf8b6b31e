/**
 * cdk-nag acknowledgements of PicketAgentless, each on the narrowest construct that raises it, with
 * the reason it is safe. The lead merges them into lib/nag-acknowledgements.ts
 * (call `applyAgentlessNagAcknowledgements(stack.agentless)` there).
 */
import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { PicketAgentless } from './agentless';

function ack(scope: IConstruct | undefined, id: string, reason: string): void {
  if (scope) Validations.of(scope).acknowledge({ id, reason });
}

export function applyAgentlessNagAcknowledgements(agentless: PicketAgentless): void {
  ack(agentless.function, 'AwsSolutions-L1', 'Node.js 22 is the runtime the project pins (design brief: a supported Node.js 22 or newer); it is supported by Lambda and moved deliberately, not by default.');
  ack(
    agentless.role,
    'AwsSolutions-IAM5[Resource::*]',
    'X-Ray PutTraceSegments/PutTelemetryRecords (active tracing, added by Lambda) have no resource-level permissions; every write of the function is scoped to one bus (with an events:source condition) or one table.',
  );
}
