/**
 * Pure coverage domain: heartbeat counter growth (restarts, reboots, redeliveries), platform and kernel
 * support, the evaluation's priorities, the summary and the vCPU-hours accounting, and the settings
 * validation of the handlers.
 */
import { coverageSettingsFromJson } from '../../lambda/coverage/settings';
import { evaluateCoverage } from '../../lambda/domain/coverage/evaluate';
import { applyHeartbeat, type HeartbeatState } from '../../lambda/domain/coverage/heartbeat-state';
import { compareVersions, unsupportedKernelReason, unsupportedOsReason } from '../../lambda/domain/coverage/platforms';
import type { CoverageRecord } from '../../lambda/domain/coverage/record';
import { DEFAULT_COVERAGE_SETTINGS as S } from '../../lambda/domain/coverage/settings';
import { monitoredVcpuHours, summarizeCoverage } from '../../lambda/domain/coverage/summary';
import type { HeartbeatEvent } from '../../lambda/domain/events/runtime-event';
import { heartbeatFixture } from './support';

const T = Date.parse('2026-11-29T06:00:00Z');
const base = heartbeatFixture('healthy');
const hb = (seq: number, fields: Partial<HeartbeatEvent['heartbeat']>): HeartbeatEvent => ({ ...base, seq, heartbeat: { ...base.heartbeat, ...fields } });

function chain(...events: [HeartbeatEvent, number][]): HeartbeatState {
  let state: HeartbeatState | undefined;
  for (const [event, at] of events) {
    const r = applyHeartbeat(state, event, at);
    if (r.applied) state = r.state;
  }
  return state!;
}

describe('heartbeat state', () => {
  test('counter growth, events/s, and losses remembered with their time', () => {
    const first = applyHeartbeat(undefined, hb(1, { eventsSent: 100, uptimeSeconds: 60 }), T);
    expect(first.applied && first.deltas).toEqual({ eventsSent: 0, eventsDropped: 0, auditLost: 0 });
    const second = applyHeartbeat(first.applied ? first.state : undefined, hb(2, { eventsSent: 700, eventsDropped: 5, auditLost: 3, uptimeSeconds: 120 }), T + 60_000);
    expect(second.applied && second.deltas).toEqual({ eventsSent: 600, eventsDropped: 5, auditLost: 3 });
    expect(second.applied && second.state).toMatchObject({ eventsPerSecond: 10, lastDropAt: new Date(T + 60_000).toISOString(), lastAuditLossAt: new Date(T + 60_000).toISOString() });
  });

  test('an agent restart (uptime went down) counts the new counters whole; redeliveries are refused', () => {
    const s1 = chain([hb(10, { eventsSent: 5000, eventsDropped: 9, uptimeSeconds: 9000 }), T]);
    const r = applyHeartbeat(s1, hb(11, { eventsSent: 40, eventsDropped: 2, uptimeSeconds: 30 }), T + 60_000);
    expect(r.applied && r.deltas).toEqual({ eventsSent: 40, eventsDropped: 2, auditLost: 0 });
    expect(applyHeartbeat(s1, hb(10, {}), T + 1)).toEqual({ applied: false, reason: 'seq 10 is not newer than the stored 10' });
    expect(applyHeartbeat(s1, hb(9, {}), T + 1).applied).toBe(false);
  });

  test('a dropped-events burst makes the instance unhealthy for lossHoldMinutes, then it heals', () => {
    const state = chain([hb(1, { uptimeSeconds: 60 }), T], [hb(2, { eventsDropped: 3, uptimeSeconds: 120 }), T + 60_000]);
    expect(evaluateCoverage(undefined, state, { ...S, heartbeatStaleMinutes: 60 }, T + 2 * 60_000).issue?.kind).toBe('EVENTS_DROPPED');
    expect(evaluateCoverage(undefined, state, { ...S, heartbeatStaleMinutes: 60 }, T + 60_000 + (S.lossHoldMinutes + 1) * 60_000).status).toBe('Healthy');
  });
});

describe('platforms', () => {
  test('supported: Amazon Linux 2/2023, Ubuntu 20.04+, Debian 11+, RHEL 8+; not: Windows, CentOS 7, Ubuntu 18.04', () => {
    const linux = {};
    for (const [name, version] of [['Amazon Linux', '2023'], ['Amazon Linux', '2'], ['Ubuntu', '22.04'], ['Debian GNU/Linux', '12'], ['Red Hat Enterprise Linux', '9.4']]) {
      expect(unsupportedOsReason(linux, { PlatformType: 'Linux', PlatformName: name, PlatformVersion: version })).toBeUndefined();
    }
    expect(unsupportedOsReason(linux, { PlatformType: 'Linux', PlatformName: 'Ubuntu', PlatformVersion: '18.04' })).toMatch(/older than the oldest supported \(20.04\)/);
    expect(unsupportedOsReason(linux, { PlatformType: 'Linux', PlatformName: 'CentOS Linux', PlatformVersion: '7' })).toMatch(/not a supported Linux distribution/);
    expect(unsupportedOsReason(linux, { PlatformType: 'Linux', PlatformName: 'Amazon Linux AMI', PlatformVersion: '2018.03' })).toMatch(/not a supported/);
    expect(unsupportedOsReason({ Platform: 'windows', PlatformDetails: 'Windows' }, undefined)).toMatch(/Linux only/);
    expect(unsupportedOsReason(linux, undefined)).toBeUndefined();
  });

  test('kernels: 4.14 and newer', () => {
    expect(unsupportedKernelReason('6.1.112-124.190.amzn2023.aarch64', '4.14')).toBeUndefined();
    expect(unsupportedKernelReason('4.14.355-275.570.amzn2.x86_64', '4.14')).toBeUndefined();
    expect(unsupportedKernelReason('4.9.0-19-amd64', '4.14')).toMatch(/older than 4.14/);
    expect(unsupportedKernelReason('weird', '4.14')).toMatch(/no readable version/);
    expect(compareVersions('20.04', '2')).toBeGreaterThan(0);
  });
});

describe('evaluation priorities', () => {
  test('excluded outranks everything; a reporting agent overcomes missing SSM (manual install)', () => {
    const state = chain([hb(1, {}), T]);
    const infra = { assessedAt: '', accountId: '1', region: 'r', excluded: false, preconditionIssues: [{ kind: 'SSM_NOT_MANAGED' as const, message: '' }], managedInstall: false };
    expect(evaluateCoverage(infra, state, S, T)).toMatchObject({ status: 'Healthy', installMode: 'manual', reporting: true });
    expect(evaluateCoverage(infra, undefined, S, T).issues.map((i) => i.kind)).toEqual(['SSM_NOT_MANAGED', 'AGENT_NOT_REPORTING']);
    expect(evaluateCoverage({ ...infra, excluded: true }, state, S, T).issue?.kind).toBe('EXCLUDED_BY_TAG');
  });
});

describe('summary and vCPU-hours', () => {
  const rec = (id: string, account: string, status: 'Healthy' | 'Unhealthy', vcpus: number, extra: Partial<CoverageRecord> = {}): CoverageRecord => ({
    instanceId: id,
    accountId: account,
    region: 'eu-west-1',
    version: 1,
    status,
    issues: [],
    installMode: 'managed',
    reporting: status === 'Healthy',
    statusSince: new Date(T - 60 * 60_000).toISOString(),
    infra: { assessedAt: '', accountId: account, region: 'eu-west-1', excluded: false, preconditionIssues: [], vcpus },
    updatedAt: '',
    ...extra,
  });
  const records = [
    rec('i-1', '111111111111', 'Healthy', 2),
    rec('i-2', '111111111111', 'Healthy', 4),
    rec('i-3', '222222222222', 'Healthy', 8),
    rec('i-4', '222222222222', 'Unhealthy', 16, { issue: { kind: 'AGENT_NOT_REPORTING', message: '' } }),
    rec('i-5', '222222222222', 'Unhealthy', 2, { issue: { kind: 'EXCLUDED_BY_TAG', message: '' }, infra: { assessedAt: '', accountId: '2', region: 'r', excluded: true, preconditionIssues: [], vcpus: 2 } }),
  ];

  test('covered % leaves excluded instances out; overdue counts long-unhealthy ones', () => {
    expect(summarizeCoverage(records, S, T)).toMatchObject({ instances: 5, excluded: 1, healthy: 3, unhealthy: 1, coveredPercent: 75, unhealthyOverdue: 1, byIssue: { AGENT_NOT_REPORTING: 1 } });
    expect(summarizeCoverage([], S, T).coveredPercent).toBe(100);
  });

  test('monitored vCPU-hours: reporting, non-excluded instances × the interval, per account; a day of runs sums to vCPUs × 24', () => {
    expect(monitoredVcpuHours(records, 5)).toEqual({ '111111111111': (6 * 5) / 60, '222222222222': (8 * 5) / 60 });
    let day = 0;
    for (let run = 0; run < (24 * 60) / 5; run++) day += monitoredVcpuHours(records, 5)['111111111111']!;
    expect(day).toBeCloseTo(6 * 24, 6);
  });
});

describe('handler settings', () => {
  const good = { tableName: 't', eventBusName: 'b', region: 'eu-west-1', partition: 'aws', eventsEndpointServiceName: 'com.amazonaws.eu-west-1.events' };
  test('defaults fill in; errors name the field', () => {
    expect(coverageSettingsFromJson(JSON.stringify(good))).toMatchObject({ ...good, heartbeatStaleMinutes: 10, writeConcurrency: 16 });
    expect(() => coverageSettingsFromJson(undefined)).toThrow(/PICKET_COVERAGE_SETTINGS: is not set/);
    expect(() => coverageSettingsFromJson('{')).toThrow(/is not JSON/);
    expect(() => coverageSettingsFromJson(JSON.stringify({ ...good, tableName: '' }))).toThrow(/PICKET_COVERAGE_SETTINGS.tableName: expected a non-empty string/);
    expect(() => coverageSettingsFromJson(JSON.stringify({ ...good, heartbeatStaleMinutes: -1 }))).toThrow(/heartbeatStaleMinutes: expected a positive number/);
    expect(() => coverageSettingsFromJson(JSON.stringify({ ...good, accountIds: ['x'] }))).toThrow(/accountIds/);
  });
});
