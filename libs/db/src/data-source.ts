import 'reflect-metadata';
import { DataSource, DataSourceOptions } from 'typeorm';
import type { Config } from '@kz/config';
import type { Logger } from '@kz/telemetry';
import { ensureDatabase, PgConfig } from './connection';
import { OutboxEvent, ProcessedEvent } from './outbox.entity';
import { CountingLogger } from './statement-counter';

type EntityList = NonNullable<DataSourceOptions['entities']>;
type MigrationList = NonNullable<DataSourceOptions['migrations']>;

export interface ServiceDataSourceOptions {
  config: PgConfig & Pick<Config, 'PG_POOL_MAX'>;
  database: string;
  entities: EntityList;
  migrations: MigrationList;
  log?: Logger;
}

export interface ServiceDataSource {
  dataSource: DataSource;
  /** Statements sent since the data source was created (all requests). */
  statements(): number;
  /** Statements sent while serving requests. */
  requestStatements(): number;
}

/** One TypeORM data source per service, over its own database. Schema changes only through migrations. */
export function createServiceDataSource(options: ServiceDataSourceOptions): ServiceDataSource {
  const logger = new CountingLogger(options.log);
  const { config } = options;
  const dataSource = new DataSource({
    type: 'postgres',
    host: config.PGHOST,
    port: config.PGPORT,
    username: config.PGUSER,
    password: config.PGPASSWORD || undefined,
    database: options.database,
    entities: [OutboxEvent, ProcessedEvent, ...Object.values(options.entities)],
    migrations: options.migrations,
    migrationsTransactionMode: 'each',
    synchronize: false,
    logger,
    maxQueryExecutionTime: 1000,
    extra: { max: config.PG_POOL_MAX, connectionTimeoutMillis: 5000 },
  });
  return { dataSource, statements: () => logger.statements, requestStatements: () => logger.requestStatements };
}

/** Creates the database if missing, connects, and applies pending migrations under an advisory lock. */
export async function openServiceDatabase(source: ServiceDataSource, config: PgConfig): Promise<DataSource> {
  const { dataSource } = source;
  const database = String(dataSource.options.database);
  await ensureDatabase(config, database);
  await dataSource.initialize();
  await migrate(dataSource);
  return dataSource;
}

/** Replicas that boot together must not apply the same migration twice: serialise them on an advisory lock. */
export async function migrate(dataSource: DataSource): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query(`SELECT pg_advisory_lock(hashtext('kz-migrations'))`);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((migration) => migration.name);
  } finally {
    await runner.query(`SELECT pg_advisory_unlock(hashtext('kz-migrations'))`).catch(() => undefined);
    await runner.release();
  }
}
