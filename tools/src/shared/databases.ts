import type { DataSource } from 'typeorm';
import type { Config } from '@kz/config';
import { createServiceDataSource, openServiceDatabase } from '@kz/db';
import { orgEntities, orgMigrations } from '@kz/org-subgraph';
import { volunteersEntities, volunteersMigrations } from '@kz/volunteers-subgraph';

/** Opens the org database the way the org subgraph does (created if missing, migrated). */
export function openOrgDatabase(config: Config): Promise<DataSource> {
  const source = createServiceDataSource({
    config,
    database: config.ORG_DATABASE,
    entities: orgEntities,
    migrations: orgMigrations,
  });
  return openServiceDatabase(source, config);
}

/** Opens the volunteers database the way the volunteers subgraph does. */
export function openVolunteersDatabase(config: Config): Promise<DataSource> {
  const source = createServiceDataSource({
    config,
    database: config.VOLUNTEERS_DATABASE,
    entities: volunteersEntities,
    migrations: volunteersMigrations,
  });
  return openServiceDatabase(source, config);
}
