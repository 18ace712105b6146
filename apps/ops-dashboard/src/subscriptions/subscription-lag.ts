import { Pool } from 'pg';
import type { Config } from '@kz/config';
import { pgClientConfig } from '@kz/db';

/** One subscription of the event stream as an operator watches it: its lag and what it lost or handled so far. */
export interface SubscriptionLag {
  name: string;
  types: string[];
  /** Entries not acknowledged yet: the consumer's lag. */
  waiting: number;
  /** How long the oldest waiting entry has waited (0 when none). */
  oldestAgeSeconds: number;
  /** Entries the retention dropped unread, since the subscription was created. */
  dropped: number;
  /** Entries the consumer acknowledged, since the subscription was created. */
  acked: number;
  maxEntries: number;
  maxAgeSeconds: number;
}

/**
 * Reads the subscriptions of the analytics worker's database (ANALYTICS_DATABASE). The dashboard only reads: the
 * worker owns the tables (apps/analytics-worker, its `EventStream.subscriptions()` is the same query) and creates the
 * database on its first start, so until then reading fails and the page says so.
 */
export class SubscriptionLagReader {
  private readonly pool: Pool;

  constructor(config: Config) {
    this.pool = new Pool({ ...pgClientConfig(config, config.ANALYTICS_DATABASE), max: 2, connectionTimeoutMillis: 5000 });
    // An idle client the server dropped must not take the dashboard down; the next read reconnects.
    this.pool.on('error', () => undefined);
  }

  async read(): Promise<SubscriptionLag[]> {
    const { rows } = await this.pool.query<{
      name: string;
      types: string[];
      max_entries: number;
      max_age_seconds: number;
      acked: string;
      dropped: string;
      waiting: number;
      oldest_age_seconds: number;
    }>(`
      SELECT s.name, s.types, s.max_entries, extract(epoch FROM s.max_age)::int AS max_age_seconds, s.acked::text, s.dropped::text,
             count(e.pos)::int AS waiting, coalesce(extract(epoch FROM now() - min(e.entered_at)), 0)::float8 AS oldest_age_seconds
      FROM event_subscription s LEFT JOIN event_stream_entry e ON e.subscription = s.name
      GROUP BY s.name ORDER BY s.name`);
    return rows.map((row) => ({
      name: row.name,
      types: row.types,
      waiting: row.waiting,
      oldestAgeSeconds: row.oldest_age_seconds,
      dropped: Number(row.dropped),
      acked: Number(row.acked),
      maxEntries: row.max_entries,
      maxAgeSeconds: row.max_age_seconds,
    }));
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}
