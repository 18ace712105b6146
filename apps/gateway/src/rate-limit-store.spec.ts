import { Pool } from 'pg';
import { Registry } from 'prom-client';
import { dropDatabase, pgClientConfig } from '@kz/db';
import { migrateQueueDatabase, PostgresSharedStore, SharedStore } from '@kz/events';
import { createLogger } from '@kz/telemetry';
import { eventually, metricSample, testConfig, testPool, uniqueName, uniqueQueuePrefix } from '@kz/testing';
import { createStoreRateLimiter } from './rate-limit-store';

/** The per-caller rate limit on the Postgres queue backend (QUEUE_BACKEND=postgres), against a real queue database. */
const config = testConfig({ QUEUE_DATABASE: uniqueName('queues') });
const log = createLogger('gateway-test', 'silent');
const prefix = uniqueQueuePrefix();
let pool: Pool;
let store: SharedStore;

beforeAll(async () => {
  await migrateQueueDatabase(config);
  pool = testPool(config, config.QUEUE_DATABASE, 10);
  store = new PostgresSharedStore(pool);
});

afterAll(async () => {
  await pool.end();
  await dropDatabase(config, config.QUEUE_DATABASE);
});

const limiter = (limit: number, extra: { windowMs?: number; registry?: Registry; store?: SharedStore } = {}) =>
  createStoreRateLimiter({ limit, store, prefix, log, timeoutMs: 2000, ...extra });

describe('the per-caller rate limit on the Postgres queue backend', () => {
  it('lets `limit` requests of a subject through in a window, then refuses with the time left', async () => {
    const limit = limiter(3);
    const decisions = [];
    for (let i = 0; i < 5; i += 1) decisions.push(await limit.take('sub:p-1'));
    expect(decisions.slice(0, 3)).toEqual([
      { allowed: true, limit: 3, remaining: 2 },
      { allowed: true, limit: 3, remaining: 1 },
      { allowed: true, limit: 3, remaining: 0 },
    ]);
    for (const refused of decisions.slice(3)) {
      expect(refused.allowed).toBe(false);
      if (refused.allowed) continue;
      expect(refused.retryAfterSeconds).toBeGreaterThanOrEqual(1);
      expect(refused.retryAfterSeconds).toBeLessThanOrEqual(60);
    }
    expect(await limit.take('sub:p-2')).toEqual({ allowed: true, limit: 3, remaining: 2 });
  });

  it('counts exactly under concurrency, across limiter instances (as several gateway processes do)', async () => {
    const a = limiter(20);
    const b = limiter(20);
    const decisions = await Promise.all(Array.from({ length: 60 }, (_, i) => (i % 2 ? a : b).take('ip:10.0.0.9')));
    expect(decisions.filter((d) => d.allowed)).toHaveLength(20);
  });

  it('opens a new window once the old one has passed', async () => {
    // A window long enough that a loaded machine cannot end it between the first three takes.
    const limit = limiter(2, { windowMs: 3_000 });
    await limit.take('sub:window');
    await limit.take('sub:window');
    expect((await limit.take('sub:window')).allowed).toBe(false);
    await eventually(async () => (await limit.take('sub:window')).allowed, 15_000);
  });

  it('fails open, counted, when the queue database cannot answer', async () => {
    const registry = new Registry();
    const away = new Pool({ ...pgClientConfig({ ...config, PGPORT: 1 }, 'nowhere'), connectionTimeoutMillis: 500 });
    try {
      const limit = limiter(1, { registry, store: new PostgresSharedStore(away) });
      expect(await limit.take('sub:p-3')).toEqual({ allowed: true, failedOpen: true });
      expect(await limit.take('sub:p-3')).toEqual({ allowed: true, failedOpen: true });
      expect(metricSample(await registry.metrics(), 'gateway_rate_limit_fail_open_total')).toBe(2);
    } finally {
      await away.end();
    }
  });
});
