import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/**
 * What the server does instead of answering, once per request, in order: `drop` closes the
 * connection before any answer, `hang` never answers (until the server stops), a Reply is sent
 * as is (a 500, a 429 with Retry-After…). Faults are consumed before the handler runs, so the
 * platform state never sees a faulted request.
 */
export type Fault = 'drop' | 'hang' | Reply;

/**
 * A small HTTP server on 127.0.0.1, port 0, for API stand-ins: records every request, plays
 * scripted faults, then hands the request to the API's handler.
 */
export class MockHttpServer {
  readonly requests: RecordedRequest[] = [];
  readonly faults: Fault[] = [];
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly hanging = new Set<ServerResponse>();
  private readonly handler: (request: RecordedRequest) => Reply | Promise<Reply>;
  url = '';

  constructor(handler: (request: RecordedRequest) => Reply | Promise<Reply>) {
    this.handler = handler;
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Requests whose path ends with `suffix`. */
  to(suffix: string): RecordedRequest[] {
    return this.requests.filter((r) => r.path.endsWith(suffix));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const request: RecordedRequest = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, body: Buffer.concat(chunks) };
    this.requests.push(request);
    const fault = this.faults.shift();
    if (fault === 'drop') {
      req.socket.destroy();
      return;
    }
    if (fault === 'hang') {
      this.hanging.add(res);
      return;
    }
    let reply: Reply;
    try {
      reply = fault ?? (await this.handler(request));
    } catch (err) {
      reply = { status: 500, body: { error: { message: `mock server failure: ${(err as Error).message}` } } };
    }
    if (reply.status === -1) {
      // The handler asked to hang (e.g. to let a test kill the client mid-request).
      this.hanging.add(res);
      return;
    }
    const text = reply.body === undefined ? '' : typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
    res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
    res.end(text);
  }
}

/** The bearer token of a request, or undefined. */
export function bearer(request: RecordedRequest): string | undefined {
  const header = request.headers.authorization;
  return typeof header === 'string' && header.startsWith('Bearer ') ? header.slice('Bearer '.length) : undefined;
}
