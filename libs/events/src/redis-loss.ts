import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from '@kz/telemetry';

/**
 * Redis-only: tells that Redis lost its data (restarted without persistence, FLUSHALL, a failover to a replica that
 * had not caught up), so relays and workers rebuild what lived only there at once instead of at their next period.
 *
 * A marker key under the queue prefix holds a random epoch. Each watcher remembers the epoch it last saw; at every
 * reconnect and every `checkMs` it reads the key again. Missing: Redis lost its data; the first watcher to notice
 * writes a new epoch (SET NX), and every watcher, seeing an epoch other than its own, reports the loss once. (Redis'
 * own `run_id` changes at every restart, with or without data, so it cannot tell an empty restart from a reload.)
 * A queue backend that keeps its jobs in Postgres needs none of this.
 */
export function redisMarkerKey(prefix: string): string {
  return `${prefix}:redis-marker`;
}

export interface RedisLossWatchOptions {
  /** A connection that fails fast while Redis is away (a producer connection). */
  connection: Redis;
  prefix: string;
  checkMs: number;
  onLoss: () => void;
  log?: Logger;
}

export class RedisLossWatch {
  private seen: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private checking: Promise<boolean> | undefined;
  private readonly onReady = () => void this.check();

  constructor(private readonly options: RedisLossWatchOptions) {}

  /** Reads (or sets) the marker, then watches it. A Redis away at start is watched from its first answer. */
  async start(): Promise<void> {
    await this.check().catch(() => false);
    this.options.connection.on('ready', this.onReady);
    this.timer = setInterval(() => void this.check(), this.options.checkMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.options.connection.off('ready', this.onReady);
  }

  /** Answers whether Redis lost its data since the last check (and reports it); false while Redis is away. */
  check(): Promise<boolean> {
    this.checking ??= this.read().finally(() => {
      this.checking = undefined;
    });
    return this.checking;
  }

  private async read(): Promise<boolean> {
    const { connection, prefix } = this.options;
    if (connection.status !== 'ready') return false;
    const key = redisMarkerKey(prefix);
    try {
      let epoch = await connection.get(key);
      if (epoch === null) {
        await connection.set(key, `${new Date().toISOString()} ${randomUUID()}`, 'NX');
        epoch = await connection.get(key);
      }
      if (epoch === null || epoch === this.seen) return false;
      const first = this.seen === undefined;
      this.seen = epoch;
      if (first) return false;
      this.options.log?.warn({ marker: key }, 'Redis lost its data (marker key gone): rebuilding what lived only there');
      this.options.onLoss();
      return true;
    } catch {
      return false; // Redis went away meanwhile: the next check or reconnect looks again
    }
  }
}
