import type { DataSource } from 'typeorm';
import type { Config } from '@kz/config';
import { createServiceDataSource, openServiceDatabase } from '@kz/db';
import { orgEntities, orgMigrations } from '@kz/org-subgraph';

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
