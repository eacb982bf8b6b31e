/**
 * The detector's adapters on their own: PutEvents request splitting (10 entries, 256 KB), finding
 * documents cut to size, state compression under the item limit, intel cache reuse and stale-on-error,
 * and the reason codes of every kind of bad record.
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { DetectionEngine } from '../../lambda/domain/detection/engine';
import { MemoryInstanceState } from '../../lambda/domain/detection/memory-instance-state';
import { BUILTIN_RULES } from '../../lambda/domain/detection/rules/index';
import type { ActivityEvent } from '../../lambda/domain/events/runtime-event';
import type { Finding } from '../../lambda/domain/findings/finding';
import { fitFinding } from '../../lambda/detector/fit-finding';
import { gateRecord } from '../../lambda/detector/gate-record';
import { IntelCache, classifyIntelKey } from '../../lambda/detector/intel-cache';
import { FindingsPublisher, MAX_ENTRIES_PER_PUT, MAX_REQUEST_BYTES } from '../../lambda/detector/publisher';
import { detectorSettingsFromJson } from '../../lambda/detector/settings';
import { MAX_STATE_BYTES, compressState } from '../../lambda/detector/state-store';
import { eventsMock, resetMocks, s3Mock, serveIntel, RecordedLog } from './harness';
import { ACCOUNT, INSTANCE_A, REGION, batchRecord, captureEvents, eventBridgeEvent, sqsRecord } from './records';

beforeEach(() => resetMocks());

function realFinding(): Finding {
  const engine = new DetectionEngine({ rules: BUILTIN_RULES, accountId: ACCOUNT, region: REGION, detectorId: 'd' });
  for (const e of captureEvents('reverse-shell-bash', INSTANCE_A)) engine.process(e as ActivityEvent, INSTANCE_A);
  return engine.cachedFindings()[0]!;
}

test('PutEvents requests hold at most 10 entries and 256 KB', async () => {
  const base = realFinding();
  const big = 'A'.repeat(60 * 1024);
  const items = Array.from({ length: 25 }, (_, i) => {
    const f = { ...base, id: `f${i}`, description: i % 5 === 0 ? big : base.description };
    return { finding: f, json: JSON.stringify(f) };
  });
  await new FindingsPublisher(new EventBridgeClient({ region: REGION }), 'bus', { sleep: async () => {} }).publish(items);
  const calls = eventsMock.commandCalls(PutEventsCommand).map((c) => c.args[0].input.Entries!);
  expect(calls.flat().map((e) => JSON.parse(e.Detail!).id)).toEqual(items.map((i) => i.finding.id));
  for (const entries of calls) {
    expect(entries.length).toBeLessThanOrEqual(MAX_ENTRIES_PER_PUT);
    const bytes = entries.reduce((n, e) => n + 14 + Buffer.byteLength(e.Source!) + Buffer.byteLength(e.DetailType!) + Buffer.byteLength(e.Detail!) + (e.Resources ?? []).join('').length, 0);
    expect(bytes).toBeLessThanOrEqual(MAX_REQUEST_BYTES);
  }
});

test('an entry refused for a non-transient reason fails at once (no retry loop)', async () => {
  eventsMock.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'AccessDeniedException', ErrorMessage: 'not authorized' }] });
  const f = realFinding();
  await expect(new FindingsPublisher(new EventBridgeClient({ region: REGION }), 'bus', { sleep: async () => {} }).publish([{ finding: f, json: JSON.stringify(f) }])).rejects.toThrow(/refused an entry: AccessDeniedException/);
  expect(eventsMock.commandCalls(PutEventsCommand)).toHaveLength(1);
});

test('a finding with huge host text is cut under the budget and says so', () => {
  const f = realFinding();
  const proc = f.service.runtimeDetails!.process!;
  const huge = { ...f, service: { ...f.service, runtimeDetails: { ...f.service.runtimeDetails, process: { ...proc, commandLine: 'x'.repeat(600_000) } } } } as Finding;
  const fitted = fitFinding(huge);
  expect(Buffer.byteLength(fitted.json)).toBeLessThanOrEqual(200 * 1024);
  expect(fitted.finding.id).toBe(f.id);
  expect(fitted.finding.service.additionalInfo?.['truncatedForSize']).toBe(true);
  expect(fitFinding(f).json).toBe(JSON.stringify(f));
});

test('state that would not fit a DynamoDB item is shrunk (oldest entries go) until it does', () => {
  const state = new MemoryInstanceState(INSTANCE_A, { maxEntriesPerNamespace: 100_000 });
  // Incompressible keys and values (hex digests), deterministic.
  const hex = (i: number, salt: string) => createHash('sha256').update(`${salt}${i}`).digest('hex');
  for (let i = 0; i < 20_000; i++) state.remember('files', `/tmp/${hex(i, 'k')}`, hex(i, 'v'), 3_600_000, 1_000);
  expect(gzipSync(JSON.stringify(state.toJSON())).length).toBeGreaterThan(MAX_STATE_BYTES);
  const bytes = compressState(state, { maxEntriesPerNamespace: 100_000 });
  expect(bytes.length).toBeLessThanOrEqual(MAX_STATE_BYTES);
  expect(compressState(new MemoryInstanceState(INSTANCE_A)).length).toBeLessThan(200);
});

test('intel is loaded once per TTL and a failed reload keeps the lists loaded before', async () => {
  serveIntel({ 'intel/trusted/ok.txt': '192.0.2.1\n' });
  const log = new RecordedLog();
  const cache = new IntelCache({ s3: new S3Client({ region: REGION }), locations: [{ bucket: 'b', prefix: 'intel/' }], seedDir: false, ttlMs: 60_000, log });
  const first = await cache.get(0);
  expect(await cache.get(30_000)).toBe(first);
  expect(s3Mock.commandCalls(ListObjectsV2Command)).toHaveLength(1);
  s3Mock.on(ListObjectsV2Command).rejects(Object.assign(new Error('denied'), { name: 'AccessDenied' }));
  expect(await cache.get(120_000)).toBe(first);
  expect(log.lines.some((l) => l.level === 'error' && /intel reload failed/.test(l.message))).toBe(true);
  const cold = new IntelCache({ s3: new S3Client({ region: REGION }), locations: [{ bucket: 'b', prefix: 'intel/' }], seedDir: false, ttlMs: 60_000, log });
  await expect(cold.get(0)).rejects.toThrow(/denied/);
});

test('intel keys map to roles and categories; other keys are ignored', () => {
  expect(classifyIntelKey('threat/c2/list.txt')).toEqual({ role: 'threat', category: 'c2' });
  expect(classifyIntelKey('threat/not-a-category/list.txt')).toEqual({ role: 'threat', category: 'custom' });
  expect(classifyIntelKey('threat/list.txt')).toEqual({ role: 'threat', category: 'custom' });
  expect(classifyIntelKey('trusted/ok.txt')).toEqual({ role: 'trusted' });
  expect(classifyIntelKey('sha256/bad.txt')).toEqual({ role: 'sha256', category: 'custom' });
  for (const k of ['readme.md', 'threat/c2/deep/x.txt', 'trusted/', 'other/x.txt']) expect(classifyIntelKey(k)).toBeUndefined();
});

test('every kind of bad record gets its reason code', () => {
  const events = captureEvents('reverse-shell-bash', INSTANCE_A).slice(0, 2);
  const code = (r: ReturnType<typeof sqsRecord>) => {
    const g = gateRecord(r, ACCOUNT);
    return g.ok ? g.rejected.map((x) => x.code).join(',') || 'ok' : g.rejection.code;
  };
  expect(code(batchRecord(INSTANCE_A, events))).toBe('ok');
  expect(code(sqsRecord('not json'))).toBe('bad-json');
  expect(code(batchRecord(INSTANCE_A, events, undefined, { source: 'picket.agent/not-an-arn' }))).toBe('forged-source');
  expect(code(batchRecord(INSTANCE_A, events, undefined, { region: 'us-east-1' }))).toBe('forged-source');
  expect(code(batchRecord(INSTANCE_A, events, undefined, { detailType: 'Something Else' }))).toBe('bad-detail-type');
  expect(code(sqsRecord(eventBridgeEvent(INSTANCE_A, { v: 1, instanceId: INSTANCE_A })))).toBe('bad-envelope');
  const heartbeat = { ...events[0]!, kind: 'heartbeat' } as never;
  expect(code(batchRecord(INSTANCE_A, [heartbeat, events[1]!]))).toMatch(/schema|wrong-kind/);
});

test('settings from the environment are checked, naming the field', () => {
  const ok = { accountId: ACCOUNT, region: REGION, partition: 'aws', detectorId: 'd', stateTable: 's', findingsTable: 'f', findingsBus: 'b', updateIntervalMs: 300_000, securityHubExport: false, intelLocations: [], suppression: [] };
  expect(detectorSettingsFromJson(JSON.stringify(ok))).toMatchObject({ accountId: ACCOUNT, intelTtlMs: 300_000, suppression: { central: [] } });
  expect(() => detectorSettingsFromJson(undefined)).toThrow(/PICKET_DETECTOR_SETTINGS: is not set/);
  expect(() => detectorSettingsFromJson('{')).toThrow(/is not JSON/);
  expect(() => detectorSettingsFromJson(JSON.stringify({ ...ok, accountId: '12' }))).toThrow(/accountId: expected a 12-digit account id, got "12"/);
  expect(() => detectorSettingsFromJson(JSON.stringify({ ...ok, stateTable: '' }))).toThrow(/stateTable: expected a non-empty string/);
  expect(() => detectorSettingsFromJson(JSON.stringify({ ...ok, intelLocations: [{ bucket: 1 }] }))).toThrow(/intelLocations\[0\]/);
});
