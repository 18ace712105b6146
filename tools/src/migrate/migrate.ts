import type { DataSourceOptions } from 'typeorm';
import type { Config } from '@kz/config';
import { createServiceDataSource, ensureDatabase, migrate } from '@kz/db';
import { migrateQueueDatabase } from '@kz/events';
import { analyticsMigrations } from '@kz/analytics-worker';
import { documentsMigrations, mediaMigrations } from '@kz/gateway';
import { notificationMigrations } from '@kz/notifications';
import { ordersMigrations } from '@kz/orders-subgraph';
import { orgMigrations } from '@kz/org-subgraph';
import { pointsMigrations } from '@kz/points-subgraph';
import { volunteersMigrations } from '@kz/volunteers-subgraph';

/**
 * Creates every database of the platform that is missing (with QUEUE_BACKEND=postgres, the queue database too) and
 * applies its pending migrations, under the same advisory lock the services take when they boot. Returns one line per
 * database saying what it applied.
 */
export async function migrateAll(config: Config): Promise<string[]> {
  const databases: { database: string; migrations: NonNullable<DataSourceOptions['migrations']> }[] = [
    { database: config.ORG_DATABASE, migrations: orgMigrations },
    { database: config.VOLUNTEERS_DATABASE, migrations: volunteersMigrations },
    { database: config.ORDERS_DATABASE, migrations: ordersMigrations },
    { database: config.POINTS_DATABASE, migrations: pointsMigrations },
    { database: config.NOTIFICATIONS_DATABASE, migrations: notificationMigrations },
    { database: config.ANALYTICS_DATABASE, migrations: analyticsMigrations },
    { database: config.GATEWAY_DATABASE, migrations: documentsMigrations },
    { database: config.MEDIA_DATABASE, migrations: mediaMigrations },
  ];
  const lines: string[] = [];
  for (const { database, migrations } of databases) {
    await ensureDatabase(config, database);
    // Two connections: the advisory lock holds one while the migrations run on another.
    const { dataSource } = createServiceDataSource({ config: { ...config, PG_POOL_MAX: 2 }, database, entities: [], migrations });
    await dataSource.initialize();
    try {
      const applied = await migrate(dataSource);
      lines.push(`${database}: ${applied.length === 0 ? 'up to date' : `applied ${applied.join(', ')}`}`);
    } finally {
      await dataSource.destroy();
    }
  }
  if (config.QUEUE_BACKEND === 'postgres') {
    // BullMQ's own schema (its migration ledger says what it applied) and the shared records' tables.
    await migrateQueueDatabase(config);
    lines.push(`${config.QUEUE_DATABASE}: queues (BullMQ schema bullmq) and shared records up to date`);
  }
  return lines;
}
