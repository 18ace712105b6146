import { once } from 'node:events';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the gateway received, as sent. */
export interface ReceivedRequest {
  /** The exact body text (what a signature covers) and its JSON. */
  raw: string;
  body: Record<string, unknown>;
  headers: IncomingMessage['headers'];
  /** When it arrived (epoch ms). */
  at: number;
}

type Reply = { status: number; body?: string; headers?: Record<string, string> };

/**
 * A message gateway (SMS / WeChat templates) on a real local HTTP server, for tests and benchmarks of outbound
 * channels: it records every request and answers 200, unless told to fail the next ones (`failNext`) or to answer
 * nothing at all for a while (`stall`). Waiting is on what it received, never on time.
 */
export class WebhookServer {
  readonly received: ReceivedRequest[] = [];
  private readonly script: Reply[] = [];
  private waiters: { count: number; resolve: () => void }[] = [];
  private server!: Server;
  private stalled = false;
  private readonly open = new Set<ServerResponse>();
  url = '';

  static async start(): Promise<WebhookServer> {
    const gateway = new WebhookServer();
    gateway.server = createServer((request, response) => void gateway.handle(request, response));
    gateway.server.keepAliveTimeout = 60_000;
    gateway.server.listen(0, '127.0.0.1');
    await once(gateway.server, 'listening');
    gateway.url = `http://127.0.0.1:${(gateway.server.address() as AddressInfo).port}/send`;
    return gateway;
  }

  /** The next `times` requests get this status (e.g. 500 twice, or 400 once) instead of 200. */
  failNext(times: number, status: number, headers: Record<string, string> = {}): void {
    for (let i = 0; i < times; i += 1) this.script.push({ status, body: `{"error":"scripted ${status}"}`, headers });
  }

  /** Requests get no answer until `stall(false)` (a gateway that hangs: the sender's timeout must cut it). */
  stall(on: boolean): void {
    this.stalled = on;
    if (!on) for (const response of this.open) this.reply(response, { status: 200 });
  }

  /** Resolves once `count` requests in all have arrived; fails after `timeoutMs`. */
  async waitFor(count: number, timeoutMs = 15_000): Promise<ReceivedRequest[]> {
    if (this.received.length < count) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        new Promise<void>((resolve) => this.waiters.push({ count, resolve })),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`the gateway received ${this.received.length} of ${count} requests in ${timeoutMs} ms`)), timeoutMs);
        }),
      ]).finally(() => clearTimeout(timer));
    }
    return this.received.slice(0, count);
  }

  /** Forgets what was received (a benchmark between rounds). */
  clear(): void {
    this.received.length = 0;
  }

  /** The requests about one delivery (by the body's `deliveryId`). */
  requestsFor(deliveryId: string): ReceivedRequest[] {
    return this.received.filter((request) => String(request.body.deliveryId) === deliveryId);
  }

  async stop(): Promise<void> {
    for (const response of this.open) response.destroy();
    this.server.closeAllConnections();
    this.server.close();
    await once(this.server, 'close');
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(raw);
    } catch {
      // recorded as sent; a test asserting on the body will say what was wrong
    }
    this.received.push({ raw, body, headers: request.headers, at: Date.now() });
    this.waiters = this.waiters.filter((waiter) => {
      if (this.received.length < waiter.count) return true;
      waiter.resolve();
      return false;
    });
    if (this.stalled) {
      this.open.add(response);
      response.on('close', () => this.open.delete(response));
      return;
    }
    this.reply(response, this.script.shift() ?? { status: 200 });
  }

  private reply(response: ServerResponse, reply: Reply): void {
    if (response.destroyed || response.headersSent) return;
    response.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
    response.end(reply.body ?? '{"ok":true}');
  }
}
