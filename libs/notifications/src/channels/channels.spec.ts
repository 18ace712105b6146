import { createServer, Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createLogger } from '@kz/telemetry';
import { freePort, WebhookServer } from '@kz/testing';
import { classifyStatus, OutboundMessage } from './channel';
import { ConsoleChannel } from './console-channel';
import { WebhookChannel, webhookSignature } from './webhook-channel';
import { ChannelsByName, SubscribeMessageSender, WeChatSubscribeChannel } from './wechat-channel';
import { WeChatApiError, type SubscribeMessage } from '@kz/wechat';

const message: OutboundMessage = {
  deliveryId: '11',
  eventId: '3f1c2f0e-6a40-4b6f-9d3e-2f4b7a1c9e10',
  channel: 'SMS',
  to: '13900230008',
  kind: 'order.dispatched',
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
    // The kind is in the template key already; the webhook's body is as docs/api.md shows it.
    const { kind: _kind, ...body } = message;
    expect(request!.body).toEqual({ ...body, timestamp: '2026-11-28T01:30:00.000Z' });
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

describe('the WeChat subscribe-message channel', () => {
  /** A WeChat client stand-in that records what it was asked to send and fails as scripted. */
  function senderFailing(...errcodes: (number | null)[]): SubscribeMessageSender & { sent: SubscribeMessage[] } {
    const sent: SubscribeMessage[] = [];
    return {
      sent,
      async sendSubscribeMessage(subscribe) {
        const errcode = errcodes.shift();
        if (errcode !== undefined) throw new WeChatApiError('subscribeMessage.send', errcode, 'scripted');
        sent.push(subscribe);
      },
    };
  }
  const toWeChat = { ...message, channel: 'WECHAT' as const, to: 'o-openid-of-zhou' };

  it('sends the template of the kind to the openid, the title and body cut to WeChat’s limits', async () => {
    const sender = senderFailing();
    expect(await new WeChatSubscribeChannel(sender, { 'order.dispatched': 'tmpl-dispatched' }).send(toWeChat)).toEqual({ outcome: 'sent' });
    expect(sender.sent).toEqual([{ touser: 'o-openid-of-zhou', templateId: 'tmpl-dispatched', data: { thing1: '订单已派单', thing2: expect.stringMatching(/^您的订单「楼道灯不亮」.{8}…$/) } }]);
    expect([...sender.sent[0]!.data.thing2!]).toHaveLength(20);
  });

  it('fills keywords from the params a template names', async () => {
    const sender = senderFailing();
    const templates = { 'order.dispatched': { id: 'tmpl-2', data: { character_string1: 'code', thing2: 'title' } } };
    await new WeChatSubscribeChannel(sender, templates).send(toWeChat);
    expect(sender.sent[0]).toMatchObject({ templateId: 'tmpl-2', data: { character_string1: 'KZ-20261128-0042', thing2: '订单已派单' } });
  });

  it('judges "not subscribed" (43101) and a kind without a template permanent; busy, rate limits and no answer transient', async () => {
    const templates = { 'order.dispatched': 'tmpl-dispatched' };
    expect(await new WeChatSubscribeChannel(senderFailing(43101), templates).send(toWeChat)).toMatchObject({ outcome: 'permanent', error: expect.stringContaining('43101') });
    expect(await new WeChatSubscribeChannel(senderFailing(), {}).send(toWeChat)).toMatchObject({ outcome: 'permanent', error: expect.stringContaining('no WeChat template') });
    for (const errcode of [-1, 45009, null]) {
      expect(await new WeChatSubscribeChannel(senderFailing(errcode), templates).send(toWeChat)).toMatchObject({ outcome: 'transient' });
    }
  });

  it('takes only WECHAT messages when routed by channel name', async () => {
    const sender = senderFailing();
    const seen: string[] = [];
    const fallback = { name: 'fallback', send: async (sent: OutboundMessage) => (seen.push(sent.channel), { outcome: 'sent' as const }) };
    const routed = new ChannelsByName(fallback, { WECHAT: new WeChatSubscribeChannel(sender, { 'order.dispatched': 't' }) });
    await routed.send(message);
    await routed.send(toWeChat);
    expect(seen).toEqual(['SMS']);
    expect(sender.sent).toHaveLength(1);
  });
});
