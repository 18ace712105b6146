import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { RunningAnalyticsWorker, startAnalyticsWorker } from '@kz/analytics-worker';
import { signToken } from '@kz/auth';
import { dropDatabase } from '@kz/db';
import { catalog, createRedis, EventEnvelope, EventType, Queues } from '@kz/events';
import { RunningOpsDashboard, startOpsDashboard } from '@kz/ops-dashboard';
import { deleteKeysWithPrefix, eventually, testConfig, uniqueName, uniqueQueuePrefix } from '@kz/testing';

/**
 * The analytics worker drains the `analytics` queue into its subscriptions, and the ops dashboard shows each
 * subscription's lag, dropped and acknowledged counts to a CENTER_ADMIN (two apps, hence an end-to-end spec).
 */
const prefix = uniqueQueuePrefix();
const DAY = 24 * 3600;
const config = testConfig({
  QUEUE_PREFIX: prefix,
  HOST: '127.0.0.1',
  ANALYTICS_DATABASE: uniqueName('analytics'),
  // The retention keeps 4 order events: of 6, the worker's trim drops the 2 oldest unread.
  EVENT_SUBSCRIPTIONS: JSON.stringify([{ name: 'warehouse', types: ['order.*'], maxEntries: 4, maxAgeSeconds: DAY }]),
  EVENT_STREAM_TRIM_SECONDS: '1',
});

let worker: RunningAnalyticsWorker;
let dashboard: RunningOpsDashboard;
let redis: Redis;
let queues: Queues;
let admin: string;

beforeAll(async () => {
  worker = await startAnalyticsWorker(config, { port: 0 });
  dashboard = await startOpsDashboard(config, { port: 0 });
  redis = createRedis(config.REDIS_URL, 'producer');
  queues = new Queues(redis, prefix);
  admin = await signToken(config, { sub: 'p-admin', roles: ['CENTER_ADMIN'], unitId: '1', unitPath: '1' });
});

afterAll(async () => {
  await dashboard?.stop();
  await worker?.stop();
  await queues?.close();
  await deleteKeysWithPrefix(redis, prefix);
  redis?.disconnect();
  await dropDatabase(config, config.ANALYTICS_DATABASE);
});

function anEvent(type: EventType, payload: Record<string, unknown>): EventEnvelope {
  return {
    id: randomUUID(),
    type,
    version: catalog[type].version,
    occurredAt: new Date().toISOString(),
    actor: { personId: '7', roles: ['RESIDENT'] },
    unitPath: '1',
    payload,
  } as EventEnvelope;
}

const page = (headers: Record<string, string>) => fetch(`${dashboard.url}/subscriptions`, { headers: { accept: 'text/html', ...headers }, redirect: 'manual' });

/** The figure a row of the page shows, by subscription and column. */
function figure(html: string, subscription: string, column: string): string | undefined {
  const row = new RegExp(`<tr data-subscription="${subscription}">(.*?)</tr>`).exec(html)?.[1];
  return row === undefined ? undefined : new RegExp(`data-figure="${column}">([^<]*)<`).exec(row)?.[1];
}

it("shows a subscription's waiting, oldest-waiting, dropped and acknowledged figures to a CENTER_ADMIN only", async () => {
  const notes = ['请尽快安排', '已联系', '谢谢', '明早上门', '已改期', '已完成'];
  const orderEvents = notes.map((note, i) => anEvent('order.followUp.added', { orderId: String(i + 1), note }));
  const events = [anEvent('points.credited', { accountId: '1', personId: '7', amount: 5, serviceRecordId: '3' }), ...orderEvents];
  for (const event of events) await queues.get('analytics').add(event.type, event, { jobId: event.id });

  // Six order events entered, the retention of 4 dropped the 2 oldest; the points event is not the subscription's.
  await eventually(async () => {
    const state = (await worker.stream.subscriptions()).find((s) => s.name === 'warehouse');
    return state?.waiting === 4 && state.dropped === 2;
  });
  const [first] = await worker.stream.read('warehouse', 'e2e', 1);
  expect(first!.event.id).toBe(orderEvents[2]!.id);
  expect(await worker.stream.ack('warehouse', [first!.pos])).toBe(1);

  const response = await page({ authorization: `Bearer ${admin}` });
  expect(response.status).toBe(200);
  const html = await response.text();
  expect(figure(html, 'warehouse', 'waiting')).toBe('3');
  expect(figure(html, 'warehouse', 'dropped')).toBe('2');
  expect(figure(html, 'warehouse', 'acked')).toBe('1');
  expect(figure(html, 'warehouse', 'oldest-age')).toMatch(/^\d+ s$/);
  expect(html).toContain('<td>order.*</td>');

  // As the rest of the dashboard: the sign-in form for a browser without a token, 403 for anyone but a CENTER_ADMIN.
  const anonymous = await page({});
  expect(anonymous.status).toBe(401);
  expect(await anonymous.text()).not.toContain('warehouse');
  const volunteer = await signToken(config, { sub: 'p-vol', roles: ['VOLUNTEER'] });
  expect((await page({ authorization: `Bearer ${volunteer}` })).status).toBe(403);
});
