import { Counter, Registry } from 'prom-client';
import type { SharedStore } from '@kz/events';
import type { Logger } from '@kz/telemetry';
import type { RateLimiter } from './rate-limit';

export interface StoreRateLimiterOptions {
  /** Requests per window per subject (> 0; `createRateLimiter` handles 0). */
  limit: number;
  windowMs?: number;
  /** The queue backend's shared store (QUEUE_BACKEND=postgres: the queue database). */
  store: SharedStore;
  prefix: string;
  log: Logger;
  registry?: Registry;
  /** How long a call may take before the request goes on without it. */
  timeoutMs?: number;
  /** Closes what the limiter's store holds open. */
  close?: () => Promise<void>;
}

/**
 * The gateway's per-caller rate limit on the queue backend's shared store (QUEUE_BACKEND=postgres): the same fixed
 * window per subject as the Redis limiter (one atomic upsert counts and starts the window), the same metrics, and the
 * same fail-open rule: a store that cannot answer within `timeoutMs` lets the request through, counted and logged.
 */
export function createStoreRateLimiter(options: StoreRateLimiterOptions): RateLimiter {
  const { limit, log, store } = options;
  const windowMs = options.windowMs ?? 60_000;
  const timeoutMs = options.timeoutMs ?? 250;
  const registers = options.registry ? [options.registry] : [];
  const refused = new Counter({ name: 'gateway_rate_limited_total', help: 'requests refused by the per-caller rate limit', registers });
  const failedOpen = new Counter({
    name: 'gateway_rate_limit_fail_open_total',
    help: 'requests let through without a rate-limit check because the rate-limit store could not answer',
    registers,
  });
  let lastWarning = 0;

  function warn(error: Error) {
    if (Date.now() - lastWarning < windowMs) return;
    lastWarning = Date.now();
    log.warn({ err: error }, 'rate limit: store unavailable, letting requests through unchecked');
  }

  return {
    async take(subject) {
      let timer: NodeJS.Timeout | undefined;
      try {
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`rate-limit store did not answer within ${timeoutMs} ms`)), timeoutMs);
        });
        const { count, ttlMs } = await Promise.race([store.hit(`${options.prefix}:ratelimit:${subject}`, windowMs), timeout]);
        if (count > limit) {
          refused.inc();
          return { allowed: false, limit, retryAfterSeconds: Math.max(1, Math.ceil(ttlMs / 1000)) };
        }
        return { allowed: true, limit, remaining: limit - count };
      } catch (error) {
        failedOpen.inc();
        warn(error as Error);
        return { allowed: true, failedOpen: true };
      } finally {
        clearTimeout(timer);
      }
    },
    ready: async () => undefined,
    close: async () => {
      await options.close?.();
    },
  };
}
