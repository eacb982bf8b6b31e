/**
 * Custom Sigma rules in the detector Lambda: rule files under the intel bucket's sigma/ prefix are
 * compiled with the CLI's loader and run beside the built-in rules on real captures; rules that
 * cannot be evaluated exactly are skipped with their S3 key, line and reason (and counted), without
 * costing the other rules; rules are reloaded after the TTL, and an S3 failure with nothing loaded
 * retries the batch instead of running blind.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { isRuleKey } from '../../lambda/detector/custom-rules-cache';
import { newDetector, publishedFindings, resetMocks, s3Mock, serveIntel, settings } from './harness';
import { INTEL_BUCKET } from './harness';
import { INSTANCE_A, batchRecord, sqsEvent } from './records';
import { parseAuditText } from '../../agent-bootstrap/agent/audit/index';

const SIGMA_FIXTURES = path.resolve(__dirname, '../fixtures/sigma');
const SIGMAHQ = path.resolve(__dirname, '../../../shared/sigma-rules/linux');
const rulesSettings = () => settings({ customRulesLocation: { bucket: INTEL_BUCKET, prefix: 'sigma/' } });

/** A real capture (test/fixtures/sigma/capture.sh) as instance A's agent sends it. */
const attackEvents = parseAuditText(readFileSync(path.join(SIGMA_FIXTURES, 'sigma-attacks.log'), 'utf8'), { instanceId: INSTANCE_A, procRoot: null }).events.filter((e) => e.kind !== 'heartbeat');

/** An operator's own rule: a network connection from a shell to port 4444 (what sigma-attacks.sh does). */
const OPERATOR_RULE = `title: Shell Connects To Port 4444
id: 0f4c2b8e-5a1d-4c3e-9b7a-2d6e8f1a3c51
status: experimental
description: Operator rule for the detector test.
author: Picket tests
logsource:
    product: linux
    category: network_connection
detection:
    selection:
        Image|endswith: '/bash'
        DestinationPort: 4444
    condition: selection
level: medium
`;

/** Asks for a field Linux hosts do not have (a Windows registry key): must be skipped with its line. */
const UNSUPPORTED_RULE = `title: Unsupported Modifier
id: 0f4c2b8e-5a1d-4c3e-9b7a-2d6e8f1a3c52
logsource:
    product: linux
    category: process_creation
detection:
    selection:
        TargetObject|contains: 'CurrentVersion\\Run'
    condition: selection
level: high
`;

beforeEach(() => resetMocks());

test('rule keys: YAML files at any depth; other files and empty path parts are ignored', () => {
  expect(isRuleKey('net.yml')).toBe(true);
  expect(isRuleKey('team/a/proc.YAML')).toBe(true);
  for (const k of ['README.md', 'rules.yml.bak', 'a//b.yml', '']) expect(isRuleKey(k)).toBeUndefined();
});

test('an operator rule from sigma/ raises Custom:Runtime/<Name> beside the built-in findings; a bad rule is skipped with key:line', async () => {
  serveIntel({ 'sigma/team/shell-4444.yml': OPERATOR_RULE, 'sigma/unsupported.yml': UNSUPPORTED_RULE, 'sigma/README.md': 'not a rule' });
  const { detector, log, metrics } = newDetector({ settings: rulesSettings() });
  const out = await detector.handle(sqsEvent([batchRecord(INSTANCE_A, attackEvents, 'a')]));
  expect(out.batchItemFailures).toEqual([]);
  const types = new Set(publishedFindings().map((f) => f.type));
  expect(types).toContain('Custom:Runtime/ShellConnectsToPort4444');
  // Built-in rules still run with custom rules loaded.
  expect([...types].some((t) => !t.startsWith('Custom:'))).toBe(true);
  const custom = publishedFindings().find((f) => f.type === 'Custom:Runtime/ShellConnectsToPort4444')!;
  expect(custom.severity).toBeGreaterThanOrEqual(4);
  expect(custom.severity).toBeLessThan(7);
  expect(JSON.stringify(custom.service.additionalInfo)).toContain(`s3://${INTEL_BUCKET}/sigma/team/shell-4444.yml`);

  const skipped = log.lines.filter((l) => l.message === 'custom rule skipped');
  expect(skipped).toHaveLength(1);
  expect(skipped[0]!.extra['ruleFile']).toBe(`s3://${INTEL_BUCKET}/sigma/unsupported.yml`);
  expect((skipped[0]!.extra['reasons'] as string[]).join('\n')).toMatch(new RegExp(`^s3://${INTEL_BUCKET}/sigma/unsupported\\.yml:8: \\[field\\]`));
  expect(metrics.sum('CustomRulesSkipped')).toBe(1);
  expect(log.lines.find((l) => l.message === 'custom rules loaded')!.extra).toEqual({ files: 2, loaded: 1, skipped: 1 });
});

(existsSync(SIGMAHQ) ? test : test.skip)('a SigmaHQ rule uploaded as-is works in the Lambda as in the CLI (base64 piped to a shell)', async () => {
  const text = readFileSync(path.join(SIGMAHQ, 'process_creation/proc_creation_lnx_base64_execution.yml'), 'utf8');
  serveIntel({ 'sigma/sigmahq/proc_creation_lnx_base64_execution.yml': text });
  const { detector } = newDetector({ settings: rulesSettings() });
  await detector.handle(sqsEvent([batchRecord(INSTANCE_A, attackEvents, 'a')]));
  expect(publishedFindings().map((f) => f.type)).toContain('Custom:Runtime/LinuxBase64EncodedPipeToShell');
});

test('rules are reloaded after the TTL; the listing is read once per TTL, not per batch', async () => {
  serveIntel({});
  let now = 1_000_000;
  const { detector } = newDetector({ settings: rulesSettings(), now: () => now });
  await detector.handle(sqsEvent([batchRecord(INSTANCE_A, attackEvents.slice(0, 50), 'a')]));
  expect(publishedFindings().some((f) => f.type === 'Custom:Runtime/ShellConnectsToPort4444')).toBe(false);
  const sigmaListings = () => s3Mock.commandCalls(ListObjectsV2Command).filter((c) => c.args[0].input.Prefix === 'sigma/').length;
  expect(sigmaListings()).toBe(1);

  serveIntel({ 'sigma/shell-4444.yml': OPERATOR_RULE });
  now += 60_000; // within the 5-minute TTL: still the old (empty) rule set
  await detector.handle(sqsEvent([batchRecord(INSTANCE_A, attackEvents.slice(50).map((e) => ({ ...e })), 'b')]));
  expect(sigmaListings()).toBe(1);
  now += 300_000;
  const fresh = attackEvents.map((e) => ({ ...e, seq: e.seq + 100_000 }));
  await detector.handle(sqsEvent([batchRecord(INSTANCE_A, fresh, 'c')]));
  expect(sigmaListings()).toBe(2);
  expect(publishedFindings().some((f) => f.type === 'Custom:Runtime/ShellConnectsToPort4444')).toBe(true);
});

test('custom rules unreadable on a cold start: the batch is retried (not run without the operator rules)', async () => {
  s3Mock.on(ListObjectsV2Command).rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied' }));
  const { detector, log } = newDetector({ settings: rulesSettings() });
  const failures = await detector.process([batchRecord(INSTANCE_A, attackEvents, 'a')]);
  expect([...failures.keys()]).toEqual(['a']);
  expect(failures.get('a')).toMatch(/custom rules or domain baseline unavailable: Access Denied/);
  expect(publishedFindings()).toEqual([]);
  expect(log.lines.some((l) => l.level === 'error' && /custom rules or the account domain baseline could not be loaded/.test(l.message))).toBe(true);
});

test('without a rules location nothing is listed under sigma/', async () => {
  serveIntel({ 'sigma/shell-4444.yml': OPERATOR_RULE });
  const { detector } = newDetector();
  await detector.handle(sqsEvent([batchRecord(INSTANCE_A, attackEvents, 'a')]));
  expect(s3Mock.commandCalls(ListObjectsV2Command).filter((c) => c.args[0].input.Prefix === 'sigma/')).toHaveLength(0);
  expect(publishedFindings().some((f) => f.type.startsWith('Custom:'))).toBe(false);
});
