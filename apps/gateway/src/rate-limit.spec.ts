import IORedis from 'ioredis';
import { Registry } from 'prom-client';
import { createLogger } from '@kz/telemetry';
import { deleteKeysWithPrefix, eventually, PrivateRedis, testConfig, uniqueQueuePrefix } from '@kz/testing';
import { createRateLimiter, RateLimiter } from './rate-limit';

const config = testConfig();
const log = createLogger('gateway-test', 'silent');
const prefix = uniqueQueuePrefix();
const redis = new IORedis(config.REDIS_URL, { maxRetriesPerRequest: 1 });
const limiters: RateLimiter[] = [];

async function limiter(limit: number, extra: { windowMs?: number; redisUrl?: string; registry?: Registry } = {}): Promise<RateLimiter> {
  const created = createRateLimiter({ limit, redisUrl: config.REDIS_URL, prefix, log, ...extra });
  limiters.push(created);
  await created.ready();
  return created;
}

afterAll(async () => {
  for (const created of limiters) await created.close();
  await deleteKeysWithPrefix(redis, prefix);
  await redis.quit();
});

describe('the per-caller rate limit (real Redis)', () => {
  it('lets `limit` requests of a subject through in a window, then refuses with the time left', async () => {
    const limit = await limiter(5);
    const decisions = [];
    for (let i = 0; i < 7; i += 1) decisions.push(await limit.take('sub:p-1'));
    expect(decisions.slice(0, 5).map((d) => d.allowed)).toEqual([true, true, true, true, true]);
    expect(decisions[4]).toEqual({ allowed: true, limit: 5, remaining: 0 });
    for (const refused of decisions.slice(5)) {
      expect(refused.allowed).toBe(false);
      if (refused.allowed) continue;
      expect(refused.limit).toBe(5);
      expect(refused.retryAfterSeconds).toBeGreaterThanOrEqual(1);
      expect(refused.retryAfterSeconds).toBeLessThanOrEqual(60);
    }
    // Another subject has a count of its own; the key expires with the window.
    expect(await limit.take('sub:p-2')).toEqual({ allowed: true, limit: 5, remaining: 4 });
    const ttl = await redis.pttl(`${prefix}:ratelimit:sub:p-1`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it('counts exactly under concurrency, across limiter instances (as several gateway processes do)', async () => {
    const a = await limiter(20);
    const b = await limiter(20);
    const decisions = await Promise.all(Array.from({ length: 60 }, (_, i) => (i % 2 ? a : b).take('ip:10.0.0.9')));
    expect(decisions.filter((d) => d.allowed)).toHaveLength(20);
  });

  it('opens a new window once the old one has passed', async () => {
    // A window long enough that a loaded machine cannot end it between the first three takes.
    const limit = await limiter(2, { windowMs: 3_000 });
    await limit.take('sub:window');
    await limit.take('sub:window');
    expect((await limit.take('sub:window')).allowed).toBe(false);
    await eventually(async () => (await limit.take('sub:window')).allowed, 15_000);
  });

  it('is off at 0 and never touches Redis', async () => {
    const limit = await limiter(0, { redisUrl: 'redis://127.0.0.1:1' });
    for (let i = 0; i < 3; i += 1) expect((await limit.take('sub:any')).allowed).toBe(true);
  });

  it('fails open while Redis is down, counts it in a metric, and limits again once Redis is back', async () => {
    const privateRedis = await PrivateRedis.launch();
    const registry = new Registry();
    try {
      const limit = await limiter(1, { redisUrl: privateRedis.url, registry });
      expect((await limit.take('sub:outage')).allowed).toBe(true);
      expect((await limit.take('sub:outage')).allowed).toBe(false);

      await privateRedis.stop();
      const during = await limit.take('sub:outage');
      expect(during).toEqual({ allowed: true, failedOpen: true });
      const metric = await registry.getSingleMetricAsString('gateway_rate_limit_fail_open_total');
      expect(metric).toMatch(/gateway_rate_limit_fail_open_total [1-9]/);

      await privateRedis.start(); // an empty server: the window starts again
      await eventually(async () => (await limit.take('sub:after')).failedOpen !== true, 10_000);
      expect((await limit.take('sub:after')).allowed).toBe(false);
      await limit.close(); // while its Redis is up: closing a client that is reconnecting leaves a 2 s ioredis timer
    } finally {
      await privateRedis.stop();
    }
  });
});
