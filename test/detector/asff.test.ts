/**
 * Security Hub: findings from a real capture map to valid ASFF (every required field, the Types
 * taxonomy, severity label and value, the instance as an AwsEc2Instance resource, the process), and
 * with the export on the detector imports published findings after publishing them, never failing
 * the batch when Security Hub refuses.
 */
import { BatchImportFindingsCommand } from '@aws-sdk/client-securityhub';
import { DetectionEngine } from '../../lambda/domain/detection/engine';
import { BUILTIN_RULES } from '../../lambda/domain/detection/rules/index';
import type { ActivityEvent } from '../../lambda/domain/events/runtime-event';
import type { Finding } from '../../lambda/domain/findings/finding';
import { ASFF_SCHEMA_VERSION, asffTypes, toAsff } from '../../lambda/detector/asff';
import { toInstanceDetails } from '../../lambda/detector/instance-details';
import { commandOrder, newDetector, publishedFindings, resetMocks, securityHubMock, settings } from './harness';
import { ACCOUNT, INSTANCE_A, INSTANCE_B, REGION, batchRecord, captureEvents, sqsEvent } from './records';

beforeEach(() => resetMocks());

/** Findings of real captures, through the engine, with EC2 details as DescribeInstances gives them. */
function realFindings(): Finding[] {
  const engine = new DetectionEngine({
    rules: BUILTIN_RULES,
    accountId: ACCOUNT,
    region: REGION,
    detectorId: 'picket-test',
    stateOptions: { learningPeriodMs: 0 },
    // Several captures on one instance: each capture numbers its events from 1.
    dedupe: false,
    instanceDetails: (id) =>
      toInstanceDetails(id, {
        InstanceId: id,
        InstanceType: 't3.micro',
        ImageId: 'ami-0123',
        IamInstanceProfile: { Arn: `arn:aws:iam::${ACCOUNT}:instance-profile/web` },
        NetworkInterfaces: [{ NetworkInterfaceId: 'eni-1', VpcId: 'vpc-1', SubnetId: 'subnet-1', PrivateIpAddress: '10.0.0.5', Groups: [{ GroupId: 'sg-1' }] }],
        Tags: [{ Key: 'Name', Value: 'web-1' }],
      }),
  });
  for (const capture of ['reverse-shell-bash', 'crypto-miner-executed', 'suspicious-tool', 'elevation-to-root']) {
    for (const e of captureEvents(capture, INSTANCE_A)) engine.process(e as ActivityEvent, INSTANCE_A);
  }
  return engine.cachedFindings();
}

const TYPES_PATTERN = /^(Software and Configuration Checks|TTPs|Effects|Unusual Behaviors|Sensitive Data Identifications)\/[^/]+\/[^/]+$/;

test('every finding maps to ASFF with all required fields and valid values', () => {
  const findings = realFindings();
  expect(findings.length).toBeGreaterThanOrEqual(4);
  for (const f of findings) {
    const a = toAsff(f);
    for (const field of ['SchemaVersion', 'Id', 'ProductArn', 'GeneratorId', 'AwsAccountId', 'CreatedAt', 'UpdatedAt', 'Title', 'Description', 'Resources'] as const) {
      expect(a[field]).toBeTruthy();
    }
    expect(a.SchemaVersion).toBe(ASFF_SCHEMA_VERSION);
    expect(a.ProductArn).toBe(`arn:aws:securityhub:${REGION}:${ACCOUNT}:product/${ACCOUNT}/default`);
    expect(a.AwsAccountId).toMatch(/^\d{12}$/);
    for (const t of a.Types!) expect(t).toMatch(TYPES_PATTERN);
    expect(a.Title!.length).toBeLessThanOrEqual(256);
    expect(a.Description!.length).toBeLessThanOrEqual(1024);
    for (const ts of [a.CreatedAt, a.UpdatedAt, a.FirstObservedAt, a.LastObservedAt]) expect(new Date(ts!).toISOString()).toBe(ts);
    expect(['LOW', 'MEDIUM', 'HIGH', 'CRITICAL']).toContain(a.Severity!.Label);
    expect(Number(a.Severity!.Original)).toBeCloseTo(f.severity, 1);
    expect(a.Resources).toHaveLength(1);
    expect(a.Resources![0]).toMatchObject({
      Type: 'AwsEc2Instance',
      Id: `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/${INSTANCE_A}`,
      Partition: 'aws',
      Region: REGION,
      Tags: { Name: 'web-1' },
      Details: { AwsEc2Instance: { Type: 't3.micro', ImageId: 'ami-0123', VpcId: 'vpc-1', SubnetId: 'subnet-1', IamInstanceProfileArn: `arn:aws:iam::${ACCOUNT}:instance-profile/web` } },
    });
    for (const [k, v] of Object.entries(a.ProductFields!)) {
      expect(k.length).toBeLessThanOrEqual(128);
      expect(v.length).toBeLessThanOrEqual(2048);
    }
    expect(a.RecordState).toBe('ACTIVE');
  }
  const shell = toAsff(findings.find((f) => f.type === 'Execution:Runtime/ReverseShell')!);
  expect(shell.Types).toEqual(['TTPs/Execution/Execution:Runtime-ReverseShell']);
  expect(shell.Process).toMatchObject({ Name: 'bash', Path: '/usr/bin/bash', Pid: expect.any(Number), ParentPid: expect.any(Number) });
  expect(shell.Severity).toEqual({ Label: 'HIGH', Original: '8.0' });
});

test('Types follow the threat purpose', () => {
  expect(asffTypes('Backdoor:Runtime/C&CActivity.B!DNS')).toEqual(['TTPs/Command and Control/Backdoor:Runtime-C&CActivity.B!DNS']);
  expect(asffTypes('Impact:Runtime/CryptoMinerExecuted')).toEqual(['Effects/Resource Consumption/Impact:Runtime-CryptoMinerExecuted']);
  expect(asffTypes('Custom:Runtime/MyRule')).toEqual(['Unusual Behaviors/Process/Custom:Runtime-MyRule']);
});

test('with the export on, published findings are imported after they are published', async () => {
  securityHubMock.on(BatchImportFindingsCommand).callsFake((input: { Findings: unknown[] }) => ({ SuccessCount: input.Findings.length, FailedCount: 0, FailedFindings: [] }));
  const { detector } = newDetector({ settings: settings({ securityHubExport: true }) });
  await detector.handle(sqsEvent([batchRecord(INSTANCE_A, captureEvents('reverse-shell-bash', INSTANCE_A), 'a')]));
  const imported = securityHubMock.commandCalls(BatchImportFindingsCommand).flatMap((c) => c.args[0].input.Findings ?? []);
  expect(imported.map((f) => f.Id).sort()).toEqual(publishedFindings().map((f) => f.id).sort());
  const order = commandOrder();
  expect(order.indexOf('BatchImportFindingsCommand')).toBeGreaterThan(order.indexOf('PutEventsCommand'));
  expect(order.indexOf('BatchImportFindingsCommand')).toBeLessThan(order.indexOf('TransactWriteCommand'));
});

test('a Security Hub failure is logged and counted, and the batch still succeeds', async () => {
  securityHubMock.on(BatchImportFindingsCommand).rejects(Object.assign(new Error('Security Hub is not enabled'), { name: 'InvalidAccessException' }));
  const { detector, metrics, log } = newDetector({ settings: settings({ securityHubExport: true }) });
  const response = await detector.handle(sqsEvent([batchRecord(INSTANCE_B, captureEvents('crypto-miner-executed', INSTANCE_B), 'b')]));
  expect(response.batchItemFailures).toEqual([]);
  expect(metrics.sum('SecurityHubExportFailures')).toBeGreaterThan(0);
  expect(log.lines.some((l) => l.level === 'error' && /Security Hub export failed/.test(l.message))).toBe(true);
  expect(publishedFindings().map((f) => f.type)).toContain('Impact:Runtime/CryptoMinerExecuted');
});
