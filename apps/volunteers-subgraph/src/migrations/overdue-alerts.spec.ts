import type { DataSource } from 'typeorm';
import { createServiceDataSource, openServiceDatabase } from '@kz/db';
import { createTestDatabase, testConfig, TestDatabase } from '@kz/testing';
import { volunteersMigrations } from '../app';
import { OverdueAlerts1768800000000 } from './1768800000000-overdue-alerts';

const config = testConfig();
let db: TestDatabase;
let dataSource: DataSource | undefined;

beforeAll(async () => {
  db = await createTestDatabase(config, 'volunteers_overdue_alerts_migration');
  const upToThis = volunteersMigrations.slice(0, volunteersMigrations.indexOf(OverdueAlerts1768800000000) + 1);
  dataSource = await openServiceDatabase(createServiceDataSource({ config, database: db.name, entities: [], migrations: upToThis }), config);
});

afterAll(async () => {
  if (dataSource?.isInitialized) await dataSource.destroy();
  await db?.drop();
});

const exists = async (): Promise<boolean> =>
  (await dataSource!.query(`SELECT 1 FROM information_schema.tables WHERE table_name = 'overdue_record_alert'`)).length === 1;

describe('the overdue alerts migration', () => {
  it('keys an alert by unit and day, and undoes cleanly', async () => {
    expect(await exists()).toBe(true);
    await dataSource!.query(`INSERT INTO overdue_record_alert (unit_id, day, count) VALUES (5, '2026-10-21', 2)`);
    await expect(dataSource!.query(`INSERT INTO overdue_record_alert (unit_id, day, count) VALUES (5, '2026-10-21', 3)`)).rejects.toThrow(/duplicate key/);
    await dataSource!.undoLastMigration();
    expect(await exists()).toBe(false);
  });
});
