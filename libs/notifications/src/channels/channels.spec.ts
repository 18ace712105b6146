import { createServer, Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createLogger } from '@kz/telemetry';
import { freePort, WebhookServer } from '@kz/testing';
import { classifyStatus, OutboundMessage } from './channel';
import { ConsoleChannel } from './console-channel';
import { WebhookChannel, webhookSignature } from './webhook-channel';

const message: OutboundMessage = {
  deliveryId: '11',
  eventId: '3f1c2f0e-6a40-4b6f-9d3e-2f4b7a1c9e10',
  channel: 'SMS',
  to: '13900230008',
  template: 'order.dispatched.RESIDENT',
  params: { code: 'KZ-20261128-0042', title: '楼道灯不亮' },
  title: '订单已派单',
  body: '您的订单「楼道灯不亮」（KZ-20261128-0042）已派至实践站，请留意接单进展。',
  urgent: false,
};
const secret = 's'.repeat(40);

describe('the webhook channel', () => {
  let gateway: WebhookServer;

  beforeAll(async () => {
    gateway = await WebhookServer.start();
  });

  afterAll(() => gateway.stop());

  it('POSTs the message as JSON with an HMAC of the exact body and the timestamp it covers', async () => {
    const channel = new WebhookChannel({ url: gateway.url, secret, timeoutMs: 2000, now: () => Date.parse('2026-11-28T01:30:00Z') });
    expect(await channel.send(message)).toEqual({ outcome: 'sent' });
    const [request] = await gateway.waitFor(1);
    expect(request!.headers['x-kz-signature']).toBe(webhookSignature(secret, request!.raw));
    expect(request!.headers['x-kz-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(request!.headers['x-kz-timestamp']).toBe('2026-11-28T01:30:00.000Z');
    expect(request!.body).toEqual({ ...message, timestamp: '2026-11-28T01:30:00.000Z' });
  });

  it('classifies answers: 5xx, 408 and 429 transient (with Retry-After), other 4xx permanent', async () => {
    const channel = new WebhookChannel({ url: gateway.url, secret, timeoutMs: 2000 });
    gateway.failNext(1, 503);
    expect(await channel.send(message)).toMatchObject({ outcome: 'transient', error: expect.stringMatching(/^HTTP 503/) });
    gateway.failNext(1, 429, { 'retry-after': '7' });
    expect(await channel.send(message)).toMatchObject({ outcome: 'transient', retryAfterMs: 7000 });
    gateway.failNext(1, 400);
    expect(await channel.send(message)).toMatchObject({ outcome: 'permanent', error: expect.stringMatching(/^HTTP 400/) });
    expect([200, 204, 301, 400, 401, 404, 408, 422, 429, 500, 502].map(classifyStatus)).toEqual([
      'sent', 'sent', 'permanent', 'permanent', 'permanent', 'permanent', 'transient', 'permanent', 'transient', 'transient', 'transient',
    ]);
  });

  it('gives up on a gateway that does not answer within the timeout: transient', async () => {
    gateway.stall(true);
    try {
      const channel = new WebhookChannel({ url: gateway.url, secret, timeoutMs: 150 });
      expect(await channel.send(message)).toEqual({ outcome: 'transient', error: 'no answer within 150 ms' });
    } finally {
      gateway.stall(false);
    }
  });

  it('takes a gateway nobody listens on as transient', async () => {
    const channel = new WebhookChannel({ url: `http://127.0.0.1:${await freePort()}/send`, secret, timeoutMs: 1000 });
    expect(await channel.send(message)).toMatchObject({ outcome: 'transient', error: expect.stringMatching(/unreachable \(ECONNREFUSED\)/) });
  });

  it('takes a connection cut mid-answer as transient', async () => {
    const server: Server = createServer((request) => request.socket.destroy());
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const channel = new WebhookChannel({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/send`, secret, timeoutMs: 1000 });
      expect(await channel.send(message)).toMatchObject({ outcome: 'transient' });
    } finally {
      server.close();
    }
  });
});

describe('the console channel', () => {
  it('logs the message with the number masked and counts it as sent', async () => {
    const lines: string[] = [];
    const log = createLogger('test', 'info', { write: (line: string) => lines.push(line) });
    expect(await new ConsoleChannel(log).send(message)).toEqual({ outcome: 'sent' });
    expect(lines.join('')).toContain('139****0008');
    expect(lines.join('')).not.toContain('13900230008');
  });
});
