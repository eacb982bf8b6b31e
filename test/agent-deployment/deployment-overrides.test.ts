/** Template tests of account-wide mode and of every limit/rollout prop reaching the association. */
import { Match } from 'aws-cdk-lib/assertions';
import { PropError } from '../../lib/prop-validation';
import { synthAgentDeployment } from './helpers';

const { template } = synthAgentDeployment({
  accountWide: true,
  targetTagKey: 'Team:Monitoring',
  excludeTagValue: 'off',
  cpuQuotaPercent: 2.5,
  memoryMaxMb: 512,
  maxConcurrency: '5',
  maxErrors: '0',
  flushIntervalMs: 250,
  spoolMaxMb: 1024,
  scheduleExpression: 'rate(2 hours)',
  complianceSeverity: 'CRITICAL',
  eventsEndpoint: 'https://vpce-0123-abcd.events.eu-west-1.vpce.amazonaws.com',
});

describe('account-wide mode', () => {
  it('targets every managed instance (State Manager cannot express NOT) and lets the script honour the opt-out tag', () => {
    template.hasResourceProperties('AWS::SSM::Association', {
      Targets: [{ Key: 'InstanceIds', Values: ['*'] }],
      Parameters: Match.objectLike({ excludeTagKey: ['Team:Monitoring'], excludeTagValue: ['off'] }),
    });
  });

  it('lets instances read their own opt-out tag when instance metadata tags are off', () => {
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Sid: 'ReadOwnOptOutTag', Action: 'ec2:DescribeTags', Resource: '*' })]) },
    });
  });
});

describe('overrides reach the association', () => {
  it('limits: CPU share of all vCPUs and a fixed MemoryMax', () => {
    template.hasResourceProperties('AWS::SSM::Association', { Parameters: Match.objectLike({ cpuQuotaPercent: ['2.5'], memoryMaxMb: ['512'] }) });
  });

  it('delivery: flush interval, spool size, endpoint', () => {
    template.hasResourceProperties('AWS::SSM::Association', {
      Parameters: Match.objectLike({ flushIntervalMs: ['250'], spoolMaxMb: ['1024'], eventsEndpoint: ['https://vpce-0123-abcd.events.eu-west-1.vpce.amazonaws.com'] }),
    });
  });

  it('rollout: concurrency, errors, schedule, compliance severity', () => {
    template.hasResourceProperties('AWS::SSM::Association', { MaxConcurrency: '5', MaxErrors: '0', ScheduleExpression: 'rate(2 hours)', ComplianceSeverity: 'CRITICAL' });
  });
});

describe('props are validated first, naming prop, value, expectation and fix', () => {
  it.each([
    [{ cpuQuotaPercent: 0 }, 'cpuQuotaPercent'],
    [{ cpuQuotaPercent: 150 }, 'cpuQuotaPercent'],
    [{ cpuQuotaPercent: 10.125 }, 'cpuQuotaPercent'],
    [{ memoryMaxMb: 32 }, 'memoryMaxMb'],
    [{ memoryMaxMb: 100.5 }, 'memoryMaxMb'],
    [{ maxConcurrency: '0' }, 'maxConcurrency'],
    [{ maxErrors: 'some' }, 'maxErrors'],
    [{ flushIntervalMs: 0 }, 'flushIntervalMs'],
    [{ spoolMaxMb: 0 }, 'spoolMaxMb'],
    [{ scheduleExpression: 'rate(5 minutes)' }, 'scheduleExpression'],
    [{ targetTagKey: "x' ; reboot" }, 'targetTagKey'],
    [{ excludeTagValue: 'a b' }, 'excludeTagValue'],
    [{ eventsEndpoint: 'http://plain.example.com' }, 'eventsEndpoint'],
  ])('%p is refused', (props, prop) => {
    let error: unknown;
    try {
      synthAgentDeployment(props as never);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PropError);
    expect((error as PropError).prop).toBe(`PicketAgentDeploymentProps.${prop}`);
    expect((error as PropError).message).toMatch(/expected .+\. Fix: /);
  });
});
