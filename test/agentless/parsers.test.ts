import { DEFAULT_FLOW_LOG_FIELDS, FlowLogFormatError, PICKET_FLOW_LOG_FIELDS, parseFlowLogHeader, parseFlowLogLine } from '../../lambda/domain/agentless/flow-log';
import { parseResolverLine } from '../../lambda/domain/agentless/resolver-log';

// The record AWS documents as its resolver query log example (resolver-query-logs-example-json).
const DOCUMENTED_RESOLVER_RECORD = JSON.stringify({
  srcaddr: '4.5.64.102',
  vpc_id: 'vpc-7example',
  answers: [{ Rdata: '203.0.113.9', Type: 'PTR', Class: 'IN' }],
  firewall_rule_group_id: 'rslvr-frg-01234567890abcdef',
  firewall_rule_action: 'BLOCK',
  query_name: '15.3.4.32.in-addr.arpa.',
  firewall_domain_list_id: 'rslvr-fdl-01234567890abcdef',
  query_class: 'IN',
  srcids: { instance: 'i-0d15cd0d3e0a1b2c3' },
  rcode: 'NOERROR',
  query_type: 'PTR',
  transport: 'UDP',
  version: '1.100000',
  account_id: '111122223333',
  srcport: '56067',
  query_timestamp: '2021-02-04T17:51:55Z',
  region: 'us-east-1',
});

describe('Route 53 Resolver query log parser', () => {
  it('turns the documented record into a dns_query event attributed to srcids.instance', () => {
    const result = parseResolverLine(DOCUMENTED_RESOLVER_RECORD, 1, 7);
    expect(result?.event).toMatchObject({
      v: 1,
      kind: 'dns_query',
      ts: '2021-02-04T17:51:55.000Z',
      instanceId: 'i-0d15cd0d3e0a1b2c3',
      seq: 7,
      sensor: 'route53-resolver',
      dns: { query: '15.3.4.32.in-addr.arpa', qtype: 'PTR', rcode: 'NOERROR', answers: ['203.0.113.9'] },
    });
  });

  it('skips queries that did not come from an instance, without calling them malformed', () => {
    const record = JSON.parse(DOCUMENTED_RESOLVER_RECORD);
    record.srcids = { resolver_endpoint: 'rslvr-in-0123456789abcdef0' };
    expect(parseResolverLine(JSON.stringify(record), 3, 1)).toEqual({ skipped: true });
  });

  it.each([
    ['{"query_name": "a.example.com."', /not JSON/],
    ['[1,2]', /not a JSON object/],
    [JSON.stringify({ query_timestamp: '2021-02-04T17:51:55Z', query_type: 'A', srcids: { instance: 'i-0123456789abcdef0' } }), /"query_name"/],
    [JSON.stringify({ query_timestamp: 'yesterday', query_name: 'a.', query_type: 'A', srcids: { instance: 'i-0123456789abcdef0' } }), /ISO 8601/],
    [JSON.stringify({ query_timestamp: '2021-02-04T17:51:55Z', query_name: 'a.', query_type: 'A', srcids: { instance: 'bob' } }), /not an instance id/],
  ])('reports a malformed line with its number: %s', (line, message) => {
    const result = parseResolverLine(line, 42, 1);
    expect(result?.issue?.line).toBe(42);
    expect(result?.issue?.message).toMatch(message);
  });

  it('ignores blank lines', () => {
    expect(parseResolverLine('   ', 1, 1)).toBeNull();
  });
});

describe('VPC Flow Logs parser', () => {
  const defaults = { fields: DEFAULT_FLOW_LOG_FIELDS, interfaceToInstance: new Map([['eni-1235b8ca123456789', 'i-0123456789abcdef0']]) };

  it('reads the documented default-format accepted SSH flow, attributed through the interface map', () => {
    // From the flow-log record examples in the VPC user guide.
    const line = '2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK';
    const result = parseFlowLogLine(line, 1, 1, defaults);
    expect(result).toMatchObject({
      event: {
        kind: 'net_connect',
        instanceId: 'i-0123456789abcdef0',
        ts: new Date(1418530010 * 1000).toISOString(),
        sensor: 'vpc-flow-logs',
        success: true,
        net: { family: 'inet', protocol: 'tcp', localIp: '172.31.16.139', localPort: 20641, remoteIp: '172.31.16.21', remotePort: 22, bytes: 4249, packets: 20 },
      },
    });
  });

  it('marks a rejected flow as unsuccessful and skips NODATA records', () => {
    const rejected = '2 123456789010 eni-1235b8ca123456789 172.31.9.69 172.31.9.12 49761 3389 6 20 4249 1418530010 1418530070 REJECT OK';
    expect(parseFlowLogLine(rejected, 1, 1, defaults)).toMatchObject({ event: { success: false, net: { remotePort: 3389 } } });
    const nodata = '2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA';
    expect(parseFlowLogLine(nodata, 2, 1, defaults)).toEqual({ skipped: 'NODATA' });
  });

  it('reads Picket\'s custom format with a header: direction, packet addresses and tcp flags', () => {
    const fields = parseFlowLogHeader(PICKET_FLOW_LOG_FIELDS.join(' '))!;
    const line = '5 123456789012 us-east-1 vpc-0a1b2c3d subnet-0a1b2c3d i-0123456789abcdef0 eni-0a1b2c3d4e5f60718 egress 10.0.1.5 198.51.100.7 10.0.1.5 198.51.100.7 44321 3333 6 2 3 180 1700000000 1700000060 ACCEPT OK';
    const result = parseFlowLogLine(line, 2, 9, { fields });
    expect(result).toMatchObject({
      event: { kind: 'net_connect', instanceId: 'i-0123456789abcdef0', success: false, net: { remoteIp: '198.51.100.7', remotePort: 3333, direction: 'egress' } },
    });
    const ingress = line.replace(' egress ', ' ingress ').replace('10.0.1.5 198.51.100.7 10.0.1.5 198.51.100.7 44321 3333', '198.51.100.7 10.0.1.5 198.51.100.7 10.0.1.5 51000 22').replace(' 6 2 ', ' 6 18 ');
    expect(parseFlowLogLine(ingress, 3, 10, { fields })).toMatchObject({
      event: { kind: 'net_accept', success: true, net: { remoteIp: '198.51.100.7', remotePort: 51000, localPort: 22, direction: 'ingress' } },
    });
  });

  it('accepts a LogFormat string (dollar-brace field placeholders) as a header', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the literal ${field} syntax of a flow-log LogFormat
    expect(parseFlowLogHeader('${version} ${srcaddr} ${dstaddr} ${instance-id}')).toEqual(['version', 'srcaddr', 'dstaddr', 'instance-id']);
  });

  it('rejects headers naming unknown fields, with the field named', () => {
    expect(() => parseFlowLogHeader('version srcaddr dstaddr colour')).toThrow(FlowLogFormatError);
    expect(() => parseFlowLogHeader('version srcaddr dstaddr colour')).toThrow(/colour/);
  });

  it.each([
    ['2 123456789010 eni-1235b8ca123456789 172.31.16.139', /expected 14 fields/],
    ['2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 http 22 6 20 4249 1418530010 1418530070 ACCEPT OK', /"srcport"/],
  ])('reports malformed records with their line number: %s', (line, message) => {
    const result = parseFlowLogLine(line, 17, 1, defaults);
    expect(result && 'issue' in result ? result.issue : undefined).toMatchObject({ line: 17, message: expect.stringMatching(message) });
  });

  it('skips flows it cannot attribute to an instance and non TCP/UDP protocols', () => {
    const unknownEni = '2 123456789010 eni-ffffffffffffffff0 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK';
    expect(parseFlowLogLine(unknownEni, 1, 1, defaults)).toEqual({ skipped: 'no instance attribution' });
    const icmp = '2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 0 0 1 4 336 1432917027 1432917142 ACCEPT OK';
    expect(parseFlowLogLine(icmp, 1, 1, defaults)).toEqual({ skipped: 'protocol 1' });
  });
});
