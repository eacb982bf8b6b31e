/** Construct-level API: PicketFindingsBus.grantPublish and props validation (one small synth). */
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { FINDING_SOURCE } from '../../lambda/domain/findings/finding';
import { PicketFindingsBus } from '../../lib/findings-bus';
import { PicketIngest } from '../../lib/ingest';
import { PropError } from '../../lib/prop-validation';

describe('PicketFindingsBus', () => {
  let template: Template;
  let bus: PicketFindingsBus;
  beforeAll(() => {
    const stack = new Stack(new App({ builtinCloudFormationValidation: false }), 'T');
    bus = new PicketFindingsBus(stack, 'Findings', { busName: 'my-findings' });
    const publisher = new iam.Role(stack, 'Publisher', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    bus.grantPublish(publisher, FINDING_SOURCE);
    template = Template.fromStack(stack);
  });

  it('creates the named bus', () => {
    template.hasResourceProperties('AWS::Events::EventBus', { Name: 'my-findings' });
  });

  it('grantPublish binds the publisher to its one source', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          {
            Effect: 'Allow',
            Action: 'events:PutEvents',
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^FindingsFindingsBus'), 'Arn'] },
            Condition: { StringEquals: { 'events:source': 'picket.detector' } },
          },
        ],
      },
    });
  });

  it('grantPublish refuses a source that is not Picket\'s', () => {
    const role = new iam.Role(new Stack(), 'R', { assumedBy: new iam.AccountRootPrincipal() });
    expect(() => bus.grantPublish(role, 'aws.guardduty')).toThrow(PropError);
    expect(() => bus.grantPublish(role, 'aws.guardduty')).toThrow(/grantPublish source: got "aws.guardduty"; expected a Picket source/);
  });
});

describe('PicketIngest props are validated first', () => {
  it.each([
    [{ maxReceiveCount: 0 }, /PicketIngestProps\.maxReceiveCount: got 0; expected an integer from 1 to 1000\. Fix: /],
    [{ detectorTimeout: Duration.hours(3) }, /PicketIngestProps\.detectorTimeout: got "3 hours"; expected at most 2 hours/],
  ])('%p', (props, message) => {
    expect(() => new PicketIngest(new Stack(), 'Ingest', { vpc: { mode: 'none' }, ...props })).toThrow(message);
  });
});
