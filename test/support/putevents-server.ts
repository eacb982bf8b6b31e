/**
 * A local stand-in for the EventBridge PutEvents API on 127.0.0.1, speaking its wire protocol (AWS JSON 1.1:
 * POST /, `X-Amz-Target: AWSEvents.PutEvents`, body `{Entries:[…]}`, answer `{FailedEntryCount, Entries:[{EventId} |
 * {ErrorCode, ErrorMessage}]}`), so the real SDK client can be pointed at it with an endpoint override.
 * SigV4 `Authorization` is required to be present (the SDK signed the request) but not verified.
 *
 * Faults, switchable at any time:
 * - `down()` / `up()`: the listener is closed (connections refused) and open connections are reset;
 * - `fault = { kind: 'http503' }`: 503 ServiceUnavailable; `{ kind: 'throttle' }`: 400 ThrottlingException;
 *   `{ kind: 'reset' }`: the TCP connection is destroyed without an answer;
 *   with `times: n` the fault applies to the next n calls only;
 * - `failEntry(entry, indexInCall, callNo)`: per-entry ErrorCode (partial failures).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface ReceivedEntry {
  readonly Source: string;
  readonly DetailType: string;
  readonly Detail: string;
  readonly EventBusName?: string;
  readonly Time?: string;
  readonly Resources?: string[];
  /** Id given in the answer. */
  readonly eventId: string;
  /** Which call (1-based) accepted it. */
  readonly callNo: number;
}

export type ServerFault = { readonly kind: 'none' } | { readonly kind: 'http503' | 'throttle' | 'reset'; readonly times?: number };

export interface EntryError {
  readonly ErrorCode: string;
  readonly ErrorMessage: string;
}

export interface CallRecord {
  readonly callNo: number;
  readonly target: string | undefined;
  readonly hadSignature: boolean;
  readonly entries: number;
  readonly outcome: 'ok' | 'partial' | 'http503' | 'throttle' | 'reset' | 'bad-request';
}

export class PutEventsServer {
  /** Entries accepted, in the order they were accepted. */
  readonly accepted: ReceivedEntry[] = [];
  readonly calls: CallRecord[] = [];
  fault: ServerFault = { kind: 'none' };
  failEntry: ((entry: Omit<ReceivedEntry, 'eventId' | 'callNo'>, index: number, callNo: number) => EntryError | undefined) | undefined;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private port = 0;
  private nextId = 1;

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Starts listening (on the same port again after `down()`). */
  async up(): Promise<void> {
    if (this.server) return;
    const server = createServer((req, res) => this.handle(req, res));
    server.keepAliveTimeout = 5000;
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Stops listening and resets open connections: the client sees ECONNREFUSED / ECONNRESET. */
  async down(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Events (decoded JSON objects of each entry's Detail). */
  details(): unknown[] {
    return this.accepted.map((e) => JSON.parse(e.Detail) as unknown);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const callNo = this.calls.length + 1;
      const target = req.headers['x-amz-target'] as string | undefined;
      const hadSignature = typeof req.headers.authorization === 'string' && req.headers.authorization.startsWith('AWS4-HMAC-SHA256');
      const record = (outcome: CallRecord['outcome'], entries = 0) => this.calls.push({ callNo, target, hadSignature, entries, outcome });
      const fault = this.takeFault();
      if (fault === 'reset') {
        record('reset');
        req.socket.destroy();
        return;
      }
      if (fault === 'http503') {
        record('http503');
        return this.json(res, 503, { __type: 'ServiceUnavailableException', message: 'Service Unavailable' });
      }
      if (fault === 'throttle') {
        record('throttle');
        return this.json(res, 400, { __type: 'ThrottlingException', message: 'Rate exceeded' });
      }
      let body: { Entries?: Omit<ReceivedEntry, 'eventId' | 'callNo'>[] };
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof body;
      } catch {
        record('bad-request');
        return this.json(res, 400, { __type: 'SerializationException', message: 'body is not JSON' });
      }
      if (target !== 'AWSEvents.PutEvents' || !hadSignature || !Array.isArray(body.Entries) || body.Entries.length === 0 || body.Entries.length > 10) {
        record('bad-request');
        return this.json(res, 400, { __type: 'ValidationException', message: `bad PutEvents request (target ${target}, signed ${hadSignature})` });
      }
      let failed = 0;
      const results = body.Entries.map((entry, index) => {
        const error = this.failEntry?.(entry, index, callNo);
        if (error) {
          failed++;
          return error;
        }
        const eventId = `00000000-0000-4000-8000-${String(this.nextId++).padStart(12, '0')}`;
        this.accepted.push({ ...entry, eventId, callNo });
        return { EventId: eventId };
      });
      record(failed > 0 ? 'partial' : 'ok', body.Entries.length);
      this.json(res, 200, { FailedEntryCount: failed, Entries: results });
    });
  }

  private takeFault(): 'http503' | 'throttle' | 'reset' | undefined {
    const fault = this.fault;
    if (fault.kind === 'none') return undefined;
    if (fault.times !== undefined) {
      this.fault = fault.times <= 1 ? { kind: 'none' } : { ...fault, times: fault.times - 1 };
    }
    return fault.kind;
  }

  private json(res: ServerResponse, status: number, body: unknown): void {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/x-amz-json-1.1',
      'content-length': Buffer.byteLength(text),
      'x-amzn-requestid': `req-${this.calls.length}`,
    });
    res.end(text);
  }
}

/** Starts a PutEvents server on 127.0.0.1 (random port). Call `down()` in afterEach/afterAll. */
export async function startPutEventsServer(): Promise<PutEventsServer> {
  const server = new PutEventsServer();
  await server.up();
  return server;
}
