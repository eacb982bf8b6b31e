/**
 * Coverage evaluation cost for 10,000 instances, against JSON.parse of the same describe pages in the
 * same run (the SDK must parse them anyway, so the ratio says what evaluation adds on top of reading):
 * - assess + evaluate + next record + summary for 10,000 instances (describe pages parsed, joined with
 *   stored heartbeat records, every instance judged), as a multiple of JSON.parse of the pages;
 * - the heartbeat path: gate (decode + validate) + apply + evaluate for one heartbeat, against
 *   JSON.parse of the same EventBridge event.
 * Pages are built from the API fixtures of test/coverage/fixtures (the documented response shapes).
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { assessInstance } from '../lambda/domain/coverage/assess';
import { evaluateCoverage } from '../lambda/domain/coverage/evaluate';
import type { Ec2Reservation, SsmInstanceInformation, VpcEndpointInfo } from '../lambda/domain/coverage/facts';
import { applyHeartbeat, type HeartbeatState } from '../lambda/domain/coverage/heartbeat-state';
import { type CoverageRecord, nextRecord } from '../lambda/domain/coverage/record';
import { DEFAULT_COVERAGE_SETTINGS as S } from '../lambda/domain/coverage/settings';
import { summarizeCoverage } from '../lambda/domain/coverage/summary';
import { encodeBatch } from '../lambda/domain/events/batch';
import { gateIngestEvent } from '../lambda/domain/events/ingest-gate';
import type { HeartbeatEvent } from '../lambda/domain/events/runtime-event';
import { type Reporter, timeMs } from './harness';

const N = 10_000;
const FIX = path.join(__dirname, '../test/coverage/fixtures');
const read = <T>(file: string): T => JSON.parse(readFileSync(path.join(FIX, file), 'utf8')) as T;
const idOf = (i: number) => `i-0${i.toString(16).padStart(16, '0')}`;
const NOW = Date.parse('2026-11-29T06:00:00Z');

function pages(): { ec2: string[]; ssm: string[]; endpoints: string } {
  const base = read<{ Reservations: Ec2Reservation[] }>('api/base/describe-instances.json').Reservations[0]!;
  const instance = base.Instances![0]!;
  const ec2: string[] = [];
  for (let p = 0; p < N / 1000; p++) {
    const reservations = Array.from({ length: 100 }, (_, r) => ({ ...base, Instances: Array.from({ length: 10 }, (_, k) => ({ ...instance, InstanceId: idOf(p * 1000 + r * 10 + k) })) }));
    ec2.push(JSON.stringify({ Reservations: reservations, NextToken: `page-${p + 1}` }));
  }
  const info = read<{ InstanceInformationList: SsmInstanceInformation[] }>('api/base/describe-instance-information.json').InstanceInformationList[0]!;
  const ssm: string[] = [];
  for (let p = 0; p < N / 50; p++) ssm.push(JSON.stringify({ InstanceInformationList: Array.from({ length: 50 }, (_, k) => ({ ...info, InstanceId: idOf(p * 50 + k) })), NextToken: `p${p + 1}` }));
  return { ec2, ssm, endpoints: readFileSync(path.join(FIX, 'api/base/describe-vpc-endpoints.json'), 'utf8') };
}

function storedRecords(): Map<string, CoverageRecord> {
  const hb = read<HeartbeatEvent>('heartbeat/healthy.json');
  const out = new Map<string, CoverageRecord>();
  for (let i = 0; i < N; i++) {
    const applied = applyHeartbeat(undefined, { ...hb, instanceId: idOf(i) }, NOW - 60_000);
    const state = (applied as { state: HeartbeatState }).state;
    out.set(idOf(i), { instanceId: idOf(i), accountId: '111122223333', region: 'eu-west-1', version: 1, status: 'Healthy', issues: [], installMode: 'managed', reporting: true, statusSince: '', heartbeat: state, updatedAt: '' });
  }
  return out;
}

export default async function (r: Reporter): Promise<void> {
  const { ec2, ssm, endpoints } = pages();
  const records = storedRecords();
  const parseAll = () => {
    let n = 0;
    for (const p of ec2) n += (JSON.parse(p) as { Reservations: unknown[] }).Reservations.length;
    for (const p of ssm) n += (JSON.parse(p) as { InstanceInformationList: unknown[] }).InstanceInformationList.length;
    return n + (JSON.parse(endpoints) as { VpcEndpoints: unknown[] }).VpcEndpoints.length;
  };
  const evaluateAll = () => {
    const infoById = new Map<string, SsmInstanceInformation>();
    for (const p of ssm) for (const i of (JSON.parse(p) as { InstanceInformationList: SsmInstanceInformation[] }).InstanceInformationList) infoById.set(i.InstanceId!, i);
    const eps = (JSON.parse(endpoints) as { VpcEndpoints: VpcEndpointInfo[] }).VpcEndpoints;
    const out: CoverageRecord[] = [];
    for (const p of ec2) {
      for (const res of (JSON.parse(p) as { Reservations: Ec2Reservation[] }).Reservations) {
        for (const instance of res.Instances ?? []) {
          const previous = records.get(instance.InstanceId!);
          const infra = assessInstance({ accountId: res.OwnerId!, region: 'eu-west-1', instance, ssm: infoById.get(instance.InstanceId!), vpcEndpoints: eps }, S, NOW, previous?.infra);
          const status = evaluateCoverage(infra, previous?.heartbeat, S, NOW);
          out.push(nextRecord(previous, { instanceId: instance.InstanceId!, accountId: res.OwnerId!, region: 'eu-west-1', infra, ...(previous?.heartbeat ? { heartbeat: previous.heartbeat } : {}) }, status, NOW).record);
        }
      }
    }
    return summarizeCoverage(out, S, NOW);
  };
  const check = evaluateAll();
  if (check.instances !== N || check.healthy !== N) throw new Error(`bench sanity: expected ${N} healthy, got ${JSON.stringify({ instances: check.instances, healthy: check.healthy })}`);

  const baseline = await timeMs(parseAll, 5);
  const evaluation = await timeMs(evaluateAll, 5);
  r.record({
    name: `coverage evaluation of ${N} instances (parse + assess + evaluate + record + summary), cost relative to parsing alone (lower is better)`,
    value: Math.round(evaluation),
    unit: 'ms',
    baseline: `JSON.parse of the same ${ec2.length} DescribeInstances + ${ssm.length} DescribeInstanceInformation pages: ${Math.round(baseline)} ms`,
    ratio: Math.round((evaluation / baseline) * 100) / 100,
    target: '<= 5 (evaluation costs at most a few parses; 10k instances well inside one 5-minute invocation)',
    met: evaluation / baseline <= 5,
  });

  const heartbeat = read<HeartbeatEvent>('heartbeat/healthy-later.json');
  const envelope = JSON.stringify({
    version: '0',
    id: 'bench',
    'detail-type': 'Picket Agent Heartbeat',
    source: `picket.agent/arn:aws:ec2:eu-west-1:111122223333:instance/${heartbeat.instanceId}`,
    account: '111122223333',
    time: '2026-11-29T06:00:00Z',
    region: 'eu-west-1',
    resources: [],
    detail: encodeBatch([heartbeat]),
  });
  const stored = records.get(idOf(0))!;
  const ROUNDS = 2000;
  const parseOnly = await timeMs(() => {
    for (let i = 0; i < ROUNDS; i++) JSON.parse(envelope);
  });
  const handle = await timeMs(() => {
    for (let i = 0; i < ROUNDS; i++) {
      const gate = gateIngestEvent(JSON.parse(envelope));
      if (!gate.ok) throw new Error(gate.reason);
      const applied = applyHeartbeat({ ...stored.heartbeat!, seq: 0 }, gate.accepted[0] as HeartbeatEvent, NOW);
      if (applied.applied) evaluateCoverage(undefined, applied.state, S, NOW);
    }
  });
  r.record({
    name: 'heartbeat path per event (gate: gunzip + schema + source check, apply, evaluate), cost relative to JSON.parse of the event (lower is better)',
    value: Math.round((handle / ROUNDS) * 1000) / 1000,
    unit: 'ms/heartbeat',
    baseline: `JSON.parse of the same EventBridge event: ${Math.round((parseOnly / ROUNDS) * 1000) / 1000} ms`,
    ratio: Math.round((handle / parseOnly) * 10) / 10,
  });
}
