import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { MigrationInterface, QueryRunner } from 'typeorm';
import { loadConfig } from '@kz/config';
import { runInRequestScope, currentRequestScope } from '@kz/telemetry';
import {
  createPlatformTables,
  createServiceDataSource,
  dropDatabase,
  dropPlatformTables,
  ensureDatabase,
  openServiceDatabase,
  pgClientConfig,
} from './index';

class PlatformTables1700000000000 implements MigrationInterface {
  name = 'PlatformTables1700000000000';
  up = (runner: QueryRunner) => createPlatformTables(runner);
  down = (runner: QueryRunner) => dropPlatformTables(runner);
}

const config = loadConfig({ ...process.env, NODE_ENV: 'test' });
const database = `t_db_${process.pid}_${randomBytes(3).toString('hex')}`;

afterAll(() => dropDatabase(config, database));

describe('service databases', () => {
  it('creates a missing database once, even when several callers race', async () => {
    const created = await Promise.all([1, 2, 3, 4].map(() => ensureDatabase(config, database)));
    expect(created.filter(Boolean).length).toBeLessThanOrEqual(1);
    const client = new Client(pgClientConfig(config, database));
    await client.connect();
    await client.end();
  });

  it('applies migrations once when replicas boot together, and never synchronizes', async () => {
    const replicas = [1, 2, 3].map(() =>
      createServiceDataSource({ config, database, entities: [], migrations: [PlatformTables1700000000000] }),
    );
    await Promise.all(replicas.map((replica) => openServiceDatabase(replica, config)));
    const [first] = replicas;
    const rows = await first!.dataSource.query('SELECT name FROM migrations');
    expect(rows).toEqual([{ name: 'PlatformTables1700000000000' }]);
    expect(first!.dataSource.options.synchronize).toBe(false);
    await Promise.all(replicas.map((replica) => replica.dataSource.destroy()));
  });

  it('counts statements per request scope', async () => {
    const source = createServiceDataSource({ config, database, entities: [], migrations: [] });
    await source.dataSource.initialize();
    const counted = await runInRequestScope('req-1', async () => {
      await source.dataSource.query('SELECT 1');
      await source.dataSource.query('SELECT 2');
      return currentRequestScope()!.sqlStatements;
    });
    expect(counted).toBe(2);
    expect(source.statements()).toBeGreaterThanOrEqual(2);
    await source.dataSource.destroy();
  });
});
