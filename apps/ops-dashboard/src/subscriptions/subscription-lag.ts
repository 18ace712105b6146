import { Pool } from 'pg';
import { readSubscriptions, SubscriptionState } from '@kz/analytics';
import type { Config } from '@kz/config';
import { pgClientConfig } from '@kz/db';

/** One subscription of the event stream as an operator watches it: its lag and what it lost or handled so far. */
export type SubscriptionLag = SubscriptionState;

/**
 * Reads the subscriptions of the analytics worker's database (ANALYTICS_DATABASE) with the stream's own query
 * (`readSubscriptions`, @kz/analytics). The dashboard only reads: the worker owns the tables and creates the database
 * on its first start, so until then reading fails and the page says so.
 */
export class SubscriptionLagReader {
  private readonly pool: Pool;

  constructor(config: Config) {
    this.pool = new Pool({ ...pgClientConfig(config, config.ANALYTICS_DATABASE), max: 2, connectionTimeoutMillis: 5000 });
    // An idle client the server dropped must not take the dashboard down; the next read reconnects.
    this.pool.on('error', () => undefined);
  }

  read(): Promise<SubscriptionLag[]> {
    return readSubscriptions(async (sql) => (await this.pool.query(sql)).rows);
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}
