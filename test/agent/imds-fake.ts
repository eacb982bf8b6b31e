/**
 * A fake EC2 instance metadata service (IMDSv2 only) on 127.0.0.1 for agent tests: PUT /latest/api/token gives
 * a token, GET /latest/dynamic/instance-identity/document requires it (401 without, as IMDSv2-only instances do).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeImds {
  readonly endpoint: string;
  readonly requests: { method: string; url: string; token?: string }[];
  /** Fail the next n requests with HTTP 503 (IMDS not ready at boot). */
  failNext: number;
  close(): Promise<void>;
}

export const TEST_IDENTITY_DOCUMENT = {
  accountId: '123456789012',
  architecture: 'x86_64',
  availabilityZone: 'us-east-1a',
  imageId: 'ami-0123456789abcdef0',
  instanceId: 'i-0123456789abcdef0',
  instanceType: 't3.small',
  privateIp: '10.0.0.10',
  region: 'us-east-1',
  version: '2017-09-30',
};

export async function startFakeImds(document: Record<string, unknown> = TEST_IDENTITY_DOCUMENT): Promise<FakeImds> {
  const token = 'fake-imds-token-AQAEAOVp';
  const state = { failNext: 0 };
  const requests: FakeImds['requests'] = [];
  const server: Server = createServer((req, res) => {
    const given = req.headers['x-aws-ec2-metadata-token'] as string | undefined;
    requests.push({ method: req.method ?? '', url: req.url ?? '', token: given });
    if (state.failNext > 0) {
      state.failNext--;
      res.writeHead(503).end();
      return;
    }
    if (req.method === 'PUT' && req.url === '/latest/api/token') {
      if (!req.headers['x-aws-ec2-metadata-token-ttl-seconds']) {
        res.writeHead(400).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain' }).end(token);
      return;
    }
    if (req.method === 'GET' && req.url === '/latest/dynamic/instance-identity/document') {
      if (given !== token) {
        res.writeHead(401).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain' }).end(JSON.stringify(document, null, 2));
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    get failNext() {
      return state.failNext;
    },
    set failNext(n: number) {
      state.failNext = n;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
