import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import { startNotificationWorker, RunningNotificationWorker } from '@kz/notification-worker';
import { FailedNotificationsDocument, InboxDocument, MarkNotificationsReadDocument, UnreadNotificationCountDocument } from '@kz/client';
import { webhookSignature } from '@kz/notifications';
import { dataOf, eventually, eventuallyValue, WebhookServer } from '@kz/testing';
import { gatewayClient, refusal } from './client';
import { Platform, startPlatform } from './stack';

/**
 * Notifications against the real platform: the notification worker reads recipients from the real volunteers, orders
 * and points subgraphs (as SERVICE), writes the inbox the notifications subgraph serves through the gateway, and sends
 * SMS to a real local webhook server standing in for the message gateway.
 */
const PEOPLE = {
  centerAdmin: '13900230001',
  dispatcher: '13900230002',
  stationAdmin: '13900230005', // 迎宾社区
  zhou: '13900230008', // 周建华, resident of 迎宾
  heYi: '13900230007', // 何毅, volunteer of 迎宾
};

let platform: Platform;
let worker: RunningNotificationWorker;
let webhook: WebhookServer;
let yingbin: { id: string; path: string };
const tokens: Record<string, string> = {};
const personIds: Record<string, string> = {};

beforeAll(async () => {
  // The client's documents go by id (apps/e2e/src/client.ts); this spec's own free-text calls run too (mode off).
  platform = await startPlatform({ seed: 'demo', clientManifest: true });
  webhook = await WebhookServer.start();
  worker = await startNotificationWorker(
    {
      ...platform.config,
      VOLUNTEERS_SUBGRAPH_URL: platform.subgraphs.volunteers.url,
      ORDERS_SUBGRAPH_URL: platform.subgraphs.orders.url,
      POINTS_SUBGRAPH_URL: platform.subgraphs.points.url,
      NOTIFICATION_WEBHOOK_URL: webhook.url,
      QUIET_HOURS: 'off', // whatever the hour in Kaizhou when this runs
    },
    { port: 0, retry: { baseMs: 50, capMs: 500 } },
  );
  yingbin = await platform.unit('KZ-HANFENG-YINGBIN');
  for (const [name, mobile] of Object.entries(PEOPLE)) {
    tokens[name] = await platform.login(mobile);
    [{ id: personIds[name] }] = await platform.volunteers.query('SELECT id::text FROM person WHERE mobile = $1', [mobile]);
  }
}, 120_000);

afterAll(async () => {
  await worker?.stop();
  await webhook?.stop();
  await platform?.stop();
});

/** The typed client (`@kz/client`) of one of the people above, in Chinese. */
const as = (who: string) => gatewayClient(platform.gatewayUrl, { token: tokens[who], locale: 'zh-CN' });
const inboxOf = async (who: string) => (await as(who).request(InboxDocument, { first: 100 })).myNotifications.edges.map((edge) => edge.node);
const aboutOrder = async (who: string, orderId: string, kind: string) => (await inboxOf(who)).filter((n) => n.link === `order:${orderId}` && n.kind === kind);

async function placeAndDispatch(title: string): Promise<{ id: string; code: string }> {
  const { placeOrder } = await dataOf(
    platform.query<{ placeOrder: { id: string; code: string } }>(
      `mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id code } }`,
      { input: { title, category: 'ELDERLY_CARE', channel: 'WECHAT', stationHintId: yingbin.id } },
      { token: tokens.zhou },
    ),
  );
  await dataOf(platform.query(`mutation($input: DispatchOrderInput!) { dispatchOrder(input: $input) { id status } }`, { input: { orderId: placeOrder.id, stationId: yingbin.id } }, { token: tokens.dispatcher }));
  return placeOrder;
}

/** The SMS deliveries of one order's event kind, as the notifications database holds them. */
const smsOf = (orderId: string, kind: string): Promise<{ id: string; status: string; recipient: string }[]> =>
  platform.notifications.query(
    `SELECT d.id::text, d.status, n.recipient_person_id::text AS recipient FROM delivery d JOIN notification n ON n.id = d.notification_id
      WHERE n.link = $1 AND n.kind = $2 AND d.channel = 'SMS'`,
    [`order:${orderId}`, kind],
  );

describe('notifications of an order', () => {
  it('tell the station of a dispatched order in its inbox exactly once, and text the resident once', async () => {
    const order = await placeAndDispatch('独居老人家中水管漏水');
    const [news] = await eventuallyValue(async () => {
      const found = await aboutOrder('stationAdmin', order.id, 'order.dispatched');
      return found.length > 0 ? found : undefined;
    });
    expect(news).toMatchObject({ title: '新订单', body: expect.stringContaining(order.code) });
    expect(news!.body).toContain('独居老人家中水管漏水');
    // The dispatcher heard of the submission; the resident, who placed it, only of the dispatch.
    await eventually(async () => (await aboutOrder('dispatcher', order.id, 'order.submitted')).length === 1);
    expect(await aboutOrder('zhou', order.id, 'order.submitted')).toEqual([]);
    expect((await aboutOrder('zhou', order.id, 'order.dispatched')).map((n) => n.title)).toEqual(['订单已派单']);

    const [sms] = await eventuallyValue(async () => {
      const rows = await smsOf(order.id, 'order.dispatched');
      return rows.length > 0 && rows.every((row) => row.status === 'SENT') ? rows : undefined;
    });
    expect(sms!.recipient).toBe(personIds.zhou);
    const requests = webhook.requestsFor(sms!.id);
    expect(requests).toHaveLength(1);
    expect(requests[0]!.body).toMatchObject({ to: PEOPLE.zhou, channel: 'SMS', template: 'order.dispatched.RESIDENT', params: { code: order.code } });
    expect(requests[0]!.headers['x-kz-signature']).toBe(webhookSignature(platform.config.NOTIFICATION_WEBHOOK_SECRET, requests[0]!.raw));

    // The same event delivered again (a relay re-send after its job was cleaned up) changes nothing.
    const [event] = await platform.orders.query(
      `SELECT id::text, type, version, occurred_at, actor, unit_path, payload FROM outbox WHERE type = 'order.dispatched' AND payload->>'orderId' = $1`,
      [order.id],
    );
    const redis = new IORedis(platform.config.REDIS_URL, { maxRetriesPerRequest: null });
    const queue = new Queue('notifications', { connection: redis, prefix: platform.config.QUEUE_PREFIX });
    try {
      const envelope = { id: event.id, type: event.type, version: event.version, occurredAt: new Date(event.occurred_at).toISOString(), actor: event.actor, unitPath: event.unit_path, payload: event.payload };
      for (const copy of [1, 2, 3, 4]) await queue.add(event.type, envelope, { jobId: `${event.id}-again-${copy}` });
      await eventually(async () => (await Promise.all([1, 2, 3, 4].map((copy) => queue.getJobState(`${event.id}-again-${copy}`)))).every((state) => state === 'completed'));
    } finally {
      await queue.close();
      redis.disconnect();
    }
    expect(await aboutOrder('stationAdmin', order.id, 'order.dispatched')).toHaveLength(1);
    expect(await smsOf(order.id, 'order.dispatched')).toHaveLength(1);
    expect(webhook.requestsFor(sms!.id)).toHaveLength(1);
  });

  it('let a person read and mark only their own inbox', async () => {
    const order = await placeAndDispatch('楼道灯不亮');
    const [stationNews] = await eventuallyValue(async () => {
      const found = await aboutOrder('stationAdmin', order.id, 'order.dispatched');
      return found.length > 0 ? found : undefined;
    });
    const residentInbox = await inboxOf('zhou');
    expect(residentInbox.map((n) => n.id)).not.toContain(stationNews!.id);
    const marked = await as('zhou').request(MarkNotificationsReadDocument, { input: { ids: [stationNews!.id] } });
    expect(marked.markNotificationsRead).toBe(0);
    expect((await aboutOrder('stationAdmin', order.id, 'order.dispatched'))[0]!.readAt).toBeNull();
    const count = async (who: string) => (await as(who).request(UnreadNotificationCountDocument)).unreadNotificationCount;
    const before = await count('stationAdmin');
    expect(before).toBeGreaterThan(0);
    await as('stationAdmin').request(MarkNotificationsReadDocument, { input: { ids: [stationNews!.id] } });
    expect(await count('stationAdmin')).toBe(before - 1);
    expect((await refusal(as('zhou').request(FailedNotificationsDocument))).codes).toEqual(['FORBIDDEN']);
    const anonymous = gatewayClient(platform.gatewayUrl);
    const inbox = await refusal(anonymous.request(InboxDocument));
    expect([inbox.codes, inbox.data]).toEqual([['UNAUTHENTICATED'], null]); // nothing of the badge or the list
    expect((await refusal(anonymous.request(UnreadNotificationCountDocument))).codes).toEqual(['UNAUTHENTICATED']);
  });

  it('dead-letter an SMS the gateway refuses, and send it when the center retries it from the list', async () => {
    const order = await placeAndDispatch('助老送餐');
    await eventually(async () => (await smsOf(order.id, 'order.dispatched')).some((row) => row.status === 'SENT'));
    webhook.failNext(1, 400);
    await dataOf(platform.query(`mutation($input: OrderIdInput!) { acceptOrder(input: $input) { id status } }`, { input: { orderId: order.id } }, { token: tokens.stationAdmin }));
    const [dead] = await eventuallyValue(async () => {
      const rows = await smsOf(order.id, 'order.accepted');
      return rows.length > 0 && rows[0]!.status === 'DEAD' ? rows : undefined;
    });
    expect(webhook.requestsFor(dead!.id)).toHaveLength(1);

    type Failed = { failedNotifications: { edges: { node: { id: string; status: string; lastError: string; address: string; recipient: { id: string }; notification: { title: string } } }[] } };
    const FAILED = `{ failedNotifications(first: 50) { edges { node { id status lastError address recipient { id } notification { title } } } } }`;
    const list = await dataOf(platform.query<Failed>(FAILED, {}, { token: tokens.centerAdmin, language: 'zh-CN' }));
    expect(list.failedNotifications.edges.map((edge) => edge.node)).toContainEqual({
      id: dead!.id,
      status: 'DEAD',
      lastError: expect.stringMatching(/^HTTP 400/),
      address: '139****0008',
      recipient: { id: personIds.zhou },
      notification: { title: '订单已接单' },
    });
    const retried = await dataOf(
      platform.query<{ retryNotification: { status: string } }>(`mutation($input: RetryNotificationInput!) { retryNotification(input: $input) { id status } }`, { input: { deliveryId: dead!.id } }, { token: tokens.centerAdmin }),
    );
    expect(retried.retryNotification.status).toBe('PENDING');
    await eventually(async () => (await smsOf(order.id, 'order.accepted'))[0]!.status === 'SENT');
    expect(webhook.requestsFor(dead!.id)).toHaveLength(2);
    const after = await dataOf(platform.query<Failed>(FAILED, {}, { token: tokens.centerAdmin }));
    expect(after.failedNotifications.edges.map((edge) => edge.node.id)).not.toContain(dead!.id);
  });
});

describe('notifications of recognition', () => {
  it('tell the volunteer once of the star their station granted, in their inbox', async () => {
    const [volunteer] = await platform.volunteers.query('SELECT id::text FROM volunteer WHERE person_id = $1', [personIds.heYi]);
    // 320 verified hours: what a year of weekly service adds up to; the records themselves are not this spec's subject.
    await platform.volunteers.query('UPDATE volunteer SET verified_minutes = 320 * 60 WHERE id = $1', [volunteer.id]);
    const GRANT = `mutation($input: GrantStarInput!) { grantStar(input: $input) { id starLevel } }`;
    const grant = { input: { volunteerId: volunteer.id, level: 2 } };
    const [first, again] = [
      await dataOf(platform.query<{ grantStar: { id: string } }>(GRANT, grant, { token: tokens.stationAdmin })),
      await dataOf(platform.query<{ grantStar: { id: string } }>(GRANT, grant, { token: tokens.stationAdmin })),
    ];
    expect(again.grantStar.id).toBe(first.grantStar.id);
    const stars = async () => (await inboxOf('heYi')).filter((n) => n.kind === 'volunteer.star.awarded');
    const [news] = await eventuallyValue(async () => {
      const found = await stars();
      return found.length > 0 ? found : undefined;
    });
    expect(news).toMatchObject({ title: '荣获2星志愿者', link: `volunteer:${volunteer.id}`, body: expect.stringContaining('迎宾') });
    // The station admin who granted it hears nothing of it. The repeated grant wrote no event: once the relay has
    // marked the only one published, nothing more can come.
    expect((await inboxOf('stationAdmin')).filter((n) => n.kind === 'volunteer.star.awarded')).toEqual([]);
    const events = () =>
      platform.volunteers.query(`SELECT published_at FROM outbox WHERE type = 'volunteer.star.awarded' AND payload->>'volunteerId' = $1`, [volunteer.id]);
    await eventually(async () => (await events()).every((row: { published_at: Date | null }) => row.published_at !== null));
    expect(await events()).toHaveLength(1);
    expect(await stars()).toHaveLength(1);
  });
});

describe('dead letters after a re-org', () => {
  it('follow a station moved to another institute: its new institute’s admin sees them, the old one no longer', async () => {
    const order = await placeAndDispatch('楼道扶手松动');
    await eventually(async () => (await smsOf(order.id, 'order.dispatched')).some((row) => row.status === 'SENT'));
    webhook.failNext(1, 400);
    await dataOf(platform.query(`mutation($input: OrderIdInput!) { acceptOrder(input: $input) { id status } }`, { input: { orderId: order.id } }, { token: tokens.stationAdmin }));
    const [dead] = await eventuallyValue(async () => {
      const rows = await smsOf(order.id, 'order.accepted');
      return rows.length > 0 && rows[0]!.status === 'DEAD' ? rows : undefined;
    });

    const FAILED = `{ failedNotifications(first: 100) { edges { node { id } } } }`;
    const seen = async (token: string) =>
      (await dataOf(platform.query<{ failedNotifications: { edges: { node: { id: string } }[] } }>(FAILED, {}, { token }))).failedNotifications.edges.map((edge) => edge.node.id);
    const hanfengAdmin = await platform.tokenAs('INSTITUTE_ADMIN', 'KZ-HANFENG');
    const yunfengAdmin = await platform.tokenAs('INSTITUTE_ADMIN', 'KZ-YUNFENG');
    expect(await seen(hanfengAdmin)).toContain(dead!.id);
    expect(await seen(yunfengAdmin)).not.toContain(dead!.id);

    const yunfeng = await platform.unit('KZ-YUNFENG');
    const moved = await dataOf(
      platform.query<{ moveUnit: { path: string } }>(`mutation($input: MoveUnitInput!) { moveUnit(input: $input) { path } }`, { input: { id: yingbin.id, newParentId: yunfeng.id } }, { token: tokens.centerAdmin }),
    );
    expect(moved.moveUnit.path).toBe(`${yunfeng.path}/${yingbin.id}`);
    await eventually(async () => (await seen(yunfengAdmin)).includes(dead!.id));
    expect(await seen(hanfengAdmin)).not.toContain(dead!.id);
    const stale = await platform.notifications.query('SELECT 1 FROM notification WHERE unit_path = $1 OR unit_path LIKE $1 || $2', [yingbin.path, '/%']);
    expect(stale).toEqual([]);
  });
});
