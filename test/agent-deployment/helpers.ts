/** Shared by the agent-deployment tests: a stack holding only the agent deployment, synthesized once. */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import { PicketAgentDeployment, type PicketAgentDeploymentProps } from '../../lib/agent-deployment';

export interface SynthOptions {
  /** Run the real esbuild + tar bundling (one test only). @default false */
  readonly bundling?: boolean;
  readonly outdir?: string;
}

export interface Synthesized {
  readonly template: Template;
  readonly deployment: PicketAgentDeployment;
  readonly stack: Stack;
  readonly app: App;
}

export function synthAgentDeployment(props: Omit<PicketAgentDeploymentProps, 'eventBus'> = {}, options: SynthOptions = {}): Synthesized {
  const app = new App({
    ...(options.outdir ? { outdir: options.outdir } : {}),
    context: options.bundling ? {} : { 'aws:cdk:bundling-stacks': [] },
  });
  const stack = new Stack(app, 'AgentTest');
  const eventBus = new events.EventBus(stack, 'Bus', { eventBusName: 'picket-runtime' });
  const role = new iam.Role(stack, 'InstanceRole', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
  const deployment = new PicketAgentDeployment(stack, 'AgentDeployment', { eventBus, instanceRoles: [role], ...props });
  return { template: Template.fromStack(stack), deployment, stack, app };
}
