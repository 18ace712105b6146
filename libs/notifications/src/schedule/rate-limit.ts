import type { Redis } from 'ioredis';
import { RedisSharedStore, SharedStore } from '@kz/events';
import type { OutboundChannel } from '../channels/channel';

const HOUR_MS = 3600_000;

export type RateDecision = { allowed: true } | { allowed: false; retryAt: Date };

/**
 * At most `perHour` outbound messages per recipient and channel in each clock hour, counted in the shared store
 * beside the queues (Redis under the queues' hash-tagged prefix, or the Postgres queue database: every replica shares
 * the count). A message over the limit is not dropped: the caller
 * schedules it for the start of the next hour.
 */
export class HourlyRateLimit {
  private readonly store: SharedStore;

  constructor(
    store: Redis | SharedStore,
    private readonly prefix: string,
    private readonly perHour: number,
    private readonly now: () => number = Date.now,
  ) {
    this.store = 'hit' in store ? store : new RedisSharedStore(store, prefix);
  }

  async take(personId: string, channel: OutboundChannel): Promise<RateDecision> {
    const now = this.now();
    const window = Math.floor(now / HOUR_MS);
    const key = `${this.prefix}:notify-rate:${personId}:${channel}:${window}`;
    // The counter outlives its clock hour (a window that starts at the first hit may begin late in the hour).
    const { count } = await this.store.hit(key, 2 * HOUR_MS);
    return count <= this.perHour ? { allowed: true } : { allowed: false, retryAt: new Date((window + 1) * HOUR_MS) };
  }
}
