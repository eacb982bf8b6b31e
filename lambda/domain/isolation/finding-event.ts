/**
 * Reads what the responder is asked to act on: an EventBridge event carrying a Picket finding
 * (`picket.detector`) or an Amazon GuardDuty finding (`aws.guardduty`), or a bare finding from a
 * file (CLI). Only the fields the responder needs are kept; errors name the field that is wrong.
 */
import type { InstanceDetails } from '../findings/finding';
import { FindingInputError } from './errors';

/** The part of a finding the responder uses (Picket and GuardDuty findings share it). */
export interface ResponseFinding {
  readonly id: string;
  readonly type: string;
  readonly severity: number;
  readonly accountId: string;
  readonly region: string;
  readonly partition: string;
  readonly updatedAt: string;
  readonly instanceDetails: InstanceDetails;
}

/** A finding with the envelope it came in; `source` is undefined for a bare finding read from a file. */
export interface IncomingFinding {
  readonly source?: string;
  readonly detailType?: string;
  /** The account that put the event (EventBridge sets it; the sender cannot choose it). */
  readonly eventAccount?: string;
  readonly eventRegion?: string;
  readonly eventTime?: string;
  readonly finding: ResponseFinding;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(obj: Json, key: string, where: string): string {
  const value = obj[key];
  if (typeof value !== 'string' || value.length === 0) {
    throw new FindingInputError(`${where}.${key}`, `expected a non-empty string, got ${describe(value)}`);
  }
  return value;
}

function optStr(obj: Json, key: string, where: string): string | undefined {
  return obj[key] === undefined ? undefined : str(obj, key, where);
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'string' ? `"${value.slice(0, 40)}"` : typeof value;
}

/** Parses an event or bare finding. `where` is a location prefix such as the file name. */
export function parseIncomingFinding(input: unknown, where = 'input'): IncomingFinding {
  if (!isObject(input)) throw new FindingInputError(where, `expected a JSON object, got ${describe(input)}`);
  if (isObject(input['detail']) && (input['source'] !== undefined || input['detail-type'] !== undefined)) {
    return {
      source: str(input, 'source', where),
      detailType: str(input, 'detail-type', where),
      eventAccount: optStr(input, 'account', where),
      eventRegion: optStr(input, 'region', where),
      eventTime: optStr(input, 'time', where),
      finding: parseFinding(input['detail'], `${where}.detail`),
    };
  }
  return { finding: parseFinding(input, where) };
}

export function parseFinding(input: unknown, where: string): ResponseFinding {
  if (!isObject(input)) throw new FindingInputError(where, `expected a finding object, got ${describe(input)}`);
  const severity = input['severity'];
  if (typeof severity !== 'number' || !Number.isFinite(severity)) {
    throw new FindingInputError(`${where}.severity`, `expected a number from 1.0 to 10.0, got ${describe(severity)}`);
  }
  const resource = input['resource'];
  if (!isObject(resource)) throw new FindingInputError(`${where}.resource`, `expected an object, got ${describe(resource)}`);
  if (resource['resourceType'] !== 'Instance') {
    throw new FindingInputError(`${where}.resource.resourceType`, `only Instance findings can be isolated, got ${describe(resource['resourceType'])}`);
  }
  return {
    id: str(input, 'id', where),
    type: str(input, 'type', where),
    severity,
    accountId: str(input, 'accountId', where),
    region: str(input, 'region', where),
    partition: optStr(input, 'partition', where) ?? 'aws',
    updatedAt: optStr(input, 'updatedAt', where) ?? str(input, 'createdAt', where),
    instanceDetails: parseInstanceDetails(resource['instanceDetails'], `${where}.resource.instanceDetails`),
  };
}

function parseInstanceDetails(input: unknown, where: string): InstanceDetails {
  if (!isObject(input)) throw new FindingInputError(where, `expected an object, got ${describe(input)}`);
  const instanceId = str(input, 'instanceId', where);
  if (!/^i-[0-9a-f]{8,17}$/.test(instanceId)) throw new FindingInputError(`${where}.instanceId`, `"${instanceId.slice(0, 40)}" is not an EC2 instance id`);
  const enis = input['networkInterfaces'] ?? [];
  if (!Array.isArray(enis)) throw new FindingInputError(`${where}.networkInterfaces`, `expected an array, got ${describe(enis)}`);
  const tags = input['tags'] ?? [];
  if (!Array.isArray(tags)) throw new FindingInputError(`${where}.tags`, `expected an array, got ${describe(tags)}`);
  const profile = input['iamInstanceProfile'];
  return {
    instanceId,
    instanceState: optStr(input, 'instanceState', where),
    iamInstanceProfile: isObject(profile) && typeof profile['arn'] === 'string' ? { arn: profile['arn'], id: typeof profile['id'] === 'string' ? profile['id'] : undefined } : undefined,
    networkInterfaces: enis.map((eni, i) => {
      const at = `${where}.networkInterfaces[${i}]`;
      if (!isObject(eni)) throw new FindingInputError(at, `expected an object, got ${describe(eni)}`);
      const groups = eni['securityGroups'] ?? [];
      if (!Array.isArray(groups)) throw new FindingInputError(`${at}.securityGroups`, `expected an array, got ${describe(groups)}`);
      return {
        networkInterfaceId: str(eni, 'networkInterfaceId', at),
        vpcId: optStr(eni, 'vpcId', at),
        subnetId: optStr(eni, 'subnetId', at),
        privateIpAddress: optStr(eni, 'privateIpAddress', at),
        securityGroups: groups.map((g, j) => {
          if (!isObject(g)) throw new FindingInputError(`${at}.securityGroups[${j}]`, `expected an object, got ${describe(g)}`);
          return { groupId: str(g, 'groupId', `${at}.securityGroups[${j}]`), groupName: optStr(g, 'groupName', `${at}.securityGroups[${j}]`) };
        }),
      };
    }),
    tags: tags.map((t, i) => {
      if (!isObject(t)) throw new FindingInputError(`${where}.tags[${i}]`, `expected an object, got ${describe(t)}`);
      return { key: str(t, 'key', `${where}.tags[${i}]`), value: typeof t['value'] === 'string' ? t['value'] : '' };
    }),
  };
}
