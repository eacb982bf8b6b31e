/**
 * The pure parts: rate limit, config validation, planner determinism and placeholders, the deny
 * policy, release planning from a recorded pre-state.
 */
import fc from 'fast-check';
import { denyOldCredentialsPolicy } from '../../lambda/domain/isolation/deny-policy';
import { planIsolation, planRows } from '../../lambda/domain/isolation/plan';
import { type PreState, encodeOriginalGroups, preStateFromFinding } from '../../lambda/domain/isolation/pre-state';
import { HOUR_MS, admitUnderRateLimit } from '../../lambda/domain/isolation/rate-limit';
import { planRelease } from '../../lambda/domain/isolation/release-plan';
import { resolveResponseConfig, typeSelected } from '../../lambda/domain/isolation/response-config';
import { newRecord, withStep } from '../../lambda/domain/isolation/response-record';
import { parseFinding } from '../../lambda/domain/isolation/finding-event';
import { NOW, findingEvent, settings } from './aws-fakes';

describe('rate limit', () => {
  test('never more than max starts in any rolling hour, whatever the arrival times', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.array(fc.integer({ min: 0, max: 4 * HOUR_MS }), { maxLength: 40 }), (max, offsets) => {
        let history: readonly string[] = [];
        const admitted: number[] = [];
        for (const t of [...offsets].sort((a, b) => a - b)) {
          const d = admitUnderRateLimit(history, new Date(t), max);
          if (d.admitted) {
            history = d.history;
            admitted.push(t);
          } else expect(Date.parse(d.retryAt)).toBeGreaterThan(t);
        }
        for (const start of admitted) expect(admitted.filter((t) => t >= start && t < start + HOUR_MS).length).toBeLessThanOrEqual(max);
      }),
    );
  });

  test('the retry time is when the oldest slot in the window frees', () => {
    const history = ['2026-11-29T04:10:00.000Z', '2026-11-29T04:20:00.000Z'];
    expect(admitUnderRateLimit(history, NOW, 2)).toEqual({ admitted: false, retryAt: '2026-11-29T05:10:01.000Z', inWindow: 2 });
    expect(admitUnderRateLimit(history, NOW, 3)).toMatchObject({ admitted: true, history: [...history, NOW.toISOString()] });
  });
});

describe('config', () => {
  test('defaults match the issue', () => {
    expect(resolveResponseConfig()).toEqual({
      mode: 'dry-run',
      minSeverity: 7,
      includeTypes: [],
      excludeTypes: [],
      actOnGuardDutyFindings: false,
      maxIsolationsPerHour: 5,
      exemptInstanceIds: [],
      exemptTagKey: 'PicketExempt',
      maxFindingAgeMinutes: 60,
      forensics: false,
    });
  });

  test('bad values name the field, the value and the fix', () => {
    expect(() => resolveResponseConfig({ maxIsolationsPerHour: 0 })).toThrow(/response\.maxIsolationsPerHour is 0; expected an integer from 1 to 1000\. Fix/);
    expect(() => resolveResponseConfig({ exemptInstanceIds: ['web-1'] })).toThrow(/exemptInstanceIds\[0\] is "web-1"/);
    expect(() => resolveResponseConfig({ mode: 'on' as never })).toThrow(/mode is "on"; expected one of off, dry-run, approval, auto/);
  });

  test('type selection: exclude wins, prefixes with *', () => {
    expect(typeSelected('Execution:Runtime/ReverseShell', { includeTypes: ['Execution:*'], excludeTypes: [] })).toBe(true);
    expect(typeSelected('Execution:Runtime/ReverseShell', { includeTypes: ['Execution:*'], excludeTypes: ['Execution:Runtime/ReverseShell'] })).toBe(false);
    expect(typeSelected('Discovery:Runtime/X', { includeTypes: ['Execution:*'], excludeTypes: [] })).toBe(false);
  });
});

describe('planner', () => {
  const finding = parseFinding(findingEvent().detail, 'detail');
  const offline = preStateFromFinding(finding.instanceDetails, finding, NOW);

  test('is deterministic for the same inputs and never mutates its pre-state', () => {
    const frozen = structuredClone(offline);
    const a = planIsolation(offline, settings().targets, NOW);
    const b = planIsolation(offline, settings().targets, NOW);
    expect(a).toEqual(b);
    expect(offline).toEqual(frozen);
  });

  test('offline unknowns are marked resolved-at-run-time; known ones are concrete', () => {
    const rows = planRows(planIsolation(offline, settings().targets, NOW).steps);
    const unresolved = [...new Set(rows.filter((r) => r.resolvedAtRunTime).map((r) => r.step))];
    expect(unresolved).toEqual(['protect', 'deregister-targets', 'swap-instance-profile', 'deny-old-credentials']);
    expect(rows.filter((r) => r.step.startsWith('network')).every((r) => !r.resolvedAtRunTime)).toBe(true);
  });

  test('the deny covers sessions of this instance only, issued before the cut-off', () => {
    const policy = JSON.parse(denyOldCredentialsPolicy({ partition: 'aws-us-gov', region: 'us-gov-west-1', accountId: '111122223333', instanceId: 'i-0123456789abcdef0', issuedBefore: NOW }));
    expect(policy.Statement).toEqual([
      expect.objectContaining({
        Effect: 'Deny',
        Condition: { StringEquals: { 'ec2:SourceInstanceARN': 'arn:aws-us-gov:ec2:us-gov-west-1:111122223333:instance/i-0123456789abcdef0' }, DateLessThan: { 'aws:TokenIssueTime': NOW.toISOString() } },
      }),
    ]);
  });

  test('original groups tag fits EC2 limits', () => {
    const many = Array.from({ length: 15 }, (_, i) => ({ networkInterfaceId: `eni-${String(i).padStart(17, '0')}`, groupIds: ['sg-0123456789abcdef0', 'sg-0123456789abcdef1'] }));
    expect(encodeOriginalGroups(many).length).toBeLessThanOrEqual(256);
  });
});

describe('release planner', () => {
  const pre: PreState = {
    version: 1,
    origin: 'live',
    instanceId: 'i-0123456789abcdef0',
    accountId: '111122223333',
    region: 'eu-west-1',
    partition: 'aws',
    findingId: 'f',
    capturedAt: NOW.toISOString(),
    networkInterfaces: [{ networkInterfaceId: 'eni-1', vpcId: 'vpc-1', groupIds: ['sg-1', 'sg-2'] }],
    autoScalingGroupName: null,
    targetGroups: [],
    instanceProfile: null,
    volumes: [],
    tags: {},
  };

  test('restores only what isolation changed', () => {
    const record = withStep(newRecord(pre.instanceId, 'f', 'isolated', NOW), 'network-isolate', { status: 'succeeded', completedCalls: 1, outputs: {}, at: NOW.toISOString() }, NOW);
    const steps = planRelease(pre, record, NOW);
    expect(steps.filter((s) => s.calls.length > 0).map((s) => s.id)).toEqual(['restore-network', 'tag-released']);
    expect(steps.find((s) => s.id === 'restore-network')!.calls[0]!.parameters).toEqual({ NetworkInterfaceId: 'eni-1', Groups: ['sg-1', 'sg-2'] });
  });
});
