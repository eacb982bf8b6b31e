/**
 * PicketOrgBus: the org findings bus in the security account. Its resource policy lets principals of
 * the organization (aws:PrincipalOrgID) put events, and only with Picket's own sources and
 * detail-types: a member account cannot use it to inject anything else into the security account.
 */
import * as events from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';
import { requireProp } from '../prop-validation';
import { FORWARDED_DETAIL_TYPES, FORWARDED_SOURCES } from './names';

export interface PicketOrgBusProps {
  /** The organization whose principals may put events (`o-…`). */
  readonly organizationId: string;
  /** @default 'picket-org-findings' */
  readonly busName?: string;
}

export class PicketOrgBus extends Construct {
  readonly bus: events.EventBus;
  readonly policy: events.CfnEventBusPolicy;

  constructor(scope: Construct, id: string, props: PicketOrgBusProps) {
    super(scope, id);
    requireProp(/^o-[a-z0-9]{10,32}$/.test(props.organizationId), 'PicketOrgBusProps.organizationId', props.organizationId, 'an organization id "o-…"', 'set org.organizationId (aws organizations describe-organization)');
    this.bus = new events.EventBus(this, 'Bus', {
      eventBusName: props.busName ?? 'picket-org-findings',
      description: 'Picket findings, coverage changes and response actions of every member account',
    });
    this.policy = new events.CfnEventBusPolicy(this, 'OrgPutEvents', {
      eventBusName: this.bus.eventBusName,
      statementId: 'PicketOrgMembersPutPicketEvents',
      statement: {
        Sid: 'PicketOrgMembersPutPicketEvents',
        Effect: 'Allow',
        Principal: '*',
        Action: 'events:PutEvents',
        Resource: this.bus.eventBusArn,
        Condition: {
          StringEquals: {
            'aws:PrincipalOrgID': props.organizationId,
            'events:source': [...FORWARDED_SOURCES],
            'events:detail-type': [...FORWARDED_DETAIL_TYPES],
          },
        },
      },
    });
  }
}
