import { RunningAnalyticsWorker, startAnalyticsWorker } from '@kz/analytics-worker';
import { dropDatabase } from '@kz/db';
import { startDispatchWorker } from '@kz/dispatch-worker';
import { dataOf, eventually, uniqueName } from '@kz/testing';
import type { RunningWorkerService } from '@kz/worker';
import { Platform, startPlatform } from './stack';

/**
 * The event stream on the platform (issue 11): the article's order placed through the gateway, dispatched and
 * escalated by the real dispatch worker, reaches an analyst's subscription from the outboxes and from the worker's
 * own timers, in the order it happened, and a replay of it goes to one subscription only. Deadlines are 30 minutes
 * at ORDER_TIMER_SCALE 0.001 (1.8 s).
 */
const RESIDENT_ZHOU = '13900230008'; // 周先生, 腾龙广场小区
const STAGE_MS = 30 * 60_000 * 0.001;
const DAY = 24 * 3600;

let platform: Platform;
let dispatch: RunningWorkerService;
let analytics: RunningAnalyticsWorker;
let resident: string;
let yingbin: { lat: number; lng: number };

beforeAll(async () => {
  platform = await startPlatform({
    seed: 'demo',
    env: { AUTO_DISPATCH: 'true', ORDER_TIMER_SCALE: '0.001', ORDER_ACCEPT_MINUTES: '30', ORDER_DELIVER_MINUTES: '30', ORDER_EVALUATE_MINUTES: '30' },
  });
  const config = { ...platform.config, ORG_SUBGRAPH_URL: platform.subgraphs.org.url, ORDERS_SUBGRAPH_URL: platform.subgraphs.orders.url };
  dispatch = await startDispatchWorker(config, { port: 0 });
  analytics = await startAnalyticsWorker(
    {
      ...config,
      ANALYTICS_DATABASE: uniqueName('analytics'),
      EVENT_SUBSCRIPTIONS: [
        { name: 'order-analyst', types: ['order.*'], maxEntries: 10_000, maxAgeSeconds: DAY },
        { name: 'points-analyst', types: ['points.*', 'order.escalated'], maxEntries: 10_000, maxAgeSeconds: DAY },
      ],
    },
    { port: 0 },
  );
  [yingbin] = await platform.org.query(`SELECT lat, lng FROM practice_unit WHERE code = 'KZ-HANFENG-YINGBIN'`);
  resident = await platform.login(RESIDENT_ZHOU);
}, 120_000);

afterAll(async () => {
  await dispatch?.stop();
  await analytics?.stop();
  if (analytics) await dropDatabase(platform.config, analytics.dataSource.options.database as string);
  await platform?.stop();
});

type Entry = { pos: string; event: { id: string; type: string; payload: { orderId?: string; level?: string } } };

describe('the event stream on the platform', () => {
  it('gives an analyst every event of an escalated order, outbox and timer events alike, in the order they happened; a replay reaches one subscription only', async () => {
    const since = new Date(Date.now() - 1000);
    const { placeOrder } = await dataOf(
      platform.query<{ placeOrder: { id: string } }>(
        `mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }`,
        { input: { title: '健身器材损坏', category: 'SAFETY_FACILITIES', channel: 'APP', address: '腾龙广场小区', location: yingbin } },
        { token: resident },
      ),
    );
    const orderId = placeOrder.id;
    const expected = ['order.submitted', 'order.dispatched', 'order.deadline.due', 'order.escalated', 'order.deadline.due', 'order.escalated'];

    // Read as an analytics job would: lease, take what is this order's, acknowledge everything read.
    const seen: Entry[] = [];
    await eventually(async () => {
      const entries = (await analytics.stream.read('order-analyst', 'job-1', 100)) as Entry[];
      seen.push(...entries.filter((entry) => entry.event.payload.orderId === orderId));
      await analytics.stream.ack('order-analyst', entries.map((entry) => entry.pos));
      return seen.length >= expected.length;
    }, 3 * STAGE_MS + 20_000);
    expect(seen.map((entry) => entry.event.type)).toEqual(expected);
    expect(seen.filter((entry) => entry.event.type === 'order.escalated').map((entry) => entry.event.payload.level)).toEqual(['INSTITUTE', 'CENTER']);

    // The archive holds exactly the orders service's own outbox events of the order, under their ids, plus the timers.
    const outbox = (await platform.orders.query(`SELECT id::text FROM outbox WHERE payload->>'orderId' = $1 ORDER BY seq`, [orderId])) as { id: string }[];
    const archived = (await analytics.dataSource.query(
      `SELECT id::text, type FROM event_archive WHERE envelope->'payload'->>'orderId' = $1 AND type NOT IN ('order.deadline.due') ORDER BY archived_at, id`,
      [orderId],
    )) as { id: string }[];
    expect(archived.map((row) => row.id).sort()).toEqual(outbox.map((row) => row.id).sort());

    // The other analyst took only the escalations; a replay of the range goes to the order analyst alone.
    const other = (await analytics.stream.read('points-analyst', 'job-2', 1000)) as Entry[];
    expect(other.filter((entry) => entry.event.payload.orderId === orderId).map((entry) => entry.event.type)).toEqual(['order.escalated', 'order.escalated']);
    await analytics.stream.ack('points-analyst', other.map((entry) => entry.pos));
    const replayed = await analytics.stream.replay('order-analyst', since, new Date(), ['order.*']);
    expect(replayed).toBeGreaterThanOrEqual(expected.length);
    const again = ((await analytics.stream.read('order-analyst', 'job-1', 1000)) as Entry[]).filter((entry) => entry.event.payload.orderId === orderId);
    expect(again.map((entry) => entry.event.id)).toEqual(seen.map((entry) => entry.event.id));
    expect(await analytics.stream.read('points-analyst', 'job-2', 1000)).toEqual([]);
  });
});
