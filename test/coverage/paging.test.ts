/**
 * Paging: 2,600 instances (three DescribeInstances pages of up to 1,000, 52 DescribeInstanceInformation
 * pages of 50, a paged table scan) are evaluated in one invocation, every one of them written.
 */
import { DescribeInstanceAssociationsStatusCommand, DescribeInstanceInformationCommand } from '@aws-sdk/client-ssm';
import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import type { Ec2Reservation, SsmInstanceInformation } from '../../lambda/domain/coverage/facts';
import { silentLogger } from '../../lambda/coverage/ports';
import { runScheduledEvaluation } from '../../lambda/coverage/scheduled';
import { apiFixture, type CoverageFakes, createCoverageFakes, recordingMetrics, SETTINGS } from './support';

const COUNT = 2600;
const NOW = Date.parse('2026-11-29T06:10:00Z');
let fakes: CoverageFakes;

const idOf = (i: number) => `i-0${i.toString(16).padStart(16, '0')}`;

/** The base fixture's instance, cloned COUNT times with distinct ids, in reservations of 10. */
function reservations(): Ec2Reservation[] {
  const base = apiFixture<{ Reservations: Ec2Reservation[] }>('describe-instances').Reservations[0]!;
  const template = base.Instances![0]!;
  const out: Ec2Reservation[] = [];
  for (let r = 0; r < COUNT / 10; r++) {
    out.push({ ...base, Instances: Array.from({ length: 10 }, (_, k) => ({ ...template, InstanceId: idOf(r * 10 + k) })) });
  }
  return out;
}

beforeEach(() => {
  fakes = createCoverageFakes();
  fakes.serveFixtures(undefined);
  const all = reservations();
  // 1,000 instances a page = 100 reservations of 10
  fakes.ec2.on(DescribeInstancesCommand).callsFake((input) => {
    fakes.calls.push('EC2.DescribeInstances');
    const start = input.NextToken ? Number(input.NextToken) : 0;
    const page = all.slice(start, start + 100);
    return { Reservations: page, ...(start + 100 < all.length ? { NextToken: String(start + 100) } : {}) };
  });
  const info = apiFixture<{ InstanceInformationList: SsmInstanceInformation[] }>('describe-instance-information').InstanceInformationList[0]!;
  fakes.ssm.on(DescribeInstanceInformationCommand).callsFake((input) => {
    fakes.calls.push('SSM.DescribeInstanceInformation');
    const start = input.NextToken ? Number(input.NextToken) : 0;
    const list = Array.from({ length: Math.min(50, COUNT - start) }, (_, k) => ({ ...info, InstanceId: idOf(start + k) }));
    return { InstanceInformationList: list, ...(start + 50 < COUNT ? { NextToken: String(start + 50) } : {}) };
  });
  fakes.ssm.on(DescribeInstanceAssociationsStatusCommand).callsFake((input) => {
    fakes.calls.push('SSM.DescribeInstanceAssociationsStatus');
    const body = apiFixture<{ InstanceAssociationStatusInfos: object[] }>('describe-instance-associations-status');
    return { InstanceAssociationStatusInfos: body.InstanceAssociationStatusInfos.map((a) => ({ ...a, InstanceId: input.InstanceId })) };
  });
});

test(`${COUNT} instances over several pages are all evaluated in one invocation`, async () => {
  const metrics = recordingMetrics();
  const result = await runScheduledEvaluation(fakes.clients, SETTINGS, { nowMs: NOW, logger: silentLogger, metrics });
  expect(fakes.calls.filter((c) => c === 'EC2.DescribeInstances')).toHaveLength(3);
  expect(fakes.ec2.commandCalls(DescribeInstancesCommand).map((c) => c.args[0].input.NextToken)).toEqual([undefined, '100', '200']);
  expect(fakes.ec2.commandCalls(DescribeInstancesCommand)[0]!.args[0].input).toMatchObject({
    MaxResults: 1000,
    Filters: [{ Name: 'instance-state-name', Values: ['running'] }, { Name: 'tag:PicketManaged', Values: ['true', 'false'] }],
  });
  expect(fakes.calls.filter((c) => c === 'SSM.DescribeInstanceInformation')).toHaveLength(COUNT / 50);
  expect(result.instances).toBe(COUNT);
  expect(fakes.table.size).toBe(COUNT);
  expect(result.changes).toHaveLength(COUNT);
  // PutEvents takes 10 entries a call
  expect(fakes.calls.filter((c) => c === 'EventBridge.PutEvents')).toHaveLength(COUNT / 10);
  expect(metrics.summaries[0]).toMatchObject({ instances: COUNT, unhealthy: COUNT, coveredPercent: 0 });

  // A second run reads the table back in pages (100 an item page in the fake) and changes nothing.
  fakes.calls.length = 0;
  const again = await runScheduledEvaluation(fakes.clients, SETTINGS, { nowMs: NOW + 60_000, logger: silentLogger, metrics });
  expect(fakes.calls.filter((c) => c === 'DynamoDB.Scan')).toHaveLength(COUNT / 100);
  expect(again.written).toBe(0);
  expect(again.changes).toHaveLength(0);
});
