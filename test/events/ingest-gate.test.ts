import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { encodeBatch } from '../../lambda/domain/events/batch';
import { gateIngestEvent, parseAgentSource } from '../../lambda/domain/events/ingest-gate';
import { DETAIL_TYPE_EVENTS, DETAIL_TYPE_HEARTBEAT, type EventBatchDetail, type RuntimeEvent } from '../../lambda/domain/events/runtime-event';
import { ACCOUNT, execEvent, INSTANCE, OTHER_INSTANCE, REGION, runtimeEventArb, SOURCE } from './arbitraries';

/** An EventBridge event as the detector receives it (e.g. the body of an SQS message). */
function envelope(detail: unknown, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    version: '0',
    id: 'b7e1c0de-0000-4000-8000-000000000001',
    'detail-type': DETAIL_TYPE_EVENTS,
    source: SOURCE,
    account: ACCOUNT,
    time: '2026-03-14T09:15:03Z',
    region: REGION,
    resources: [],
    detail,
    ...overrides,
  };
}

/** A gzip+base64 detail built from raw lines, so a batch can hold lines encodeBatch would refuse. */
function detailOfLines(lines: readonly string[], firstSeq = 1): EventBatchDetail {
  return {
    v: 1,
    instanceId: INSTANCE,
    encoding: 'gzip+base64',
    count: lines.length,
    firstSeq,
    lastSeq: firstSeq + lines.length - 1,
    data: gzipSync(Buffer.from(lines.join('\n'))).toString('base64'),
  };
}

function gateOk(event: unknown) {
  const result = gateIngestEvent(event);
  if (!result.ok) throw new Error(`expected the gate to accept the envelope: ${result.reason}`);
  return result;
}

function gateReason(event: unknown): string {
  const result = gateIngestEvent(event);
  if (result.ok) throw new Error('expected the gate to reject the envelope');
  return result.reason;
}

describe('gateIngestEvent', () => {
  it('accepts a good batch and names the sender from source', () => {
    const events = [execEvent(1), execEvent(2), execEvent(3)];
    const result = gateOk(envelope(encodeBatch(events)));
    expect(result.accepted).toEqual(events);
    expect(result.rejected).toEqual([]);
    expect(result.sender).toEqual({
      instanceId: INSTANCE,
      accountId: ACCOUNT,
      region: REGION,
      partition: 'aws',
      instanceArn: `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/${INSTANCE}`,
    });
    expect(result.batch).toMatchObject({ instanceId: INSTANCE, count: 3, firstSeq: 1, lastSeq: 3 });
  });

  it('rejects an event whose body names another instance than its source, and keeps the rest of the batch', () => {
    const spoofed = execEvent(2, { instanceId: OTHER_INSTANCE });
    const lines = [execEvent(1), spoofed, execEvent(3)].map((e) => JSON.stringify(e));
    const result = gateOk(envelope(detailOfLines(lines)));
    expect(result.accepted.map((e) => e.seq)).toEqual([1, 3]);
    expect(result.rejected).toEqual([
      {
        index: 1,
        reason: `event 1: instanceId ${OTHER_INSTANCE} differs from the sender ${INSTANCE} named in source (an instance may only report about itself)`,
      },
    ]);
  });

  it('rejects a whole batch whose envelope names another instance than its source', () => {
    const detail = { ...encodeBatch([execEvent(1, { instanceId: OTHER_INSTANCE })]), instanceId: OTHER_INSTANCE };
    const result = gateIngestEvent(envelope(detail));
    expect(result).toMatchObject({ ok: false, sender: { instanceId: INSTANCE } });
    expect(!result.ok && result.reason).toBe(
      `EventBridge event "b7e1c0de-0000-4000-8000-000000000001": detail.instanceId ${OTHER_INSTANCE} differs from the sender ${INSTANCE} named in source: an instance may only report about itself`,
    );
  });

  it.each<[string, unknown]>([
    ['another producer', 'picket.detector'],
    ['an agent prefix without ARN', 'picket.agent/'],
    ['a bare instance id', `picket.agent/${INSTANCE}`],
    ['an upper-case instance id', `picket.agent/arn:aws:ec2:${REGION}:${ACCOUNT}:instance/i-0A1B2C3D4E5F60718`],
    ['an 11-digit account', `picket.agent/arn:aws:ec2:${REGION}:11112222333:instance/${INSTANCE}`],
    ['another service', `picket.agent/arn:aws:iam::${ACCOUNT}:role/${INSTANCE}`],
    ['another EC2 resource type', `picket.agent/arn:aws:ec2:${REGION}:${ACCOUNT}:volume/vol-0a1b2c3d4e5f60718`],
    ['a trailing suffix', `${SOURCE}/extra`],
    ['a newline injection', `${SOURCE}\nsource: picket.agent/other`],
    ['a wrong prefix case', SOURCE.replace('picket.agent/', 'Picket.Agent/')],
    ['no source at all', undefined],
    ['a number', 42],
  ])('rejects a forged or invalid source: %s', (_name, source) => {
    const reason = gateReason(envelope(encodeBatch([execEvent(1)]), { source }));
    expect(reason).toMatch(/^EventBridge event "b7e1c0de-[0-9a-f-]+": source: expected "picket\.agent\//);
  });

  it.each([
    ['aws-us-gov', 'us-gov-west-1'],
    ['aws-cn', 'cn-north-1'],
    ['aws-iso-b', 'us-isob-east-1'],
  ])('accepts instance ARNs of the %s partition', (partition, region) => {
    const parsed = parseAgentSource(`picket.agent/arn:${partition}:ec2:${region}:${ACCOUNT}:instance/${INSTANCE}`);
    expect(parsed).toMatchObject({ ok: true, sender: { partition, region, accountId: ACCOUNT, instanceId: INSTANCE } });
  });

  it('rejects a source naming another account than the one EventBridge recorded', () => {
    const reason = gateReason(envelope(encodeBatch([execEvent(1)]), { account: '444455556666' }));
    expect(reason).toMatch(/account "444455556666" differs from account 111122223333 in source/);
  });

  it('rejects a source naming another region than the one EventBridge recorded', () => {
    expect(gateReason(envelope(encodeBatch([execEvent(1)]), { region: 'eu-west-1' }))).toMatch(/region "eu-west-1" differs from region us-east-1 in source/);
  });

  it('rejects an unknown detail-type', () => {
    expect(gateReason(envelope(encodeBatch([execEvent(1)]), { 'detail-type': 'Picket Runtime Finding' }))).toMatch(
      /detail-type: expected "Picket Runtime Events" or "Picket Agent Heartbeat", got "Picket Runtime Finding"/,
    );
  });

  it('rejects corrupt gzip with one reason naming the batch and the stage', () => {
    const detail = { ...encodeBatch([execEvent(1), execEvent(2)]), data: Buffer.from('definitely not gzip').toString('base64') };
    const result = gateIngestEvent(envelope(detail));
    expect(result).toMatchObject({ ok: false, sender: { instanceId: INSTANCE } });
    expect(!result.ok && result.reason).toMatch(/^EventBridge event "b7e1c0de-[^"]+": detail\.data: batch "i-0a1b2c3d4e5f60718" seq 1\.\.2: gzip failed: incorrect header check$/);
  });

  it('rejects a malformed envelope, naming the field', () => {
    const detail = { ...encodeBatch([execEvent(1)]), count: 'two' };
    expect(gateReason(envelope(detail))).toMatch(/: detail\.count: expected integer, got "two"$/);
    expect(gateReason(envelope('not an object'))).toMatch(/: detail: expected object, got "not an object"$/);
  });

  it('rejects oversized, malformed and invalid events one by one and accepts the good ones of the same batch', () => {
    const oversized = execEvent(2, { process: { ...(execEvent(2) as { process: object }).process, argv: Array.from({ length: 10 }, () => 'x'.repeat(4000)) } });
    const lines = [
      JSON.stringify(execEvent(1)),
      JSON.stringify(oversized),
      '{"v":1,"kind":"process_exec",',
      JSON.stringify({ ...execEvent(4), ts: 'yesterday' }),
      JSON.stringify(execEvent(5)),
    ];
    const result = gateOk(envelope(detailOfLines(lines)));
    expect(result.accepted.map((e) => e.seq)).toEqual([1, 5]);
    expect(result.rejected.map((r) => r.index)).toEqual([1, 2, 3]);
    expect(result.rejected[0]!.reason).toMatch(/^event 1: \$: event is \d+ bytes serialised, expected at most 32768/);
    expect(result.rejected[1]!.reason).toMatch(/^event 2: \$: not JSON/);
    expect(result.rejected[2]!.reason).toMatch(/^event 3: \$\.ts: expected to match/);
  });

  it('keeps heartbeats and activity in their own detail-types', () => {
    const heartbeat = {
      v: 1,
      kind: 'heartbeat',
      ts: '2026-03-14T09:25:00.000Z',
      instanceId: INSTANCE,
      seq: 2,
      heartbeat: { agentVersion: '0.1.0', eventsRead: 1, eventsSent: 1, eventsDropped: 0, spoolBytes: 0, auditLost: 0, auditBacklog: 0, rulesLoaded: 41, kernel: '6.1', os: 'AL2023', cpuPercent: 0.5, rssBytes: 1, uptimeSeconds: 60 },
    } as RuntimeEvent;
    const mixed = encodeBatch([execEvent(1), heartbeat]);
    const asEvents = gateOk(envelope(mixed));
    expect(asEvents.accepted.map((e) => e.kind)).toEqual(['process_exec']);
    expect(asEvents.rejected[0]!.reason).toMatch(/kind heartbeat does not belong in a "Picket Runtime Events" batch/);
    const asHeartbeat = gateOk(envelope(mixed, { 'detail-type': DETAIL_TYPE_HEARTBEAT }));
    expect(asHeartbeat.accepted.map((e) => e.kind)).toEqual(['heartbeat']);
    expect(asHeartbeat.rejected[0]!.reason).toMatch(/kind process_exec does not belong in a "Picket Agent Heartbeat" batch/);
  });

  it('passes on a count mismatch as a warning without losing events', () => {
    const detail = { ...encodeBatch([execEvent(1), execEvent(2)]), count: 3 };
    const result = gateOk(envelope(detail));
    expect(result.accepted).toHaveLength(2);
    expect(result.warnings).toEqual([expect.stringMatching(/count says 3 events, data holds 2 lines/)]);
  });

  it('accepts only the sender\'s own events out of any mix (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), runtimeEventArb()), { minLength: 1, maxLength: 20 }), (mix) => {
        // Own events (true) are re-addressed to the sender; the others keep a random instance id.
        const events = mix
          .map(([own, e]) => (own ? { ...e, instanceId: INSTANCE } : e))
          .filter((e) => e.kind !== 'heartbeat');
        if (events.length === 0) return;
        const result = gateOk(envelope(detailOfLines(events.map((e) => JSON.stringify(e)))));
        expect(result.accepted).toEqual(events.filter((e) => e.instanceId === INSTANCE));
        expect(result.rejected.map((r) => r.index)).toEqual(events.flatMap((e, i) => (e.instanceId === INSTANCE ? [] : [i])));
      }),
      { numRuns: 200 },
    );
  });

  it('never throws on junk envelopes (property)', () => {
    const junkDetail = fc.oneof(fc.anything(), fc.record({ v: fc.constant(1), instanceId: fc.constant(INSTANCE), encoding: fc.constantFrom('gzip+base64', 'json'), count: fc.integer(), firstSeq: fc.integer(), lastSeq: fc.integer(), data: fc.string() }));
    fc.assert(
      fc.property(fc.oneof(fc.anything(), junkDetail.map((d) => envelope(d))), (junk) => {
        const result = gateIngestEvent(junk);
        if (!result.ok) expect(result.reason.length).toBeGreaterThan(0);
      }),
      { numRuns: 1000 },
    );
  });
});
