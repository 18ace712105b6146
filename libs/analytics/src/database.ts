import type { DataSource } from 'typeorm';
import type { Config } from '@kz/config';
import { createServiceDataSource, openServiceDatabase } from '@kz/db';
import type { Logger } from '@kz/telemetry';
import { Figures1769100000000 } from './figures/migrations/1769100000000-figures';
import { EventStream1769000000000 } from './stream/migrations/1769000000000-event-stream';
import { UnitRef1769200000000 } from './units/migrations/1769200000000-unit-ref';

/** The analytics database, as its processes (the analytics worker, the analytics subgraph, the tools) open it. */
export const analyticsMigrations = [EventStream1769000000000, Figures1769100000000, UnitRef1769200000000];

/** Opens (creating and migrating) the analytics database: for the worker, the subgraph, `npm run events` and tests. */
export async function openAnalyticsDatabase(config: Config, log?: Logger): Promise<DataSource> {
  const source = createServiceDataSource({ config, database: config.ANALYTICS_DATABASE, entities: [], migrations: analyticsMigrations, log });
  return openServiceDatabase(source, config);
}
