import type { DataSource } from 'typeorm';
import { createServiceDataSource, openServiceDatabase } from '@kz/db';
import { createTestDatabase, testConfig, TestDatabase } from '@kz/testing';
import { volunteersMigrations } from '../app';
import { OrderRounds1765170000000 } from './1765170000000-order-rounds';

const config = testConfig();
let db: TestDatabase;
let before: DataSource;
let after: DataSource | undefined;

beforeAll(async () => {
  db = await createTestDatabase(config, 'volunteers_rounds');
  // The schema as it was before this migration (later ones may build on what it adds).
  const earlier = volunteersMigrations.slice(0, volunteersMigrations.indexOf(OrderRounds1765170000000));
  before = await openServiceDatabase(createServiceDataSource({ config, database: db.name, entities: [], migrations: earlier }), config);
});

afterAll(async () => {
  if (before.isInitialized) await before.destroy();
  if (after?.isInitialized) await after.destroy();
  await db?.drop();
});

describe('the order rounds migration', () => {
  it('makes the order records made so far round 1, and then keys order records by volunteer, order and round', async () => {
    const [{ id: personId }] = await before.query(`INSERT INTO person (real_name, mobile) VALUES ('何毅', '13900239999') RETURNING id::text`);
    const [{ id: volunteerId }] = await before.query(
      `INSERT INTO volunteer (person_id, status, home_station_id, home_station_path) VALUES ($1, 'ACTIVE', 5, '1/2/5') RETURNING id::text`,
      [personId],
    );
    const record = (orderId: string | null, source: string, evidence: string | null = null) =>
      before.query(
        `INSERT INTO service_record (volunteer_id, order_id, unit_id, unit_path, category, title, started_at, minutes, source, evidence, created_by)
         VALUES ($1, $2, 5, '1/2/5', 'SAFETY', '健身器材维修', now(), 30, $3, $4, 'test')`,
        [volunteerId, orderId, source, evidence],
      );
    await record('42', 'ORDER');
    await record(null, 'OFFLINE', '签到表');
    await before.destroy();

    after = await openServiceDatabase(createServiceDataSource({ config, database: db.name, entities: [], migrations: volunteersMigrations }), config);
    expect(await after.query('SELECT order_id, order_round, source FROM service_record ORDER BY id')).toEqual([
      { order_id: '42', order_round: 1, source: 'ORDER' },
      { order_id: null, order_round: null, source: 'OFFLINE' },
    ]);
    const insert = (round: number) =>
      after!.query(
        `INSERT INTO service_record (volunteer_id, order_id, order_round, unit_id, unit_path, category, title, started_at, minutes, source, created_by)
         VALUES ($1, '42', $2, 5, '1/2/5', 'SAFETY', '健身器材维修', now(), 45, 'ORDER', 'test')`,
        [volunteerId, round],
      );
    await insert(2);
    await expect(insert(2)).rejects.toThrow(/service_record_order_key/);
    await expect(insert(1)).rejects.toThrow(/service_record_order_key/);
    // An order record names its round; a record without an order has none.
    await expect(
      after.query(
        `INSERT INTO service_record (volunteer_id, order_id, unit_id, unit_path, category, title, started_at, minutes, source, created_by)
         VALUES ($1, '43', 5, '1/2/5', 'SAFETY', '健身器材维修', now(), 45, 'ORDER', 'test')`,
        [volunteerId],
      ),
    ).rejects.toThrow(/service_record_order_round/);
  });
});
