import { randomUUID } from 'node:crypto';
import IORedis from 'ioredis';
import { escalationJobId, expiryJobId, startDispatchWorker } from '@kz/dispatch-worker';
import { createRedis, Queues } from '@kz/events';
import { RunningNotificationWorker, startNotificationWorker } from '@kz/notification-worker';
import { upsertUnitRefs, UnitRef } from '@kz/org-replica';
import { ensurePersonAccount, postTransaction, systemAccountId } from '@kz/points-subgraph';
import { dataOf, eventually, PrivateRedis } from '@kz/testing';
import type { RunningWorkerService } from '@kz/worker';
import { Platform, startPlatform } from './stack';

/**
 * Nothing lost when Redis comes back empty (issue 22), the small-scale drill: the platform on a private redis-server
 * without persistence, a dispatch and a notification worker. Orders and redemptions go through the gateway while the
 * notification worker is stopped, so their notification jobs are waiting in Redis (their outbox rows published), and
 * their deadline and expiry timers are delayed jobs; then Redis loses everything (FLUSHALL, or a restart without its
 * data). Afterwards every order is routed once, every party notified exactly once, every open order has its deadline
 * timer and every reserved redemption its expiry timer: rebuilt from Postgres (the outbox sweep re-sends the events,
 * the workers' reconcilers re-create the timers), noticed through the marker key. Every wait is on the state asserted.
 */
const RESIDENT_ZHOU = '13900230008';
const ORDERS = 12;
const REDEMPTIONS = 4;

let redis: PrivateRedis;
let platform: Platform;
let dispatch: RunningWorkerService;
let notifier: RunningNotificationWorker | undefined;
let admin: IORedis;
let queues: Queues;
let resident: string;
let location: { lat: number; lng: number };
let rewardId: string;
/** Who each event type notifies, learned from a calm order and redemption. */
let expected: Record<string, string[]>;

const workerConfig = () => ({
  ...platform.config,
  ORG_SUBGRAPH_URL: platform.subgraphs.org.url,
  VOLUNTEERS_SUBGRAPH_URL: platform.subgraphs.volunteers.url,
  ORDERS_SUBGRAPH_URL: platform.subgraphs.orders.url,
  POINTS_SUBGRAPH_URL: platform.subgraphs.points.url,
  QUIET_HOURS: 'off',
});
const startNotifier = async () => (notifier = await startNotificationWorker(workerConfig(), { port: 0 }));

beforeAll(async () => {
  redis = await PrivateRedis.launch(); // no persistence: a restart comes back empty
  platform = await startPlatform({ seed: 'demo', env: { REDIS_URL: redis.url, AUTO_DISPATCH: 'true', REDIS_LOSS_CHECK_SECONDS: '1' } });
  const units: UnitRef[] = await platform.org.query('SELECT id::text, code, path, level, name FROM practice_unit');
  await upsertUnitRefs(platform.points.manager, units, new Date().toISOString());
  [location] = await platform.org.query(`SELECT lat, lng FROM practice_unit WHERE code = 'KZ-HANFENG-YINGBIN'`);
  resident = await platform.login(RESIDENT_ZHOU);
  const [{ id: personId }] = await platform.volunteers.query('SELECT id::text FROM person WHERE mobile = $1', [RESIDENT_ZHOU]);
  await platform.points.transaction(async (manager) => {
    const account = await ensurePersonAccount(manager, personId);
    const issuance = await systemAccountId(manager, 'ISSUANCE');
    await postTransaction(manager, {
      kind: 'CREDIT',
      description: '测试入账',
      createdBy: 'test',
      postings: [
        { accountId: issuance, amount: -1000 },
        { accountId: account.id, amount: 1000 },
      ],
    });
  });
  [{ id: rewardId }] = await platform.points.query(
    `INSERT INTO reward (name, kind, price, unit_id, unit_path, stock, created_by) VALUES ('演练奖品', 'GOODS', 1, 1, '1', 1000, 'test') RETURNING id::text`,
  );
  dispatch = await startDispatchWorker(workerConfig(), { port: 0 });
  await startNotifier();
  admin = new IORedis(redis.url, { maxRetriesPerRequest: null });
  admin.on('error', () => undefined); // the server restarts in a test
  queues = new Queues(createRedis(redis.url, 'producer'), platform.config.QUEUE_PREFIX);

  const order = await placeOrder();
  const redemption = await redeem();
  await eventually(async () => (await notified([order], [redemption])).missing === 0, 60_000);
  expected = {};
  const { events, recipients } = await notified([order], [redemption]);
  for (const event of events) expected[event.type] = [...(recipients.get(event.id) ?? [])].sort();
}, 180_000);

afterAll(async () => {
  if (redis && !redis.running) await redis.start();
  await notifier?.stop();
  await dispatch?.stop();
  await queues?.close();
  queues?.connection.disconnect();
  admin?.disconnect();
  await platform?.stop();
  await redis?.destroy();
}, 60_000);

async function placeOrder(): Promise<string> {
  const input = { title: `Redis 清空演练 ${randomUUID().slice(0, 8)}`, category: 'ENVIRONMENT', channel: 'APP', address: '迎宾社区3栋', location };
  const { placeOrder } = await dataOf(
    platform.query<{ placeOrder: { id: string } }>(`mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }`, { input }, { token: resident }),
  );
  return placeOrder.id;
}

async function redeem(): Promise<string> {
  const { redeemReward } = await dataOf(
    platform.query<{ redeemReward: { id: string } }>(
      `mutation($input: RedeemRewardInput!) { redeemReward(input: $input) { id } }`,
      { input: { rewardId, quantity: 1, idempotencyKey: randomUUID() } },
      { token: resident },
    ),
  );
  return redeemReward.id;
}

/** The events that notify someone about these orders and redemptions, whom they reached, and how many are not yet processed. */
async function notified(orderIds: string[], redemptionIds: string[]) {
  const events: { id: string; type: string }[] = [
    ...(await platform.orders.query(
      `SELECT id::text, type FROM outbox WHERE type IN ('order.submitted', 'order.dispatched') AND payload->>'orderId' = ANY($1::text[])`,
      [orderIds],
    )),
    ...(await platform.points.query(
      `SELECT id::text, type FROM outbox WHERE type = 'points.redemption.reserved' AND payload->>'redemptionId' = ANY($1::text[])`,
      [redemptionIds],
    )),
  ];
  const ids = events.map((event) => event.id);
  const processed: { id: string }[] = await platform.notifications.query(
    `SELECT event_id::text AS id FROM processed_event WHERE consumer = 'notifications.inbox' AND event_id = ANY($1::uuid[])`,
    [ids],
  );
  const rows: { id: string; person: string }[] = await platform.notifications.query(
    'SELECT event_id::text AS id, recipient_person_id::text AS person FROM notification WHERE event_id = ANY($1::uuid[])',
    [ids],
  );
  const recipients = new Map<string, string[]>();
  for (const row of rows) recipients.set(row.id, [...(recipients.get(row.id) ?? []), row.person]);
  const expectedEvents = orderIds.length * 2 + redemptionIds.length;
  return { events, recipients, missing: expectedEvents - processed.length };
}

/** Each order's DISPATCHED timeline entries, its status and its accept deadline. */
async function ordersNow(ids: string[]) {
  return (await platform.orders.query(
    `SELECT o.id::text, o.status, o.accept_by AS "acceptBy", count(e.id)::int AS dispatched FROM service_order o
       LEFT JOIN order_event e ON e.order_id = o.id AND e.action = 'DISPATCHED'
      WHERE o.id = ANY($1::bigint[]) GROUP BY o.id ORDER BY o.id`,
    [ids],
  )) as { id: string; status: string; acceptBy: Date | null; dispatched: number }[];
}

const state = (queue: 'dispatch' | 'notifications', jobId: string) => queues.get(queue).getJobState(jobId);

/** The deadline timers of the open orders and the expiry timers of the reserved redemptions that are not pending. */
async function missingTimers(orderIds: string[], redemptionIds: string[]): Promise<string[]> {
  const missing: string[] = [];
  for (const order of await ordersNow(orderIds)) {
    if (order.status !== 'DISPATCHED') continue;
    for (const level of ['INSTITUTE', 'CENTER'] as const) {
      const jobId = escalationJobId(order.id, 'ACCEPT', level, order.acceptBy!.getTime());
      if ((await state('dispatch', jobId)) !== 'delayed') missing.push(jobId);
    }
  }
  const reserved: { id: string }[] = await platform.points.query(`SELECT id::text FROM redemption WHERE id = ANY($1::bigint[]) AND status = 'RESERVED'`, [
    redemptionIds,
  ]);
  for (const { id } of reserved) if ((await state('dispatch', expiryJobId(id))) !== 'delayed') missing.push(expiryJobId(id));
  return missing;
}

/**
 * Orders and redemptions while the notification worker is stopped, until their jobs wait in Redis (and their timers
 * are set); then `fault` empties Redis and the notification worker starts again.
 */
async function throughAnEmptyRedis(fault: () => Promise<void>): Promise<{ orders: string[]; redemptions: string[] }> {
  await notifier!.stop();
  notifier = undefined;
  const orders = await Promise.all(Array.from({ length: ORDERS }, () => placeOrder()));
  const redemptions = await Promise.all(Array.from({ length: REDEMPTIONS }, () => redeem()));
  // Routed, published, timers set, notification jobs waiting: everything the fault is about to take is in Redis.
  await eventually(async () => (await ordersNow(orders)).every((order) => order.status === 'DISPATCHED'), 60_000);
  await eventually(async () => (await missingTimers(orders, redemptions)).length === 0, 60_000);
  const { events } = await notified(orders, redemptions);
  expect(events).toHaveLength(ORDERS * 2 + REDEMPTIONS);
  await eventually(async () => {
    const states = await Promise.all(events.map((event) => state('notifications', event.id)));
    return states.every((s) => s === 'waiting');
  }, 60_000);

  await fault();
  await startNotifier();
  return { orders, redemptions };
}

async function expectNothingLost({ orders, redemptions }: { orders: string[]; redemptions: string[] }): Promise<void> {
  // Every party notified: each event processed, its notifications to exactly the expected people, once each.
  await eventually(async () => (await notified(orders, redemptions)).missing === 0, 120_000);
  const { events, recipients } = await notified(orders, redemptions);
  for (const event of events) expect({ event: event.type, to: recipients.get(event.id) ?? [] }).toEqual({ event: event.type, to: expected[event.type] });
  // Every order routed once (a re-sent order.submitted found it dispatched already).
  const now = await ordersNow(orders);
  expect(now.map((order) => [order.status, order.dispatched])).toEqual(orders.map(() => ['DISPATCHED', 1]));
  // Every open order with its deadline timers, every reserved redemption with its expiry timer.
  await eventually(async () => (await missingTimers(orders, redemptions)).length === 0, 60_000);
  expect(await missingTimers(orders, redemptions)).toEqual([]);
}

describe('Redis comes back empty', () => {
  it('after FLUSHALL, nothing is lost and nothing doubles', async () => {
    const placed = await throughAnEmptyRedis(async () => {
      await admin.flushall();
    });
    await expectNothingLost(placed);
  }, 240_000);

  it('after a restart without its data, nothing is lost and nothing doubles', async () => {
    const placed = await throughAnEmptyRedis(async () => {
      await redis.stop();
      await redis.start();
    });
    await expectNothingLost(placed);
  }, 240_000);
});
