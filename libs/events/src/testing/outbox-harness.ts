import type { Redis } from 'ioredis';
import { DataSource, MigrationInterface, QueryRunner } from 'typeorm';
import type { Config } from '@kz/config';
import { createPlatformTables, createServiceDataSource, openServiceDatabase, OutboxPublishedIndex1768000000000, OutboxTraceparent1769500000000 } from '@kz/db';
import { createTestDatabase, deleteKeysWithPrefix, testConfig, TestDatabase, uniqueQueuePrefix } from '@kz/testing';
import { createRedis } from '../redis';
import { Queues } from '../queues';

class Platform1700000000000 implements MigrationInterface {
  name = 'Platform1700000000000';
  up = (runner: QueryRunner) => createPlatformTables(runner);
  down = async () => undefined;
}

/** What the event specs work with: a database of their own with the platform tables, Redis, and queues per test. */
export interface OutboxHarness {
  config: Config;
  dataSource: DataSource;
  redis: Redis;
  /** A key prefix of this test's own, and its queues under it. */
  prefix: string;
  queues: Queues;
}

/**
 * The harness of the specs of `libs/events` (outbox, relay, sweep, tracing): registers the Jest hooks that make a
 * test database (`label`) with the platform tables and their later columns, connect Redis, give each test a unique
 * queue prefix with its queues, and clean up after each test and at the end. Read the fields inside tests and hooks.
 */
export function useOutboxHarness(label: string): OutboxHarness {
  const config = testConfig();
  const harness = { config } as OutboxHarness;
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(config, label);
    const source = createServiceDataSource({
      config,
      database: db.name,
      entities: [],
      migrations: [Platform1700000000000, OutboxPublishedIndex1768000000000, OutboxTraceparent1769500000000],
    });
    harness.dataSource = await openServiceDatabase(source, config);
    harness.redis = createRedis(config.REDIS_URL, 'worker');
  });
  beforeEach(() => {
    harness.prefix = uniqueQueuePrefix();
    harness.queues = new Queues(harness.redis, harness.prefix);
  });
  afterEach(async () => {
    await harness.queues.close();
    await deleteKeysWithPrefix(harness.redis, harness.prefix);
    await harness.dataSource.query('TRUNCATE outbox, processed_event');
  });
  afterAll(async () => {
    harness.redis?.disconnect();
    await harness.dataSource?.destroy();
    await db?.drop();
  });
  return harness;
}
