/**
 * Builders of log records in the exact shapes AWS documents (no capture of a real lookup or
 * connection is allowed: names are `.test`/`.example`, addresses TEST-NET). Field order of flow-log
 * records follows the LogFormat; resolver records follow the documented JSON example.
 */
import { PICKET_FLOW_LOG_FIELDS } from '../../lambda/domain/agentless/flow-log';
import { type CloudWatchLogsData, encodeSubscriptionData } from '../../lambda/domain/agentless/subscription';

export const INSTANCE = 'i-0123456789abcdef0';
export const ACCOUNT = '111122223333';
const BASE = Date.parse('2026-11-29T10:00:00Z');

/** A resolver query log record, version 1.100000 field order as in the AWS example. */
export function resolverRecord(name: string, opts: { offsetS?: number; answers?: string[]; rcode?: string; qtype?: string; instance?: string } = {}): string {
  return JSON.stringify({
    version: '1.100000',
    account_id: ACCOUNT,
    region: 'eu-west-1',
    vpc_id: 'vpc-0a1b2c3d4e5f60718',
    query_timestamp: new Date(BASE + (opts.offsetS ?? 0) * 1000).toISOString().replace('.000Z', 'Z'),
    query_name: `${name}.`,
    query_type: opts.qtype ?? 'A',
    query_class: 'IN',
    rcode: opts.rcode ?? 'NOERROR',
    answers: (opts.answers ?? ['192.0.2.10']).map((a) => ({ Rdata: a, Type: 'A', Class: 'IN' })),
    srcaddr: '10.0.1.5',
    srcport: '53011',
    transport: 'UDP',
    srcids: { instance: opts.instance ?? INSTANCE },
  });
}

export interface FlowOpts {
  readonly direction?: 'egress' | 'ingress';
  readonly srcPort?: number;
  readonly protocol?: 6 | 17;
  readonly tcpFlags?: number;
  readonly action?: 'ACCEPT' | 'REJECT';
  readonly offsetS?: number;
  readonly instance?: string;
  readonly local?: string;
}

/** A record in Picket's custom format (PICKET_FLOW_LOG_FIELDS order). Egress: local → remote. */
export function picketFlowRecord(remote: string, remotePort: number, opts: FlowOpts = {}): string {
  const local = opts.local ?? '10.0.1.5';
  const egress = (opts.direction ?? 'egress') === 'egress';
  const [src, dst] = egress ? [local, remote] : [remote, local];
  const localPort = opts.srcPort ?? 44321;
  const [sport, dport] = egress ? [localPort, remotePort] : [remotePort, localPort];
  const start = Math.floor(BASE / 1000) + (opts.offsetS ?? 0);
  const values: Record<(typeof PICKET_FLOW_LOG_FIELDS)[number], string | number> = {
    version: 5,
    'account-id': ACCOUNT,
    region: 'eu-west-1',
    'vpc-id': 'vpc-0a1b2c3d4e5f60718',
    'subnet-id': 'subnet-0a1b2c3d4e5f60718',
    'instance-id': opts.instance ?? INSTANCE,
    'interface-id': 'eni-0a1b2c3d4e5f60718',
    'flow-direction': egress ? 'egress' : 'ingress',
    srcaddr: src,
    dstaddr: dst,
    'pkt-srcaddr': src,
    'pkt-dstaddr': dst,
    srcport: sport,
    dstport: dport,
    protocol: opts.protocol ?? 6,
    'tcp-flags': opts.tcpFlags ?? 19,
    packets: 10,
    bytes: 840,
    start,
    end: start + 60,
    action: opts.action ?? 'ACCEPT',
    'log-status': 'OK',
  };
  return PICKET_FLOW_LOG_FIELDS.map((f) => String(values[f])).join(' ');
}

/** A CloudWatch Logs subscription event (`{awslogs: {data}}`) holding these messages. */
export function subscriptionEvent(logGroup: string, messages: readonly string[], logStream = 'eni-0a1b2c3d4e5f60718-all'): { awslogs: { data: string } } {
  const data: CloudWatchLogsData = {
    messageType: 'DATA_MESSAGE',
    owner: ACCOUNT,
    logGroup,
    logStream,
    subscriptionFilters: ['Picket-AgentlessFlowLogsSubscription'],
    logEvents: messages.map((message, i) => ({ id: `3${String(i).padStart(55, '0')}`, timestamp: BASE + i, message })),
  };
  return { awslogs: { data: encodeSubscriptionData(data) } };
}
