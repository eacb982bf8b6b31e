/**
 * Account-wide domain rarity through the state table: a domain one execution environment has seen is
 * not rare for another (the old per-environment memory would have scored it again), a retried
 * instance batch recomputes against the same baseline, expired items make a name rare again, and a
 * failed baseline write costs nothing but a warning.
 *
 * DNS events are built in memory (no lookup happens; .top/.test names only).
 */
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { ACCOUNT_DOMAIN_KEY_PREFIX, candidateDomainKeys } from '../../lambda/detector/account-domains';
import { domainFeatures } from '../../lambda/domain/intel/reputation';
import type { RuntimeEvent } from '../../lambda/domain/events/runtime-event';
import { dnsEvent } from '../detection/engine-events';
import { STATE_TABLE } from './fake-dynamo';
import { dynamo, newDetector, publishedFindings, resetMocks } from './harness';
import { INSTANCE_A, INSTANCE_B, batchRecord, sqsEvent } from './records';

const BITCOIN_REPUTATION = 'Impact:Runtime/BitcoinDomainRequest.Reputation';
const T0 = Date.parse('2026-11-29T05:00:00Z');

function query(instanceId: string, name: string, seq: number): RuntimeEvent {
  return { ...dnsEvent(name, { instanceId, seq }), ts: new Date(T0 + seq).toISOString() };
}

function reputationFindings(instanceId: string) {
  return publishedFindings().filter((f) => f.type === BITCOIN_REPUTATION && f.resource.instanceDetails.instanceId === instanceId);
}

beforeEach(() => resetMocks());

test('candidate keys always include the registrable domain the reputation model uses', () => {
  const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,14}[a-z0-9])?$/);
  const suffix = fc.constantFrom('com', 'co.uk', 'com.au', 'top', 'test', 'duckdns.org', 'no-ip.biz', 's3.amazonaws.com', 'github.io', 'xyz');
  fc.assert(
    fc.property(fc.array(label, { minLength: 1, maxLength: 5 }), suffix, (labels, sfx) => {
      const name = [...labels, sfx].join('.');
      const registrable = domainFeatures(name).registrable;
      expect(candidateDomainKeys(name)).toContain(registrable);
    }),
    { numRuns: 500 },
  );
  expect(candidateDomainKeys('A.B.Example.COM.')).toEqual(['example.com', 'b.example.com', 'a.b.example.com']);
  expect(candidateDomainKeys('not a domain')).toEqual([]);
});

test('a domain first seen by one execution environment is not rare for the next one', async () => {
  const first = newDetector();
  await first.detector.handle(sqsEvent([batchRecord(INSTANCE_A, [query(INSTANCE_A, 'xmrpayouts.top', 1)], 'a')]));
  expect(reputationFindings(INSTANCE_A)).toHaveLength(1);
  const stored = dynamo.tables.get(STATE_TABLE)!.get(`${ACCOUNT_DOMAIN_KEY_PREFIX}xmrpayouts.top`);
  expect(stored).toMatchObject({ firstSeenAt: expect.any(String), expiresAt: expect.any(Number) });

  // A cold start elsewhere: its memory is empty, only the table knows.
  const second = newDetector();
  await second.detector.handle(sqsEvent([batchRecord(INSTANCE_B, [query(INSTANCE_B, 'pool.xmrpayouts.top', 1)], 'b')]));
  expect(reputationFindings(INSTANCE_B)).toEqual([]);
  // A different new domain is still rare for it.
  await second.detector.handle(sqsEvent([batchRecord(INSTANCE_B, [query(INSTANCE_B, 'minerpayout.top', 2)], 'c')]));
  expect(reputationFindings(INSTANCE_B)).toHaveLength(1);
});

test('two instances of one batch asking for the same new domain: each was first for what the account knew', async () => {
  const { detector } = newDetector();
  await detector.handle(sqsEvent([batchRecord(INSTANCE_A, [query(INSTANCE_A, 'xmrpayouts.top', 1)], 'a'), batchRecord(INSTANCE_B, [query(INSTANCE_B, 'xmrpayouts.top', 1)], 'b')]));
  expect(reputationFindings(INSTANCE_A)).toHaveLength(1);
  expect(reputationFindings(INSTANCE_B)).toHaveLength(1);
});

test('a commit that loses a race is recomputed against the same baseline: the rare-domain finding is not lost', async () => {
  const { detector } = newDetector();
  let raced = false;
  dynamo.beforeTransaction = () => {
    if (raced) return;
    raced = true;
    // Another invocation commits instance A's state (empty, version 1) between our read and our write.
    dynamo.tables.get(STATE_TABLE)!.set(INSTANCE_A, { instanceId: INSTANCE_A, version: 1, state: gzipSync(JSON.stringify({ v: 1, instanceId: INSTANCE_A, learningPeriodMs: 86_400_000, namespaces: {} })) });
  };
  const out = await detector.handle(sqsEvent([batchRecord(INSTANCE_A, [query(INSTANCE_A, 'xmrpayouts.top', 1)], 'a')]));
  expect(out.batchItemFailures).toEqual([]);
  expect(raced).toBe(true);
  expect(dynamo.tables.get(STATE_TABLE)!.get(INSTANCE_A)!['version']).toBe(2);
  // Published by both attempts (publication precedes the commit: at-least-once, same finding id)…
  expect(new Set(reputationFindings(INSTANCE_A).map((f) => f.id)).size).toBe(1);
  // …and, what a shared view would lose, stored by the attempt that committed.
  expect(dynamo.findings().filter((f) => f['type'] === BITCOIN_REPUTATION)).toHaveLength(1);
});

test('an expired baseline item (TTL deletion lags) makes the domain rare again', async () => {
  dynamo.tables.get(STATE_TABLE)!.set(`${ACCOUNT_DOMAIN_KEY_PREFIX}xmrpayouts.top`, { instanceId: `${ACCOUNT_DOMAIN_KEY_PREFIX}xmrpayouts.top`, firstSeenAt: '2020-01-01T00:00:00Z', expiresAt: 1_600_000_000 });
  const { detector } = newDetector();
  await detector.handle(sqsEvent([batchRecord(INSTANCE_A, [query(INSTANCE_A, 'xmrpayouts.top', 1)], 'a')]));
  expect(reputationFindings(INSTANCE_A)).toHaveLength(1);
  expect(Number(dynamo.tables.get(STATE_TABLE)!.get(`${ACCOUNT_DOMAIN_KEY_PREFIX}xmrpayouts.top`)!['expiresAt'])).toBeGreaterThan(Date.now() / 1000);
});

test('a failed baseline write is a warning: findings were committed, nothing is retried', async () => {
  dynamo.mock.on(BatchWriteCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ProvisionedThroughputExceededException' }));
  const { detector, log } = newDetector();
  const out = await detector.handle(sqsEvent([batchRecord(INSTANCE_A, [query(INSTANCE_A, 'xmrpayouts.top', 1)], 'a')]));
  expect(out.batchItemFailures).toEqual([]);
  expect(reputationFindings(INSTANCE_A)).toHaveLength(1);
  expect(log.lines.some((l) => l.level === 'warn' && /account domain baseline not updated/.test(l.message))).toBe(true);
});
