/**
 * The findings bus: every Picket finding ("Picket Runtime Finding", source `picket.detector`), response
 * action and coverage change goes here, so responders and automation subscribe in one place. Only
 * Picket's own roles may put events with Picket's sources on it: publishers get access through
 * `grantPublish(grantee, source)`, which binds them to their one source with an IAM condition.
 */
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { DEFAULT_CONFIG } from './config';
import { requireProp } from './prop-validation';

export interface PicketFindingsBusProps {
  /**
   * Name of the findings EventBus.
   * @default 'picket-findings'
   */
  readonly busName?: string;
}

export class PicketFindingsBus extends Construct {
  readonly bus: events.EventBus;

  constructor(scope: Construct, id: string, props: PicketFindingsBusProps = {}) {
    super(scope, id);
    this.bus = new events.EventBus(this, 'FindingsBus', {
      eventBusName: props.busName ?? DEFAULT_CONFIG.findings.busName,
      description: 'Picket findings, response actions and coverage changes',
    });
  }

  /**
   * Lets `grantee` put events on the findings bus with `source` equal to `source` and nothing else
   * (e.g. the detector's role with `picket.detector`).
   */
  grantPublish(grantee: iam.IGrantable, source: string): iam.Grant {
    requireProp(/^picket\.[a-z][a-z0-9-]*$/.test(source), 'PicketFindingsBus.grantPublish source', source, 'a Picket source such as "picket.detector"', 'pass the constant of the publishing component (e.g. FINDING_SOURCE)');
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['events:PutEvents'],
      resourceArns: [this.bus.eventBusArn],
      conditions: { StringEquals: { 'events:source': source } },
    });
  }
}
