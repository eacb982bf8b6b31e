/**
 * Instance identity from IMDSv2: PUT /latest/api/token for a session token, then GET the signed-over
 * identity document. The instance ARN built from it is what `Source = picket.agent/<instance ARN>` carries,
 * and what the instance role's policy binds to `ec2:SourceInstanceARN`, so an instance cannot speak for another.
 *
 * Plain node:http (no SDK): the agent needs four fields, and the endpoint is configurable so tests use a fake on
 * 127.0.0.1. IMDS answers within milliseconds on EC2; we retry with backoff because at boot it can lag.
 */
import { request } from 'node:http';
import { type BackoffPolicy, fullJitterDelayMs, sleep } from '../util/backoff';

export const DEFAULT_IMDS_ENDPOINT = 'http://169.254.169.254';

export interface InstanceIdentity {
  readonly instanceId: string;
  readonly region: string;
  readonly accountId: string;
  /** arn:<partition>:ec2:<region>:<account>:instance/<id> */
  readonly instanceArn: string;
  readonly instanceType?: string;
  readonly architecture?: string;
  readonly imageId?: string;
  readonly availabilityZone?: string;
}

export class ImdsError extends Error {
  /** True when retrying cannot help (the document is malformed). */
  readonly permanent: boolean;
  constructor(message: string, options?: { cause?: unknown; permanent?: boolean }) {
    super(message, options);
    this.name = 'ImdsError';
    this.permanent = options?.permanent ?? false;
  }
}

export interface ImdsOptions {
  /** @default 'http://169.254.169.254' */
  readonly endpoint?: string;
  /** Per request. @default 2000 */
  readonly timeoutMs?: number;
  /** @default 6 */
  readonly attempts?: number;
  /** @default { baseDelayMs: 200, maxDelayMs: 5000 } */
  readonly backoff?: BackoffPolicy;
  readonly signal?: AbortSignal;
}

export async function fetchInstanceIdentity(options: ImdsOptions = {}): Promise<InstanceIdentity> {
  const endpoint = new URL(options.endpoint ?? DEFAULT_IMDS_ENDPOINT);
  const attempts = options.attempts ?? 6;
  const backoff = options.backoff ?? { baseDelayMs: 200, maxDelayMs: 5000 };
  let lastError: unknown;
  for (let attempt = 0; attempt < attempts; attempt++) {
    if (attempt > 0) await sleep(fullJitterDelayMs(attempt, backoff), options.signal);
    if (options.signal?.aborted) break;
    try {
      const token = await httpCall(endpoint, 'PUT', '/latest/api/token', { 'X-aws-ec2-metadata-token-ttl-seconds': '300' }, options.timeoutMs);
      const body = await httpCall(endpoint, 'GET', '/latest/dynamic/instance-identity/document', { 'X-aws-ec2-metadata-token': token }, options.timeoutMs);
      return parseIdentityDocument(body);
    } catch (error) {
      lastError = error;
      if (error instanceof ImdsError && error.permanent) break;
    }
  }
  throw new ImdsError(`IMDSv2 at ${endpoint.origin} gave no instance identity after ${attempts} attempts`, { cause: lastError });
}

/** The identity document's fields we need, checked. */
export function parseIdentityDocument(body: string): InstanceIdentity {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(body) as Record<string, unknown>;
  } catch (error) {
    throw new ImdsError('IMDS instance identity document is not JSON', { cause: error, permanent: true });
  }
  const field = (name: string, pattern: RegExp): string => {
    const value = doc[name];
    if (typeof value !== 'string' || !pattern.test(value)) {
      throw new ImdsError(`IMDS instance identity document: field "${name}" is ${JSON.stringify(value)}, expected ${pattern}`, { permanent: true });
    }
    return value;
  };
  const instanceId = field('instanceId', /^i-[0-9a-f]{8,17}$/);
  const region = field('region', /^[a-z]{2}(-[a-z]+)+-\d$/);
  const accountId = field('accountId', /^\d{12}$/);
  const optional = (name: string) => (typeof doc[name] === 'string' ? (doc[name] as string) : undefined);
  return {
    instanceId,
    region,
    accountId,
    instanceArn: `arn:${partitionOf(region)}:ec2:${region}:${accountId}:instance/${instanceId}`,
    instanceType: optional('instanceType'),
    architecture: optional('architecture'),
    imageId: optional('imageId'),
    availabilityZone: optional('availabilityZone'),
  };
}

export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('us-iso-')) return 'aws-iso';
  if (region.startsWith('us-isob-')) return 'aws-iso-b';
  if (region.startsWith('eu-isoe-')) return 'aws-iso-e';
  return 'aws';
}

function httpCall(endpoint: URL, method: string, path: string, headers: Record<string, string>, timeoutMs = 2000): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(
      { hostname: endpoint.hostname, port: endpoint.port || 80, method, path, headers, timeout: timeoutMs },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode === 200) resolve(body);
          else reject(new ImdsError(`IMDS ${method} ${path} answered HTTP ${res.statusCode}`));
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new ImdsError(`IMDS ${method} ${path} timed out after ${timeoutMs} ms`)));
    req.on('error', (error) => reject(error instanceof ImdsError ? error : new ImdsError(`IMDS ${method} ${path} failed`, { cause: error })));
    req.end();
  });
}
