/**
 * VPC Flow Log records (space-separated text; the default version-2 format or any custom format) to
 * network runtime events attributed to the instance.
 * Formats: https://docs.aws.amazon.com/vpc/latest/userguide/flow-log-records.html
 * Files delivered to S3 start with a header line naming the fields; CloudWatch Logs records have no
 * header, so the reader is given the format (the one Picket configures, or the default).
 */
import type { NetEvent } from '../events/runtime-event';
import { isPublicAddress } from '../detection/rules/network/address-scope';
import { type LogParseIssue, UNKNOWN_PROCESS } from './log-process';

export const DEFAULT_FLOW_LOG_FIELDS = [
  'version', 'account-id', 'interface-id', 'srcaddr', 'dstaddr', 'srcport', 'dstport',
  'protocol', 'packets', 'bytes', 'start', 'end', 'action', 'log-status',
] as const;

/** The custom format Picket configures on the flow logs it creates: what the detector needs, nothing more. */
export const PICKET_FLOW_LOG_FIELDS = [
  'version', 'account-id', 'region', 'vpc-id', 'subnet-id', 'instance-id', 'interface-id',
  'flow-direction', 'srcaddr', 'dstaddr', 'pkt-srcaddr', 'pkt-dstaddr', 'srcport', 'dstport',
  'protocol', 'tcp-flags', 'packets', 'bytes', 'start', 'end', 'action', 'log-status',
] as const;

/** Every field name AWS documents for flow-log versions 2 to 5 (a header naming anything else is rejected). */
const KNOWN_FIELDS = new Set<string>([
  ...PICKET_FLOW_LOG_FIELDS, 'type', 'az-id', 'sublocation-type', 'sublocation-id', 'pkt-src-aws-service',
  'pkt-dst-aws-service', 'traffic-path', 'ecs-cluster-arn', 'ecs-cluster-name', 'ecs-container-instance-arn',
  'ecs-container-instance-id', 'ecs-container-id', 'ecs-second-container-id', 'ecs-service-name',
  'ecs-task-definition-arn', 'ecs-task-arn', 'ecs-task-id', 'reject-reason', 'resource-id',
  'encryption-status',
]);

const PROTOCOLS: Record<string, 'tcp' | 'udp'> = { '6': 'tcp', '17': 'udp' };
const INSTANCE_ID = /^i-[0-9a-f]{8,17}$/;
const TCP_SYN = 0x02;
const TCP_ACK = 0x10;

export class FlowLogFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FlowLogFormatError';
  }
}

/** A header line: the first line of an S3 flow-log file, or a format string as written in `LogFormat`. */
export function parseFlowLogHeader(line: string): string[] | null {
  const text = line.trim().replace(/\$\{([a-z0-9-]+)\}/g, '$1');
  if (!/^version(\s|$)|\bsrcaddr\b|\binterface-id\b/.test(text) || /^\d/.test(text)) return null;
  const fields = text.split(/\s+/);
  const unknown = fields.filter((f) => !KNOWN_FIELDS.has(f));
  if (unknown.length > 0) throw new FlowLogFormatError(`unknown flow-log field(s) in header: ${unknown.join(', ')}`);
  for (const required of ['srcaddr', 'dstaddr'] as const) {
    if (!fields.includes(required)) throw new FlowLogFormatError(`flow-log format lacks "${required}"`);
  }
  return fields;
}

export interface FlowLogContext {
  /** Field names in order (from the header, or DEFAULT_FLOW_LOG_FIELDS). */
  readonly fields: readonly string[];
  /** Attribution when the format has no `instance-id`: interface id to instance id. */
  readonly interfaceToInstance?: ReadonlyMap<string, string>;
}

export type FlowLineResult =
  | { readonly event: NetEvent }
  | { readonly issue: LogParseIssue }
  /** NODATA/SKIPDATA records, records for non-instance interfaces and non-TCP/UDP flows. */
  | { readonly skipped: string };

const POSITIONS = new WeakMap<readonly string[], ReadonlyMap<string, number>>();

/** Field name to column, computed once per field list (the hot path reads ~15 fields a record). */
function fieldPositions(fields: readonly string[]): ReadonlyMap<string, number> {
  let known = POSITIONS.get(fields);
  if (!known) {
    known = new Map(fields.map((f, i) => [f, i]));
    POSITIONS.set(fields, known);
  }
  return known;
}

function int(value: string | undefined): number | undefined {
  if (value === undefined || value === '-') return undefined;
  const n = Number(value);
  return Number.isInteger(n) && n >= 0 ? n : Number.NaN;
}

/**
 * One flow-log record to a net_connect (the instance opened the flow) or net_accept (a remote peer
 * did) event: the instance's side comes from `flow-direction` or the address scope (localIsSource),
 * and the side on the lower port is taken as the server. `net.direction` is the packets' direction.
 */
export function parseFlowLogLine(line: string, lineNo: number, seq: number, ctx: FlowLogContext): FlowLineResult | null {
  const text = line.trim();
  if (text.length === 0) return null;
  // Flow-log fields are separated by one space; other whitespace only in hand-edited files.
  const values = text.includes('  ') || text.includes('\t') ? text.split(/\s+/) : text.split(' ');
  if (values.length !== ctx.fields.length) {
    return { issue: { line: lineNo, message: `expected ${ctx.fields.length} fields (${ctx.fields.slice(0, 4).join(' ')} …), found ${values.length}` } };
  }
  const positions = fieldPositions(ctx.fields);
  const get = (name: string): string | undefined => {
    const i = positions.get(name);
    return i === undefined ? undefined : values[i];
  };
  const status = get('log-status');
  if (status === 'NODATA' || status === 'SKIPDATA') return { skipped: status };
  const protocol = PROTOCOLS[get('protocol') ?? ''];
  if (protocol === undefined) return { skipped: `protocol ${get('protocol')}` };

  const instanceField = get('instance-id');
  const interfaceId = get('interface-id');
  const instanceId = instanceField && instanceField !== '-' ? instanceField : interfaceId ? ctx.interfaceToInstance?.get(interfaceId) : undefined;
  if (!instanceId) return { skipped: 'no instance attribution' };
  if (!INSTANCE_ID.test(instanceId)) return { issue: { line: lineNo, message: `instance-id is not an instance id: ${instanceId.slice(0, 40)}` } };

  const src = pick(get('pkt-srcaddr'), get('srcaddr'));
  const dst = pick(get('pkt-dstaddr'), get('dstaddr'));
  const srcPort = int(get('srcport'));
  const dstPort = int(get('dstport'));
  const start = int(get('start')) ?? int(get('end'));
  const packets = int(get('packets'));
  const bytes = int(get('bytes'));
  const tcpFlags = int(get('tcp-flags'));
  for (const [name, value] of [['srcport', srcPort], ['dstport', dstPort], ['start', start], ['packets', packets], ['bytes', bytes], ['tcp-flags', tcpFlags]] as const) {
    if (Number.isNaN(value)) return { issue: { line: lineNo, message: `"${name}" is not a non-negative integer` } };
  }
  if (!src || !dst) return { issue: { line: lineNo, message: 'srcaddr or dstaddr missing' } };
  if (start === undefined) return { issue: { line: lineNo, message: 'neither "start" nor "end" present' } };

  const direction = get('flow-direction');
  const srcIsLocal = localIsSource(direction, src, dst, srcPort, dstPort);
  const [localIp, localPort, remoteIp, remotePort] = srcIsLocal ? [src, srcPort, dst, dstPort] : [dst, dstPort, src, srcPort];
  // Who opened the connection: the side on the lower (service) port is the server.
  const accepted = localPort !== undefined && remotePort !== undefined && localPort < remotePort;
  const action = get('action');
  // A SYN without ACK in the aggregated flags means the handshake never completed (scans, blocked C2).
  const handshakeOnly = tcpFlags !== undefined && protocol === 'tcp' && (tcpFlags & TCP_SYN) !== 0 && (tcpFlags & TCP_ACK) === 0;

  const event: NetEvent = {
    v: 1,
    kind: accepted ? 'net_accept' : 'net_connect',
    ts: new Date(start * 1000).toISOString(),
    instanceId,
    seq,
    process: UNKNOWN_PROCESS,
    lineage: [],
    sensor: 'vpc-flow-logs',
    success: !(action === 'REJECT' || handshakeOnly),
    net: {
      family: src.includes(':') ? 'inet6' : 'inet',
      protocol,
      localIp,
      localPort,
      remoteIp,
      remotePort,
      direction: srcIsLocal ? 'egress' : 'ingress',
      ...(bytes !== undefined ? { bytes } : {}),
      ...(packets !== undefined ? { packets } : {}),
    },
  };
  return { event };
}

/**
 * Which address is the instance's. `flow-direction` says it (v5); without it, a private address facing
 * a public one is the instance's; otherwise the side with the higher (ephemeral) port is taken as the
 * instance, acting as the client.
 */
function localIsSource(direction: string | undefined, src: string, dst: string, srcPort: number | undefined, dstPort: number | undefined): boolean {
  if (direction === 'egress') return true;
  if (direction === 'ingress') return false;
  const srcPublic = isPublicAddress(src);
  if (srcPublic !== isPublicAddress(dst)) return !srcPublic;
  return (srcPort ?? 0) >= (dstPort ?? 0);
}

function pick(preferred: string | undefined, fallback: string | undefined): string | undefined {
  if (preferred && preferred !== '-') return preferred;
  if (fallback && fallback !== '-') return fallback;
  return undefined;
}
