import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fetchInstanceIdentity, ImdsError, parseIdentityDocument, partitionOf } from '../../agent-bootstrap/agent/identity/imds';
import { startFakeImds, TEST_IDENTITY_DOCUMENT } from './imds-fake';

describe('IMDSv2 instance identity', () => {
  it('takes a session token first, then reads the identity document with it, and builds the instance ARN', async () => {
    const imds = await startFakeImds();
    try {
      const identity = await fetchInstanceIdentity({ endpoint: imds.endpoint });
      expect(identity).toMatchObject({
        instanceId: 'i-0123456789abcdef0',
        region: 'us-east-1',
        accountId: '123456789012',
        instanceArn: 'arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0',
        instanceType: 't3.small',
      });
      expect(imds.requests.map((r) => `${r.method} ${r.url}`)).toEqual(['PUT /latest/api/token', 'GET /latest/dynamic/instance-identity/document']);
      expect(imds.requests[1]!.token).toBeTruthy();
    } finally {
      await imds.close();
    }
  });

  it('retries while IMDS is not ready yet', async () => {
    const imds = await startFakeImds();
    imds.failNext = 3;
    try {
      const identity = await fetchInstanceIdentity({ endpoint: imds.endpoint, backoff: { baseDelayMs: 1, maxDelayMs: 5 } });
      expect(identity.instanceId).toBe(TEST_IDENTITY_DOCUMENT.instanceId);
      expect(imds.requests.length).toBeGreaterThanOrEqual(5);
    } finally {
      await imds.close();
    }
  });

  it('fails with a clear error when nothing answers, keeping the cause', async () => {
    // A port that was just free: connection refused.
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const error = await fetchInstanceIdentity({ endpoint: `http://127.0.0.1:${port}`, attempts: 2, backoff: { baseDelayMs: 1, maxDelayMs: 2 } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImdsError);
    expect((error as Error).message).toContain(`127.0.0.1:${port}`);
    expect((error as Error).cause).toBeDefined();
  });

  it('does not retry a malformed document, and names the bad field', async () => {
    const imds = await startFakeImds({ ...TEST_IDENTITY_DOCUMENT, accountId: 'not-an-account' });
    try {
      const error = await fetchInstanceIdentity({ endpoint: imds.endpoint }).catch((e: unknown) => e);
      expect((error as Error).cause).toBeInstanceOf(ImdsError);
      expect(((error as Error).cause as Error).message).toContain('"accountId"');
      expect(imds.requests).toHaveLength(2);
    } finally {
      await imds.close();
    }
  });

  it('uses the right partition in the ARN', () => {
    expect(partitionOf('cn-north-1')).toBe('aws-cn');
    expect(partitionOf('us-gov-west-1')).toBe('aws-us-gov');
    expect(partitionOf('eu-west-1')).toBe('aws');
    const doc = parseIdentityDocument(JSON.stringify({ ...TEST_IDENTITY_DOCUMENT, region: 'cn-northwest-1' }));
    expect(doc.instanceArn).toBe('arn:aws-cn:ec2:cn-northwest-1:123456789012:instance/i-0123456789abcdef0');
  });
});
