import { createRedis } from '@kz/events';
import { deleteKeysWithPrefix, testConfig, uniqueQueuePrefix } from '@kz/testing';
import { backoffMs, DEFAULT_RETRY_POLICY } from './backoff';
import { formatShanghai, parseQuietHours, quietUntil } from './quiet-hours';
import { HourlyRateLimit } from './rate-limit';

const shanghai = (local: string) => new Date(`${local}+08:00`);

describe('quiet hours (Asia/Shanghai)', () => {
  const night = parseQuietHours('22:00-07:00');

  it.each([
    ['2026-11-27T23:00:00', '2026-11-28T07:00:00'],
    ['2026-11-28T03:30:00', '2026-11-28T07:00:00'],
    ['2026-11-27T22:00:00', '2026-11-28T07:00:00'],
  ])('hold a message sent at %s until %s', (at, until) => {
    expect(quietUntil(night, shanghai(at))).toEqual(shanghai(until));
  });

  it.each(['2026-11-28T07:00:00', '2026-11-28T12:00:00', '2026-11-27T21:59:59'])('let a message sent at %s go', (at) => {
    expect(quietUntil(night, shanghai(at))).toBeNull();
  });

  it('also works for a window within one day, and can be off', () => {
    const lunch = parseQuietHours('12:00-14:00');
    expect(quietUntil(lunch, shanghai('2026-11-28T12:30:00'))).toEqual(shanghai('2026-11-28T14:00:00'));
    expect(quietUntil(lunch, shanghai('2026-11-28T15:00:00'))).toBeNull();
    expect(parseQuietHours('off')).toBeNull();
    expect(quietUntil(parseQuietHours('off'), shanghai('2026-11-28T03:00:00'))).toBeNull();
  });

  it('prints times in Kaizhou time', () => {
    expect(formatShanghai('2026-11-28T01:30:00Z', 'zh-CN')).toBe('11月28日 09:30');
    expect(formatShanghai('2026-11-28T01:30:00Z', 'en')).toBe('28 Nov 09:30');
  });
});

describe('backoff', () => {
  it('doubles from the base up to the cap, and honours a longer Retry-After', () => {
    const policy = { baseMs: 100, capMs: 1000, maxAttempts: 8 };
    expect([1, 2, 3, 4, 5].map((attempt) => backoffMs(policy, attempt))).toEqual([100, 200, 400, 800, 1000]);
    expect(backoffMs(policy, 1, 700)).toBe(700);
    expect(backoffMs(policy, 1, 60_000)).toBe(1000);
    expect(backoffMs(DEFAULT_RETRY_POLICY, 1)).toBe(30_000);
  });
});

describe('the hourly limit per recipient and channel', () => {
  const config = testConfig();
  const redis = createRedis(config.REDIS_URL, 'worker');
  const prefix = uniqueQueuePrefix();

  afterAll(async () => {
    await deleteKeysWithPrefix(redis, prefix);
    redis.disconnect();
  });

  it('allows the limit in a clock hour, then says when the next hour starts; other people and channels count apart', async () => {
    const at = Date.parse('2026-11-28T02:10:00Z');
    const limit = new HourlyRateLimit(redis, prefix, 3, () => at);
    const taken = await Promise.all(Array.from({ length: 5 }, () => limit.take('908', 'SMS')));
    expect(taken.filter((decision) => decision.allowed)).toHaveLength(3);
    expect(taken.find((decision) => !decision.allowed)).toEqual({ allowed: false, retryAt: new Date('2026-11-28T03:00:00Z') });
    expect(await limit.take('908', 'WECHAT')).toEqual({ allowed: true });
    expect(await limit.take('907', 'SMS')).toEqual({ allowed: true });
    expect(await new HourlyRateLimit(redis, prefix, 3, () => Date.parse('2026-11-28T03:00:00Z')).take('908', 'SMS')).toEqual({ allowed: true });
  });
});
