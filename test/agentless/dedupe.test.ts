/**
 * One finding per activity: the agent's finding absorbs the same activity seen in the VPC logs
 * (correlation key: instance, type without `!DNS`, indicator); a logs-only finding says so; the
 * cost filter drops flow records of healthy-agent instances before detection.
 */
import { skipHealthyAgentFlows } from '../../lambda/domain/agentless/agent-health-filter';
import { agentlessRules, detectFromLogs } from '../../lambda/domain/agentless/agentless-detect';
import { FindingMergeError, correlationKey, findCorrelated, findingSources, isLogsOnly, markLogsOnly, mergeSourceFinding } from '../../lambda/domain/agentless/dedupe';
import { parseLogBatch } from '../../lambda/domain/agentless/log-batch';
import { decodeSubscriptionData } from '../../lambda/domain/agentless/subscription';
import { DetectionEngine } from '../../lambda/domain/detection/engine';
import { BUILTIN_RULES } from '../../lambda/domain/detection/rules/index';
import type { DnsQueryEvent, NetEvent } from '../../lambda/domain/events/runtime-event';
import type { Finding } from '../../lambda/domain/findings/finding';
import { findingsFromLogs, intelFrom } from './engine';
import { ACCOUNT, INSTANCE, picketFlowRecord, resolverRecord, subscriptionEvent } from './records';

const LISTS = intelFrom([
  { name: 'c2.txt', text: 'c2.example.test\n198.51.100.66\n', role: 'threat', category: 'c2' },
]);

/** The same C2 activity as the agent reports it: a process with lineage, sensor auditd/resolved. */
function agentFindings(): Finding[] {
  const engine = new DetectionEngine({ rules: BUILTIN_RULES, intel: LISTS, accountId: ACCOUNT, region: 'eu-west-1', detectorId: 'picket-test' });
  const process = { pid: 4242, ppid: 100, exe: '/tmp/.x/implant', argv: ['implant'], cwd: '/tmp', uid: 1000, euid: 1000, gid: 1000, uuid: 'uuid-implant' };
  const lineage = [{ pid: 100, exe: '/usr/bin/bash', uuid: 'uuid-bash' }];
  const dns: DnsQueryEvent = { v: 1, kind: 'dns_query', ts: '2026-11-29T09:59:59.000Z', instanceId: INSTANCE, seq: 1, process, lineage, sensor: 'resolved', dns: { query: 'c2.example.test', qtype: 'A', answers: ['198.51.100.66'] } };
  const net: NetEvent = { v: 1, kind: 'net_connect', ts: '2026-11-29T10:00:01.000Z', instanceId: INSTANCE, seq: 2, process, lineage, sensor: 'auditd', success: true, net: { family: 'inet', protocol: 'tcp', localIp: '10.0.1.5', localPort: 44321, remoteIp: '198.51.100.66', remotePort: 443 } };
  return [...engine.process(dns), ...engine.process(net)].map((u) => u.finding);
}

describe('correlation and merge', () => {
  const [agentDns, agentNet] = agentFindings();
  const [logsDns] = findingsFromLogs(LISTS, '/picket/resolver', [resolverRecord('c2.example.test')]);
  const [logsNet] = findingsFromLogs(LISTS, '/picket/flow', [picketFlowRecord('198.51.100.66', 443)]);

  it('gives the agent and the log finding of one activity the same correlation key', () => {
    expect(agentDns.type).toBe('Backdoor:Runtime/C&CActivity.B!DNS');
    expect(correlationKey(agentDns)).toBe(correlationKey(logsDns));
    expect(correlationKey(agentNet)).toBe(correlationKey(logsNet));
    expect(correlationKey(agentNet)).toBe(`${INSTANCE}|Backdoor:Runtime/C&CActivity.B|198.51.100.66`);
    // `!DNS` dropped: the DNS verdict and the IP verdict share the type part, not the indicator.
    expect(correlationKey(agentDns)).toBe(`${INSTANCE}|Backdoor:Runtime/C&CActivity.B|c2.example.test`);
  });

  it('keeps the agent finding (process detail) and records the log source on it', () => {
    const merged = mergeSourceFinding(agentNet, logsNet);
    expect(merged.id).toBe(agentNet.id);
    expect(merged.service.runtimeDetails?.process?.executablePath).toBe('/tmp/.x/implant');
    expect(merged.service.featureName).toBe('RuntimeMonitoring');
    expect(findingSources(merged)).toEqual(['agent', 'vpc-flow-logs']);
    expect(isLogsOnly(merged)).toBe(false);
    expect(merged.service.additionalInfo?.logsOnly).toBeUndefined();
    expect(merged.service.additionalInfo?.sourceSightings).toMatchObject({ agent: { findingId: agentNet.id }, 'vpc-flow-logs': { findingId: logsNet.id, featureName: 'FlowLogs', count: 1 } });
    expect(merged.service.count).toBe(agentNet.service.count);
    expect(merged.service.eventFirstSeen <= agentNet.service.eventFirstSeen).toBe(true);
  });

  it('is order-independent for the document and idempotent', () => {
    const a = mergeSourceFinding(agentNet, logsNet);
    const b = mergeSourceFinding(logsNet, agentNet);
    expect(b.id).toBe(agentNet.id);
    expect(findingSources(b)).toEqual(findingSources(a));
    expect(mergeSourceFinding(a, logsNet)).toEqual(a);
    expect(b.service.additionalInfo?.mergedFindingIds).toEqual(logsNet.id === agentNet.id ? undefined : [logsNet.id]);
  });

  it('a finding from logs only says so', () => {
    expect(logsDns.service.additionalInfo).toMatchObject({ sources: ['route53-resolver'], logsOnly: true });
    expect(isLogsOnly(logsDns)).toBe(true);
    expect(isLogsOnly(agentDns)).toBe(false);
    expect(markLogsOnly(agentDns, 'route53-resolver').service.additionalInfo?.logsOnly).toBe(true);
  });

  it('finds the agent finding among stored ones, and refuses to merge different activities', () => {
    expect(findCorrelated([agentDns, agentNet], logsNet)?.id).toBe(agentNet.id);
    expect(findCorrelated([agentDns], logsNet)).toBeUndefined();
    expect(() => mergeSourceFinding(agentDns, logsNet)).toThrow(FindingMergeError);
  });
});

describe('cost control: flow records of healthy-agent instances', () => {
  const other = 'i-0fedcba9876543210';
  const batch = parseLogBatch(
    decodeSubscriptionData(subscriptionEvent('/picket/flow', [picketFlowRecord('198.51.100.66', 443), picketFlowRecord('198.51.100.66', 443, { instance: other }), picketFlowRecord('198.51.100.7', 80)]).awslogs.data),
  );

  it('drops only the records of instances whose agent is healthy, asking once per instance', async () => {
    const asked: string[] = [];
    const out = await skipHealthyAgentFlows(batch.events, (id) => {
      asked.push(id);
      return id === INSTANCE;
    });
    expect(out.kept.map((e) => e.instanceId)).toEqual([other]);
    expect(out.skipped).toBe(2);
    expect(out.healthyInstances).toEqual([INSTANCE]);
    expect(asked).toEqual([INSTANCE, other]);
  });

  it('keeps detecting when the lookup fails, and reports it', async () => {
    const errors: string[] = [];
    const out = await skipHealthyAgentFlows(batch.events, async () => { throw new Error('throttled'); }, (id) => errors.push(id));
    expect(out.kept).toHaveLength(3);
    expect(errors).toEqual([INSTANCE, other]);
  });

  it('never drops resolver records', async () => {
    const dns = parseLogBatch(decodeSubscriptionData(subscriptionEvent('/picket/resolver', [resolverRecord('c2.example.test')]).awslogs.data));
    expect((await skipHealthyAgentFlows(dns.events, () => true)).kept).toHaveLength(1);
  });
});

describe('log source of folded findings', () => {
  it('marks a folded DNS finding pushed out of the cache by a flow record with its own log, not the record’s', () => {
    const engine = new DetectionEngine({ rules: agentlessRules(), intel: LISTS, accountId: ACCOUNT, region: 'eu-west-1', detectorId: 'picket-test', maxCachedFindings: 1 });
    const dnsBatch = parseLogBatch(decodeSubscriptionData(subscriptionEvent('/picket/resolver', [resolverRecord('c2.example.test'), resolverRecord('c2.example.test')]).awslogs.data));
    const flowBatch = parseLogBatch(decodeSubscriptionData(subscriptionEvent('/picket/flow', [picketFlowRecord('198.51.100.66', 443)]).awslogs.data));
    // One delivery of each log: the flow finding pushes the folded DNS finding (count 2) out of the one-entry cache.
    const updates = detectFromLogs(engine, [...dnsBatch.events, ...flowBatch.events]);
    const dns = updates.filter((u) => u.finding.type === 'Backdoor:Runtime/C&CActivity.B!DNS');
    expect(dns.map((u) => [u.change, u.finding.service.count])).toEqual([
      ['created', 1],
      ['updated', 2],
    ]);
    for (const u of dns) expect(findingSources(u.finding)).toEqual(['route53-resolver']);
    const net = updates.filter((u) => u.finding.type === 'Backdoor:Runtime/C&CActivity.B');
    expect(net.map((u) => findingSources(u.finding))).toEqual([['vpc-flow-logs']]);
  });
});
