import type { DataSource, DataSourceOptions } from 'typeorm';
import type { Config } from '@kz/config';
import { createServiceDataSource, openServiceDatabase } from '@kz/db';
import { ordersEntities, ordersMigrations } from '@kz/orders-subgraph';
import { orgEntities, orgMigrations } from '@kz/org-subgraph';
import { pointsEntities, pointsMigrations } from '@kz/points-subgraph';
import { volunteersEntities, volunteersMigrations } from '@kz/volunteers-subgraph';

/** Opens a service's database the way the service does (created if missing, migrated). */
function openDatabase(
  config: Config,
  database: string,
  entities: NonNullable<DataSourceOptions['entities']>,
  migrations: NonNullable<DataSourceOptions['migrations']>,
): Promise<DataSource> {
  return openServiceDatabase(createServiceDataSource({ config, database, entities, migrations }), config);
}

export function openOrgDatabase(config: Config): Promise<DataSource> {
  return openDatabase(config, config.ORG_DATABASE, orgEntities, orgMigrations);
}

export function openVolunteersDatabase(config: Config): Promise<DataSource> {
  return openDatabase(config, config.VOLUNTEERS_DATABASE, volunteersEntities, volunteersMigrations);
}

export function openPointsDatabase(config: Config): Promise<DataSource> {
  return openDatabase(config, config.POINTS_DATABASE, pointsEntities, pointsMigrations);
}

export function openOrdersDatabase(config: Config): Promise<DataSource> {
  return openDatabase(config, config.ORDERS_DATABASE, ordersEntities, ordersMigrations);
}
