export { pgClientConfig, ensureDatabase, dropDatabase, assertPostgresReachable } from './connection';
export type { PgConfig } from './connection';
export { createServiceDataSource, openServiceDatabase, migrate } from './data-source';
export type { ServiceDataSource, ServiceDataSourceOptions } from './data-source';
export { OutboxEvent, ProcessedEvent } from './outbox.entity';
export { createPlatformTables, dropPlatformTables } from './platform-tables';
export { CountingLogger } from './statement-counter';
export { hydrate } from './hydrate';
export { isUniqueViolation } from './errors';
