import { Pool } from 'pg';
import { dropDatabase } from '@kz/db';
import { migrateQueueDatabase, PostgresSharedStore } from '@kz/events';
import { testConfig, testPool, uniqueName, uniqueQueuePrefix } from '@kz/testing';
import { HourlyRateLimit } from './rate-limit';

/** The hourly limit of outbound messages counted in the Postgres queue backend (QUEUE_BACKEND=postgres). */
const config = testConfig({ QUEUE_DATABASE: uniqueName('queues') });
const prefix = uniqueQueuePrefix();
let pool: Pool;

beforeAll(async () => {
  await migrateQueueDatabase(config);
  pool = testPool(config, config.QUEUE_DATABASE, 8);
});

afterAll(async () => {
  await pool.end();
  await dropDatabase(config, config.QUEUE_DATABASE);
});

it('lets exactly `perHour` of many concurrent sends through per recipient and channel, the rest at the next hour', async () => {
  const at = Date.parse('2026-11-28T02:40:00Z');
  // Two replicas of the worker, each with its own limiter over the same store.
  const replicas = [new HourlyRateLimit(new PostgresSharedStore(pool), prefix, 3, () => at), new HourlyRateLimit(new PostgresSharedStore(pool), prefix, 3, () => at)];
  const decisions = await Promise.all(Array.from({ length: 12 }, (_, i) => replicas[i % 2]!.take('908', 'SMS')));
  expect(decisions.filter((d) => d.allowed)).toHaveLength(3);
  for (const refused of decisions.filter((d) => !d.allowed)) expect(refused).toEqual({ allowed: false, retryAt: new Date('2026-11-28T03:00:00Z') });
  // Another channel, and the next clock hour, count afresh.
  expect(await replicas[0]!.take('908', 'WECHAT')).toEqual({ allowed: true });
  expect(await new HourlyRateLimit(new PostgresSharedStore(pool), prefix, 3, () => Date.parse('2026-11-28T03:00:00Z')).take('908', 'SMS')).toEqual({ allowed: true });
});
