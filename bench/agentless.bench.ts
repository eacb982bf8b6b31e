/**
 * Agentless detection throughput, each against a baseline measured in the same run on the same data:
 * - resolver query logs: parse + detect (resolver parser → DetectionEngine with BUILTIN_RULES +
 *   NETWORK_RULES, full seed intel plus a custom list) against JSON.parse alone of the same records;
 * - VPC Flow Logs: parse + detect against a whitespace line split alone of the same records;
 * - the CloudWatch Logs subscription decode (gunzip + JSON of a 1 MB delivery) against parse + detect
 *   of its records (how much of the work is the transport).
 * Records are generated with a fixed seed (documentation addresses and .test/.example names only).
 */
import { agentlessRules, detectFromLogs } from '../lambda/domain/agentless/agentless-detect';
import { parseFlowLogLine, PICKET_FLOW_LOG_FIELDS } from '../lambda/domain/agentless/flow-log';
import { parseLogBatch } from '../lambda/domain/agentless/log-batch';
import { parseResolverLine } from '../lambda/domain/agentless/resolver-log';
import { type CloudWatchLogsData, decodeSubscriptionData, encodeSubscriptionData } from '../lambda/domain/agentless/subscription';
import { DetectionEngine } from '../lambda/domain/detection/engine';
import type { DnsQueryEvent, NetEvent } from '../lambda/domain/events/runtime-event';
import { DEFAULT_SEED_DIR, seedSources } from '../lambda/domain/intel/load-files';
import { loadIntelFromStrings } from '../lambda/domain/intel/loader';
import { timeMs, type Reporter } from './harness';
import { prng } from './prng';

const RECORDS = 50_000;
const INSTANCES = 50;
const CUSTOM = '203.0.113.0/24\n2001:db8:c2::/48\nc2.example.test\npool.example.test\n';


const instanceId = (i: number) => `i-0${(0xabc0000000000000n + BigInt(i)).toString(16).slice(0, 16)}`;

function resolverLines(n: number): string[] {
  const rnd = prng(8);
  const names = ['api.example.com', 'cdn.example.net', 'db.internal.example', 'c2.example.test', 'a.pool.example.test', 'updates.example.org', 'metrics.example.com'];
  const base = Date.parse('2026-11-29T10:00:00Z');
  return Array.from({ length: n }, (_, i) => {
    const rare = rnd() < 0.02 ? `${Math.floor(rnd() * 1e9).toString(36)}.example.test` : names[Math.floor(rnd() * names.length)]!;
    return JSON.stringify({
      version: '1.100000', account_id: '111122223333', region: 'eu-west-1', vpc_id: 'vpc-0a1b2c3d4e5f60718',
      query_timestamp: new Date(base + i * 10).toISOString(), query_name: `${rare}.`, query_type: 'A', query_class: 'IN', rcode: 'NOERROR',
      answers: [{ Rdata: `198.51.100.${Math.floor(rnd() * 250)}`, Type: 'A', Class: 'IN' }], srcaddr: '10.0.1.5', srcport: String(30000 + (i % 30000)), transport: 'UDP',
      srcids: { instance: instanceId(Math.floor(rnd() * INSTANCES)) },
    });
  });
}

function flowLines(n: number): string[] {
  const rnd = prng(9);
  const start = Math.floor(Date.parse('2026-11-29T10:00:00Z') / 1000);
  return Array.from({ length: n }, (_, i) => {
    const remote = rnd() < 0.01 ? `203.0.113.${Math.floor(rnd() * 250)}` : `198.51.100.${Math.floor(rnd() * 250)}`;
    const port = [443, 443, 443, 80, 5432, 3333, 22][Math.floor(rnd() * 7)]!;
    const flags = rnd() < 0.05 ? 2 : 19;
    const values: Record<string, string | number> = {
      version: 5, 'account-id': '111122223333', region: 'eu-west-1', 'vpc-id': 'vpc-0a1b2c3d', 'subnet-id': 'subnet-0a1b2c3d', 'instance-id': instanceId(Math.floor(rnd() * INSTANCES)),
      'interface-id': 'eni-0a1b2c3d4e5f60718', 'flow-direction': 'egress', srcaddr: '10.0.1.5', dstaddr: remote, 'pkt-srcaddr': '10.0.1.5', 'pkt-dstaddr': remote,
      srcport: 32768 + (i % 28000), dstport: port, protocol: 6, 'tcp-flags': flags, packets: 10, bytes: 840, start: start + Math.floor(i / 100), end: start + Math.floor(i / 100) + 60, action: 'ACCEPT', 'log-status': 'OK',
    };
    return PICKET_FLOW_LOG_FIELDS.map((f) => String(values[f])).join(' ');
  });
}

function engine(intel: ReturnType<typeof loadIntelFromStrings>['intel']): DetectionEngine {
  return new DetectionEngine({ rules: agentlessRules(), intel, accountId: '111122223333', region: 'eu-west-1', detectorId: 'bench' });
}

export default async function agentlessBench(r: Reporter): Promise<void> {
  const { intel } = loadIntelFromStrings([{ name: 'custom.txt', text: CUSTOM, role: 'threat', category: 'c2' }, ...seedSources(DEFAULT_SEED_DIR)]);
  const dns = resolverLines(RECORDS);
  const flows = flowLines(RECORDS);

  let sink = 0;
  const jsonOnly = await timeMs(() => {
    for (const line of dns) sink += (JSON.parse(line) as { query_name: string }).query_name.length;
  });
  const dnsDetect = await timeMs(() => {
    const e = engine(intel);
    const events: DnsQueryEvent[] = [];
    dns.forEach((line, i) => {
      const out = parseResolverLine(line, i + 1, i + 1);
      if (out?.event) events.push(out.event);
    });
    sink += detectFromLogs(e, events).length;
  }, 3);
  r.record({
    name: 'resolver query logs: parse + detect throughput',
    value: Math.round(RECORDS / (dnsDetect / 1000)),
    unit: 'records/s',
    baseline: `JSON.parse alone of the same ${RECORDS} records: ${Math.round(RECORDS / (jsonOnly / 1000))} records/s`,
    ratio: Math.round((jsonOnly / dnsDetect) * 1000) / 1000,
  });

  const splitOnly = await timeMs(() => {
    for (const line of flows) sink += line.trim().split(/\s+/).length;
  });
  const flowDetect = await timeMs(() => {
    const e = engine(intel);
    const events: NetEvent[] = [];
    const ctx = { fields: PICKET_FLOW_LOG_FIELDS };
    flows.forEach((line, i) => {
      const out = parseFlowLogLine(line, i + 1, i + 1, ctx);
      if (out && 'event' in out) events.push(out.event);
    });
    sink += detectFromLogs(e, events).length;
  }, 3);
  r.record({
    name: 'VPC flow logs: parse + detect throughput',
    value: Math.round(RECORDS / (flowDetect / 1000)),
    unit: 'records/s',
    baseline: `whitespace line split alone of the same ${RECORDS} records: ${Math.round(RECORDS / (splitOnly / 1000))} records/s`,
    ratio: Math.round((splitOnly / flowDetect) * 1000) / 1000,
  });

  // One CloudWatch Logs delivery is at most ~1 MB of log events.
  const delivery: CloudWatchLogsData = { messageType: 'DATA_MESSAGE', owner: '111122223333', logGroup: '/picket/flow', logStream: 's', subscriptionFilters: ['f'], logEvents: flows.slice(0, 5000).map((message, i) => ({ id: String(i), timestamp: i, message })) };
  const payload = encodeSubscriptionData(delivery);
  const decode = await timeMs(() => {
    sink += decodeSubscriptionData(payload).logEvents.length;
  }, 10);
  const decodeParseDetect = await timeMs(() => {
    const batch = parseLogBatch(decodeSubscriptionData(payload));
    sink += detectFromLogs(engine(intel), batch.events as NetEvent[]).length;
  }, 10);
  r.record({
    name: 'subscription delivery (5000 flow records, gzip+base64): decode share of decode + parse + detect',
    value: Math.round(decode * 100) / 100,
    unit: 'ms',
    baseline: `decode + parse + detect of the same delivery: ${Math.round(decodeParseDetect * 100) / 100} ms`,
    ratio: Math.round((decode / decodeParseDetect) * 1000) / 1000,
  });
  if (sink === -1) throw new Error('unreachable: keeps the measured work observable');
}
