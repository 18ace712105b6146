import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, Server } from 'node:net';
import { Pool } from 'pg';
import { WebSocket } from 'ws';
import {
  createLiveClient,
  LiveClient,
  NotificationAddedDocument,
  OrderChangedDocument,
  TypedDocument,
  AcceptOrderDocument,
  AssignVolunteersDocument,
  Client,
  CreateRewardDocument,
  DeliverOrderDocument,
  EvaluateOrderDocument,
  InboxDocument,
  MyAccountDocument,
  OrderDocument,
  PlaceOrderDocument,
  RedeemRewardDocument,
  ServiceRecordsDocument,
  StartServiceDocument,
  StationVolunteersDocument,
  VerifyServiceRecordDocument,
} from '@kz/client';
import { startDispatchWorker } from '@kz/dispatch-worker';
import { startNotificationWorker } from '@kz/notification-worker';
import { upsertUnitRefs, UnitRef } from '@kz/org-replica';
import { ensurePersonAccount, postTransaction, systemAccountId } from '@kz/points-subgraph';
import { eventuallyValue, testPool } from '@kz/testing';
import type { RunningWorkerService } from '@kz/worker';
import { gatewayClient, signIn } from './client';
import { Platform, startPlatform } from './stack';

/**
 * The main journeys on the Postgres queue backend (QUEUE_BACKEND=postgres) with no Redis at all: REDIS_URL points at a
 * port where a listener refuses every connection and counts it, so anything that still reached for Redis would fail
 * here and is caught by the last test. The queues, the delayed jobs, the auto-dispatch
 * claim, the timers' index, the live streams and the rate-limit counters all live in this run's queue database.
 * Deadlines are 30 minutes at ORDER_TIMER_SCALE 0.001 and a reservation is held 3 s, so timers fire within the test.
 */
const RESIDENT_ZHOU = '13900230008'; // 周先生, 腾龙广场小区
const STATION_ADMIN = '13900230005'; // 迎宾社区
const VOLUNTEER_HE_YI = '13900230007';

let platform: Platform;
let workers: RunningWorkerService[] = [];
let queueDb: Pool;
let anonymous: Client;
/** Stands where Redis would be: hangs up on every connection and counts them. */
let notRedis: Server;
let redisConnections = 0;

beforeAll(async () => {
  notRedis = createServer((socket) => {
    redisConnections += 1;
    socket.destroy();
  });
  notRedis.listen(0, '127.0.0.1');
  await once(notRedis, 'listening');
  const { port: redisPort } = notRedis.address() as { port: number };
  platform = await startPlatform({
    seed: 'demo',
    clientManifest: true, // the typed client sends its documents by id
    env: {
      QUEUE_BACKEND: 'postgres',
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      AUTO_DISPATCH: 'true',
      ORDER_TIMER_SCALE: '0.001',
      ORDER_ACCEPT_MINUTES: '30',
      ORDER_DELIVER_MINUTES: '30',
      ORDER_EVALUATE_MINUTES: '30',
      REDEMPTION_HOLD_SECONDS: '3',
      QUIET_HOURS: 'off',
      // The rate limit counts in the queue database too (every request of this spec is well under it).
      GATEWAY_RATE_LIMIT_PER_MINUTE: '10000',
    },
  });
  const units: UnitRef[] = await platform.org.query('SELECT id::text, code, path, level, name FROM practice_unit');
  await upsertUnitRefs(platform.points.manager, units, new Date().toISOString());
  const urls = {
    ORG_SUBGRAPH_URL: platform.subgraphs.org.url,
    VOLUNTEERS_SUBGRAPH_URL: platform.subgraphs.volunteers.url,
    ORDERS_SUBGRAPH_URL: platform.subgraphs.orders.url,
    POINTS_SUBGRAPH_URL: platform.subgraphs.points.url,
  };
  workers.push(await startDispatchWorker({ ...platform.config, ...urls }, { port: 0 }));
  workers.push(await startNotificationWorker({ ...platform.config, ...urls }, { port: 0 }));
  queueDb = testPool(platform.config, platform.config.QUEUE_DATABASE, 2);
  anonymous = gatewayClient(platform.gatewayUrl, { locale: 'zh-CN' });
}, 180_000);

afterAll(async () => {
  for (const worker of workers.reverse()) await worker.stop();
  workers = [];
  await queueDb?.end();
  await platform?.stop();
  notRedis?.close();
});

/** Jobs BullMQ's Postgres backend holds for a queue, by the event id they carry. */
async function jobsOf(queue: string, eventType: string, field: string, value: string): Promise<{ id: string }[]> {
  const { rows } = await queueDb.query(
    `SELECT id FROM bullmq.job WHERE queue = $1 AND name = $2 AND data->'payload'->>$3 = $4`,
    [queue, eventType, field, value],
  );
  return rows;
}

it('takes a resident’s order through auto-dispatch to his rating, the station hears of it, and the minutes become points', async () => {
  const zhou = await signIn(anonymous, RESIDENT_ZHOU);
  const stationAdmin = await signIn(anonymous, STATION_ADMIN);
  const heYi = await signIn(anonymous, VOLUNTEER_HE_YI);
  const yingbin = await platform.unit('KZ-HANFENG-YINGBIN');
  const [station] = await platform.org.query('SELECT lat, lng FROM practice_unit WHERE id = $1', [yingbin.id]);

  // 点单 with a location next to 迎宾社区: the dispatch worker routes it there through the `dispatch` queue.
  const { placeOrder } = await zhou.request(PlaceOrderDocument, {
    input: { title: '楼道扶手松动', category: 'SAFETY_FACILITIES', channel: 'WECHAT', address: '腾龙广场小区', location: { lat: station.lat, lng: station.lng } },
  });
  const orderId = placeOrder.id;
  const dispatched = await eventuallyValue(async () => {
    const { order } = await zhou.request(OrderDocument, { id: orderId });
    return order?.status === 'DISPATCHED' ? order : undefined;
  }, 30_000);
  expect(dispatched.timeline.map((entry) => entry.action)).toEqual(['SUBMITTED', 'DISPATCHED']);
  expect(await jobsOf('dispatch', 'order.submitted', 'orderId', orderId)).toHaveLength(1);

  // The station takes it; its accept deadline (a delayed job) is dropped from the timers' index in Postgres.
  expect((await stationAdmin.request(AcceptOrderDocument, { input: { orderId } })).acceptOrder.status).toBe('ACCEPTED');
  const found = await stationAdmin.request(StationVolunteersDocument, { filter: { withinUnitId: yingbin.id, status: 'ACTIVE', search: '何毅' } });
  const heYiVolunteer = found.volunteers.edges[0]!.node.id;
  await stationAdmin.request(AssignVolunteersDocument, { input: { orderId, volunteerIds: [heYiVolunteer] } });
  await heYi.request(StartServiceDocument, { input: { orderId } });
  await heYi.request(DeliverOrderDocument, { input: { orderId, note: '已加固', outcome: 'FULL', minutes: [{ volunteerId: heYiVolunteer, minutes: 60 }] } });
  const evaluated = await zhou.request(EvaluateOrderDocument, { input: { orderId, rating: 5, resolved: 'YES', comment: '很及时' } });
  expect(evaluated.evaluateOrder.status).toBe('EVALUATED');

  // The notification worker tells the station of the rating, in its inbox, once.
  const news = await eventuallyValue(async () => {
    const inbox = await stationAdmin.request(InboxDocument, { first: 100 });
    const about = inbox.myNotifications.edges.map((edge) => edge.node).filter((n) => n.link === `order:${orderId}` && n.kind === 'order.evaluated');
    return about.length > 0 ? about : undefined;
  }, 30_000);
  expect(news).toHaveLength(1);

  // The 60 minutes come back as a record (volunteers-inbox), verified, and credited (points-credit): 10 points.
  const balanceBefore = (await heYi.request(MyAccountDocument)).myAccount?.balance ?? 0;
  const pending = await eventuallyValue(async () => {
    const records = await stationAdmin.request(ServiceRecordsDocument, { filter: { withinUnitId: yingbin.id, status: 'PENDING' }, first: 100 });
    return records.serviceRecords.edges.map((edge) => edge.node).find((node) => node.orderId === orderId);
  }, 30_000);
  expect(pending).toMatchObject({ minutes: 60, volunteer: { id: heYiVolunteer } });
  await stationAdmin.request(VerifyServiceRecordDocument, { input: { recordId: pending.id } });
  const account = await eventuallyValue(async () => {
    const { myAccount } = await heYi.request(MyAccountDocument, { first: 5 });
    return myAccount && myAccount.balance > balanceBefore ? myAccount : undefined;
  }, 30_000);
  expect(account.transactions?.edges[0]?.node).toMatchObject({ kind: 'CREDIT', amount: account.balance - balanceBefore });
  expect(await jobsOf('points-credit', 'volunteer.hours.verified', 'serviceRecordId', pending.id)).toHaveLength(1);
});

it('expires an unclaimed reservation through its delayed job on the dispatch queue', async () => {
  const stationAdmin = await signIn(anonymous, STATION_ADMIN);
  const heYi = await signIn(anonymous, VOLUNTEER_HE_YI);
  const yingbin = await platform.unit('KZ-HANFENG-YINGBIN');
  const { createReward } = await stationAdmin.request(CreateRewardDocument, {
    input: { name: '洗衣液', kind: 'GOODS', price: 1, stationId: yingbin.id, stock: 1 },
  });
  // Two points for him, as earning would credit them (this test does not rely on the one above).
  const [{ id: personId }] = await platform.volunteers.query('SELECT id::text FROM person WHERE mobile = $1', [VOLUNTEER_HE_YI]);
  await platform.points.transaction(async (manager) => {
    const issuance = await systemAccountId(manager, 'ISSUANCE');
    const account = await ensurePersonAccount(manager, personId);
    await postTransaction(manager, {
      kind: 'CREDIT',
      description: '测试入账',
      createdBy: 'test',
      postings: [
        { accountId: issuance, amount: -2 },
        { accountId: account.id, amount: 2 },
      ],
    });
  });
  const before = (await heYi.request(MyAccountDocument)).myAccount!;
  const { redeemReward } = await heYi.request(RedeemRewardDocument, { input: { rewardId: createReward.id, quantity: 1, idempotencyKey: randomUUID() } });
  expect(redeemReward.status).toBe('RESERVED');

  const [row] = await eventuallyValue(async () => {
    const rows: { status: string }[] = await platform.points.query('SELECT status FROM redemption WHERE id = $1', [redeemReward.id]);
    return rows[0]?.status === 'EXPIRED' ? rows : undefined;
  }, 30_000);
  expect(row!.status).toBe('EXPIRED');
  expect((await heYi.request(MyAccountDocument)).myAccount).toMatchObject({ balance: before.balance, reserved: before.reserved, available: before.available });
  const [{ stock }] = await platform.points.query('SELECT stock FROM reward WHERE id = $1', [createReward.id]);
  expect(stock).toBe(1);
  // The expiry ran as a delayed job of BullMQ's Postgres backend.
  const { rows: timers } = await queueDb.query(`SELECT name, state, delay_ms, opts FROM bullmq.job WHERE queue = 'dispatch' AND id = $1`, [
    `expiry-${redeemReward.id}`,
  ]);
  expect(timers).toEqual([expect.objectContaining({ name: 'redemption.expiry', state: 'completed' })]);
  expect(timers[0].opts.delay).toBeGreaterThan(0);
});

/** Collects a subscription's messages; `until` waits for the messages themselves, with a deadline. */
function collect<T, V extends Record<string, unknown>>(client: LiveClient, document: TypedDocument<T, V>, variables: V) {
  const items: T[] = [];
  let failure: unknown;
  client.subscribe(document, variables, { next: (data) => items.push(data), error: (error) => (failure = error) });
  return {
    until: (done: (received: T[]) => boolean) =>
      eventuallyValue(async () => {
        if (failure) throw new Error(`subscription failed: ${JSON.stringify(failure)}`);
        return done(items) ? items : undefined;
      }),
  };
}

it('pushes an order’s moves and the resident’s notification live from the queue database, and resumes after a cursor', async () => {
  const zhou = await signIn(anonymous, RESIDENT_ZHOU);
  const token = zhou.options.token as string;
  const yingbin = await platform.unit('KZ-HANFENG-YINGBIN');
  const [station] = await platform.org.query('SELECT lat, lng FROM practice_unit WHERE id = $1', [yingbin.id]);
  // Where the topics stand now (`ms-seq`, as a Redis stream id): subscribing after it misses nothing.
  const headOf = async (topic: string) =>
    ((await queueDb.query(`SELECT last_ms || '-' || last_seq AS cursor FROM live_topic WHERE topic = $1`, [topic])).rows[0]?.cursor as string | undefined) ?? '0-0';
  const [ordersHead, notificationsHead] = [await headOf('orders'), await headOf('notifications')];
  const live = createLiveClient({ url: platform.gatewayUrl.replace(/^http/, 'ws'), token, locale: 'zh-CN', webSocketImpl: WebSocket, retryAttempts: 0 });
  try {
    const inbox = collect(live, NotificationAddedDocument, { after: notificationsHead });
    const { placeOrder } = await zhou.request(PlaceOrderDocument, {
      input: { title: '路灯不亮', category: 'SAFETY_FACILITIES', channel: 'WECHAT', address: '腾龙广场小区', location: { lat: station.lat, lng: station.lng } },
    });
    const orderId = placeOrder.id;
    const moves = collect(live, OrderChangedDocument, { id: orderId, after: ordersHead });
    const changes = (await moves.until((items) => items.length >= 2)).map((item) => item.orderChanged);
    expect(changes.map((change) => change.action)).toEqual(['SUBMITTED', 'DISPATCHED']); // dispatched by the worker
    for (const change of changes) expect(change.cursor).toMatch(/^\d+-\d+$/);

    // A phone that saw only the first move resumes after its cursor and gets the second.
    const resumed = collect(live, OrderChangedDocument, { id: orderId, after: changes[0]!.cursor });
    const missed = (await resumed.until((items) => items.length >= 1)).map((item) => item.orderChanged);
    expect(missed.map((change) => change.eventId)).toEqual([changes[1]!.eventId]);

    const news = await inbox.until((items) => items.some((item) => item.notificationAdded.notification?.link === `order:${orderId}`));
    const dispatched = news.map((item) => item.notificationAdded).find((change) => change.notification?.link === `order:${orderId}`)!;
    expect(dispatched).toMatchObject({ kind: 'EVENT', notification: { kind: 'order.dispatched' } });
  } finally {
    await live.dispose();
  }
});

it('never connected to Redis: every queue, timer, claim, counter and live entry went to the queue database', async () => {
  expect(redisConnections).toBe(0);
  const { rows } = await queueDb.query(`SELECT DISTINCT queue FROM bullmq.job ORDER BY queue`);
  expect(rows.map((row) => row.queue)).toEqual(expect.arrayContaining(['analytics', 'dispatch', 'notifications', 'points-credit', 'volunteers-inbox']));
  const [live] = (await queueDb.query(`SELECT count(*)::int AS n FROM live_entry WHERE topic = 'orders'`)).rows;
  expect(live.n).toBeGreaterThan(0);
});
