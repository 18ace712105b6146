import type { Redis } from 'ioredis';
import type { OutboundChannel } from '../channels/channel';

const HOUR_MS = 3600_000;

/** INCR the window's counter and give it a lifetime on first use, atomically. */
const TAKE = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n`;

export type RateDecision = { allowed: true } | { allowed: false; retryAt: Date };

/**
 * At most `perHour` outbound messages per recipient and channel in each clock hour, counted in Redis (under the
 * queues' hash-tagged prefix, so every replica shares the count). A message over the limit is not dropped: the caller
 * schedules it for the start of the next hour.
 */
export class HourlyRateLimit {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly perHour: number,
    private readonly now: () => number = Date.now,
  ) {}

  async take(personId: string, channel: OutboundChannel): Promise<RateDecision> {
    const now = this.now();
    const window = Math.floor(now / HOUR_MS);
    const key = `${this.prefix}:notify-rate:${personId}:${channel}:${window}`;
    const count = Number(await this.redis.eval(TAKE, 1, key, String(2 * HOUR_MS)));
    return count <= this.perHour ? { allowed: true } : { allowed: false, retryAt: new Date((window + 1) * HOUR_MS) };
  }
}
