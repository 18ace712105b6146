import IORedis, { Redis } from 'ioredis';
import { Counter, Registry } from 'prom-client';
import { HIT_SCRIPT } from '@kz/events';
import type { Logger } from '@kz/telemetry';

/** What the limiter says about one request. */
export type RateDecision =
  | { allowed: true; limit: number; remaining: number; failedOpen?: false }
  | { allowed: true; failedOpen: true }
  | { allowed: false; limit: number; retryAfterSeconds: number; failedOpen?: false };

export interface RateLimiter {
  /** Counts one request of `subject` and says whether it may go on. Never throws: Redis trouble fails open. */
  take(subject: string): Promise<RateDecision>;
  /** Resolves once Redis is connected, or after `timeoutMs` * 8 without it (the gateway then starts failing open). */
  ready(): Promise<void>;
  close(): Promise<void>;
}

export interface RateLimiterOptions {
  /** Requests per window per subject; 0 turns the limiter off (every request allowed, Redis never touched). */
  limit: number;
  windowMs?: number;
  redisUrl: string;
  /** Key namespace, e.g. the (hash-tagged) queue prefix, so that a test run's keys are its own. */
  prefix: string;
  log: Logger;
  registry?: Registry;
  /** How long a Redis call may take before the request goes on without it. */
  timeoutMs?: number;
}

type RedisWithTake = Redis & { rateLimitTake(key: string, windowMs: number): Promise<[number, number]> };

/**
 * The gateway's per-caller rate limit, kept in Redis. If Redis cannot answer (down, slow, refusing), the request
 * is let through, logged at most once per window and counted in `gateway_rate_limit_fail_open_total`: losing the
 * limit for a while is better than refusing every caller.
 */
export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const { limit, log } = options;
  if (limit <= 0) {
    return {
      take: async () => ({ allowed: true, limit: 0, remaining: Number.POSITIVE_INFINITY }),
      ready: async () => undefined,
      close: async () => undefined,
    };
  }
  const windowMs = options.windowMs ?? 60_000;
  const timeoutMs = options.timeoutMs ?? 250;
  const registers = options.registry ? [options.registry] : [];
  const refused = new Counter({ name: 'gateway_rate_limited_total', help: 'requests refused by the per-caller rate limit', registers });
  const failedOpen = new Counter({
    name: 'gateway_rate_limit_fail_open_total',
    help: 'requests let through without a rate-limit check because Redis could not answer',
    registers,
  });
  const redis = new IORedis(options.redisUrl, {
    lazyConnect: false,
    enableOfflineQueue: false, // while disconnected, fail at once instead of queueing the request behind Redis
    maxRetriesPerRequest: 0,
    commandTimeout: timeoutMs,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
  }) as RedisWithTake;
  // A fixed window per subject, started by its first request, counted exactly across gateways (the shared store's hit).
  redis.defineCommand('rateLimitTake', { numberOfKeys: 1, lua: HIT_SCRIPT });
  let lastWarning = 0;
  redis.on('error', (error: Error) => warn(error));

  function warn(error: Error) {
    if (Date.now() - lastWarning < windowMs) return;
    lastWarning = Date.now();
    log.warn({ err: error }, 'rate limit: Redis unavailable, letting requests through unchecked');
  }

  return {
    async take(subject) {
      try {
        const [count, ttl] = await redis.rateLimitTake(`${options.prefix}:ratelimit:${subject}`, windowMs);
        if (count > limit) {
          refused.inc();
          return { allowed: false, limit, retryAfterSeconds: Math.max(1, Math.ceil(ttl / 1000)) };
        }
        return { allowed: true, limit, remaining: limit - count };
      } catch (error) {
        failedOpen.inc();
        warn(error as Error);
        return { allowed: true, failedOpen: true };
      }
    },
    async ready() {
      if (redis.status === 'ready') return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, timeoutMs * 8);
        redis.once('ready', done);
        function done() {
          clearTimeout(timer);
          redis.off('ready', done);
          resolve();
        }
      });
    },
    async close() {
      if (redis.status === 'end') return;
      if (redis.status !== 'ready') {
        redis.disconnect(); // also stops reconnecting to a Redis that is down
        return;
      }
      const ended = new Promise((resolve) => redis.once('end', resolve));
      await redis.quit().catch(() => redis.disconnect());
      await ended;
    },
  };
}
