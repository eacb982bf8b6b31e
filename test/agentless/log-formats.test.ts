/**
 * Flow-log records of versions 2 to 5 and resolver query log records of versions 1.000000 and
 * 1.100000, in the field orders AWS documents, through the same parsers the CLI and the Lambda use.
 * Malformed records are reported with their line (and, from CloudWatch, log group/stream/event id),
 * and every other record still becomes an event.
 */
import { gzipSync } from 'node:zlib';
import { DEFAULT_FLOW_LOG_FIELDS, PICKET_FLOW_LOG_FIELDS, parseFlowLogHeader, parseFlowLogLine } from '../../lambda/domain/agentless/flow-log';
import { parseLogBatch, sniffSource } from '../../lambda/domain/agentless/log-batch';
import { parseResolverLine } from '../../lambda/domain/agentless/resolver-log';
import { SubscriptionPayloadError, decodeSubscriptionData } from '../../lambda/domain/agentless/subscription';
import type { NetEvent } from '../../lambda/domain/events/runtime-event';
import { ACCOUNT, INSTANCE, picketFlowRecord, resolverRecord, subscriptionEvent } from './records';

/** A flow-log file as S3 delivers it (header line first), parsed line by line as the CLI does. */
function parseFlowFile(text: string, interfaceToInstance?: ReadonlyMap<string, string>) {
  let fields: readonly string[] = DEFAULT_FLOW_LOG_FIELDS;
  const events: NetEvent[] = [];
  const issues: { line: number; message: string }[] = [];
  const skipped: string[] = [];
  text.split('\n').forEach((line, i) => {
    const header = parseFlowLogHeader(line);
    if (header) {
      fields = header;
      return;
    }
    const r = parseFlowLogLine(line, i + 1, i + 1, { fields, ...(interfaceToInstance ? { interfaceToInstance } : {}) });
    if (r === null) return;
    if ('event' in r) events.push(r.event);
    else if ('issue' in r) issues.push(r.issue);
    else skipped.push(r.skipped);
  });
  return { events, issues, skipped };
}

const ENI = new Map([['eni-1235b8ca123456789', 'i-01234567890123456']]);

describe('VPC Flow Logs, documented versions and field orders', () => {
  it('version 2 (default format, S3 header): accepted, rejected, IPv6, NODATA and SKIPDATA records', () => {
    // Records from "Flow log record examples" in the Amazon VPC user guide.
    const file = [
      'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status',
      '2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK',
      '2 123456789010 eni-1235b8ca123456789 172.31.9.69 172.31.9.12 49761 3389 6 20 4249 1418530010 1418530070 REJECT OK',
      '2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA',
      '2 123456789010 eni-11111111aaaaaaaaa - - - - - - - 1431280876 1431280934 - SKIPDATA',
      '2 123456789010 eni-1235b8ca123456789 2001:db8:1234:a100:8d6e:3477:df66:f105 2001:db8:1234:a102:3304:8879:34cf:4071 34892 22 6 54 8855 1477913708 1477913820 ACCEPT OK',
    ].join('\n');
    const { events, issues, skipped } = parseFlowFile(file, ENI);
    expect(issues).toEqual([]);
    expect(skipped).toEqual(['NODATA', 'SKIPDATA']);
    expect(events.map((e) => [e.kind, e.instanceId, e.success, e.net.remoteIp, e.net.remotePort])).toEqual([
      ['net_connect', 'i-01234567890123456', true, '172.31.16.21', 22],
      ['net_connect', 'i-01234567890123456', false, '172.31.9.12', 3389],
      ['net_connect', 'i-01234567890123456', true, '2001:db8:1234:a102:3304:8879:34cf:4071', 22],
    ]);
    expect(events[2].net.family).toBe('inet6');
  });

  it('version 3 (documented TCP-flag example): instance id, packet addresses and SYN / SYN-ACK flags', () => {
    const file = [
      'version vpc-id subnet-id instance-id interface-id account-id type srcaddr dstaddr srcport dstport pkt-srcaddr pkt-dstaddr protocol bytes packets start end action tcp-flags log-status',
      '3 vpc-abcdefab012345678 subnet-aaaaaaaa012345678 i-01234567890123456 eni-1235b8ca123456789 123456789010 IPv4 52.213.180.42 10.0.0.62 43416 5001 52.213.180.42 10.0.0.62 6 568 8 1566848875 1566848933 ACCEPT 2 OK',
      '3 vpc-abcdefab012345678 subnet-aaaaaaaa012345678 i-01234567890123456 eni-1235b8ca123456789 123456789010 IPv4 10.0.0.62 52.213.180.42 5001 43416 10.0.0.62 52.213.180.42 6 376 7 1566848875 1566848933 ACCEPT 18 OK',
    ].join('\n');
    const { events, issues } = parseFlowFile(file);
    expect(issues).toEqual([]);
    // No flow-direction in v3: the private address is the instance's; the peer on the higher port opened the flow.
    // The SYN-only record is an unanswered handshake; the SYN-ACK one is the instance accepting it.
    expect(events.map((e) => [e.kind, e.instanceId, e.net.remoteIp, e.net.localPort, e.net.direction, e.success])).toEqual([
      ['net_accept', 'i-01234567890123456', '52.213.180.42', 5001, 'ingress', false],
      ['net_accept', 'i-01234567890123456', '52.213.180.42', 5001, 'egress', true],
    ]);
  });

  it('version 3 through a NAT gateway (documented): pkt-dstaddr is the real destination', () => {
    const file = [
      'instance-id interface-id srcaddr dstaddr pkt-srcaddr pkt-dstaddr',
      'i-01234567890123456 eni-1111aaaa2222bbbb3 10.0.1.5 203.0.113.5 10.0.1.5 203.0.113.5',
    ].join('\n');
    // This documented format has no protocol field: such records cannot be classified and are skipped, not malformed.
    const { events, issues, skipped } = parseFlowFile(file);
    expect(issues).toEqual([]);
    expect(events).toEqual([]);
    expect(skipped).toEqual(['protocol undefined']);
  });

  it('version 4 (region, az-id, sublocation) and version 5 (flow-direction, traffic-path, AWS service) fields', () => {
    const v5Fields =
      'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status vpc-id subnet-id instance-id tcp-flags type pkt-srcaddr pkt-dstaddr region az-id sublocation-type sublocation-id pkt-src-aws-service pkt-dst-aws-service flow-direction traffic-path';
    const v4Fields = 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status vpc-id subnet-id instance-id tcp-flags type pkt-srcaddr pkt-dstaddr region az-id sublocation-type sublocation-id';
    const v4 = [v4Fields, `4 ${ACCOUNT} eni-0a1b2c3d4e5f60718 10.0.1.5 198.51.100.7 44321 443 6 10 840 1700000000 1700000060 ACCEPT OK vpc-0a1b2c3d subnet-0a1b2c3d ${INSTANCE} 19 IPv4 10.0.1.5 198.51.100.7 eu-west-1 euw1-az1 - -`].join('\n');
    const v5 = [
      `\${${v5Fields.split(' ').join('} ${')}}`,
      `5 ${ACCOUNT} eni-0a1b2c3d4e5f60718 198.51.100.7 10.0.1.5 51000 22 6 10 840 1700000000 1700000060 ACCEPT OK vpc-0a1b2c3d subnet-0a1b2c3d ${INSTANCE} 18 IPv4 198.51.100.7 10.0.1.5 eu-west-1 euw1-az1 - - - - ingress -`,
      `5 ${ACCOUNT} eni-0a1b2c3d4e5f60718 10.0.1.5 203.0.113.9 60000 443 6 10 840 1700000000 1700000060 ACCEPT OK vpc-0a1b2c3d subnet-0a1b2c3d ${INSTANCE} 19 IPv4 10.0.1.5 203.0.113.9 eu-west-1 euw1-az1 - - - - egress 8`,
    ].join('\n');
    const four = parseFlowFile(v4);
    expect(four.issues).toEqual([]);
    expect(four.events.map((e) => [e.kind, e.net.remoteIp, e.net.remotePort])).toEqual([['net_connect', '198.51.100.7', 443]]);
    const five = parseFlowFile(v5);
    expect(five.issues).toEqual([]);
    expect(five.events.map((e) => [e.kind, e.net.direction, e.net.remoteIp, e.net.localPort])).toEqual([
      ['net_accept', 'ingress', '198.51.100.7', 22],
      ['net_connect', 'egress', '203.0.113.9', 60000],
    ]);
  });

  it('reports malformed lines with their numbers and loses nothing else', () => {
    const good = (port: number) => `2 123456789010 eni-1235b8ca123456789 172.31.16.139 198.51.100.7 40000 ${port} 6 20 4249 1418530010 1418530070 ACCEPT OK`;
    const file = [
      DEFAULT_FLOW_LOG_FIELDS.join(' '),
      good(1001),
      '2 123456789010 eni-1235b8ca123456789 172.31.16.139',
      good(1002),
      '2 123456789010 eni-1235b8ca123456789 172.31.16.139 198.51.100.7 40000 ssh 6 20 4249 1418530010 1418530070 ACCEPT OK',
      good(1003),
      '2 123456789010 eni-1235b8ca123456789 172.31.16.139 198.51.100.7 40000 22 6 -5 4249 1418530010 1418530070 ACCEPT OK',
      good(1004),
    ].join('\n');
    const { events, issues } = parseFlowFile(file, ENI);
    expect(events.map((e) => e.net.remotePort)).toEqual([1001, 1002, 1003, 1004]);
    expect(issues.map((i) => i.line)).toEqual([3, 5, 7]);
    expect(issues[0].message).toMatch(/expected 14 fields/);
    expect(issues[1].message).toMatch(/"dstport"/);
    expect(issues[2].message).toMatch(/"packets"/);
  });
});

describe('Route 53 Resolver query logs, documented versions', () => {
  it('reads version 1.000000 (no firewall fields) and 1.100000 (firewall fields) records alike', () => {
    const v1 = { version: '1.000000', account_id: ACCOUNT, region: 'eu-west-1', vpc_id: 'vpc-0a1b2c3d', query_timestamp: '2026-11-29T10:00:00Z', query_name: 'www.example.com.', query_type: 'AAAA', query_class: 'IN', rcode: 'NOERROR', answers: [{ Rdata: '2001:db8::10', Type: 'AAAA', Class: 'IN' }], srcaddr: '10.0.1.5', srcport: '40000', transport: 'UDP', srcids: { instance: INSTANCE } };
    const v11 = { ...JSON.parse(resolverRecord('blocked.example.test')), firewall_rule_group_id: 'rslvr-frg-01234567890abcdef', firewall_rule_action: 'BLOCK', firewall_domain_list_id: 'rslvr-fdl-01234567890abcdef' };
    const a = parseResolverLine(JSON.stringify(v1), 1, 1);
    const b = parseResolverLine(JSON.stringify(v11), 2, 2);
    expect(a?.event?.dns).toEqual({ query: 'www.example.com', qtype: 'AAAA', rcode: 'NOERROR', answers: ['2001:db8::10'] });
    expect(b?.event).toMatchObject({ instanceId: INSTANCE, sensor: 'route53-resolver', dns: { query: 'blocked.example.test', qtype: 'A' } });
  });

  it('keeps an NXDOMAIN record without answers', () => {
    const r = JSON.parse(resolverRecord('nothing.example.test', { rcode: 'NXDOMAIN' }));
    delete r.answers;
    expect(parseResolverLine(JSON.stringify(r), 1, 1)?.event?.dns).toEqual({ query: 'nothing.example.test', qtype: 'A', rcode: 'NXDOMAIN', answers: [] });
  });
});

describe('CloudWatch Logs subscription deliveries', () => {
  it('decodes awslogs.data, sniffs the source and reports malformed records with group, stream, event id and position', () => {
    const event = subscriptionEvent('/picket/resolver', [resolverRecord('a.example.test'), '{"query_name": "broken', resolverRecord('b.example.test', { offsetS: 1 }), '', resolverRecord('c.example.test', { offsetS: 2 })], 'vpc-0a1b2c3d4e5f60718_abc');
    const data = decodeSubscriptionData(event.awslogs.data);
    expect(sniffSource(data)).toBe('route53-resolver');
    const batch = parseLogBatch(data);
    expect(batch.events.map((e) => (e.kind === 'dns_query' ? e.dns.query : ''))).toEqual(['a.example.test', 'b.example.test', 'c.example.test']);
    expect(batch.events.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(batch.issues).toEqual([
      { logGroup: '/picket/resolver', logStream: 'vpc-0a1b2c3d4e5f60718_abc', eventId: data.logEvents[1].id, line: 2, message: expect.stringMatching(/not JSON/) },
    ]);
    expect(batch.skipped).toBe(1);
  });

  it('reads Picket-format flow records without a header, and a header switches the format mid-delivery', () => {
    const messages = [picketFlowRecord('198.51.100.7', 443), 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status', '2 123456789010 eni-1 10.0.1.5 198.51.100.8 40000 80 6 1 60 1418530010 1418530070 ACCEPT OK'];
    const batch = parseLogBatch(decodeSubscriptionData(subscriptionEvent('/picket/flow', messages).awslogs.data), { interfaceToInstance: new Map([['eni-1', INSTANCE]]) });
    expect(batch.source).toBe('vpc-flow-logs');
    expect(batch.issues).toEqual([]);
    expect(batch.events.map((e) => (e.kind !== 'dns_query' ? e.net.remoteIp : ''))).toEqual(['198.51.100.7', '198.51.100.8']);
    expect(PICKET_FLOW_LOG_FIELDS.length).toBe(picketFlowRecord('198.51.100.7', 443).split(' ').length);
  });

  it('rejects undecodable payloads with the step that failed', () => {
    expect(() => decodeSubscriptionData(undefined)).toThrow(SubscriptionPayloadError);
    expect(() => decodeSubscriptionData('not-gzip')).toThrow(/base64 of gzip/);
    expect(() => decodeSubscriptionData(gzipSync('{oops').toString('base64'))).toThrow(/JSON/);
    expect(() => decodeSubscriptionData(gzipSync('{"messageType":"X"}').toString('base64'))).toThrow(/messageType/);
  });

  it('CONTROL_MESSAGE deliveries yield nothing and no issue', () => {
    const data = { messageType: 'CONTROL_MESSAGE', owner: 'CloudwatchLogs', logGroup: '', logStream: '', subscriptionFilters: [], logEvents: [{ id: '', timestamp: 0, message: 'CWL CONTROL MESSAGE: Checking health of destination Firehose.' }] };
    const decoded = decodeSubscriptionData(gzipSync(JSON.stringify(data)).toString('base64'));
    expect(decoded.messageType).toBe('CONTROL_MESSAGE');
  });
});
