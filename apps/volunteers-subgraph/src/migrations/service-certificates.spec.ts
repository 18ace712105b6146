import type { DataSource } from 'typeorm';
import { createServiceDataSource, openServiceDatabase } from '@kz/db';
import { createTestDatabase, testConfig, TestDatabase } from '@kz/testing';
import { volunteersMigrations } from '../app';
import { ServiceCertificates1768720000000 } from './1768720000000-service-certificates';

const config = testConfig();
let db: TestDatabase;
let dataSource: DataSource | undefined;

beforeAll(async () => {
  db = await createTestDatabase(config, 'volunteers_certificates');
  // The schema up to this migration (so undoing the last one undoes this one, whatever comes later).
  const upToThis = volunteersMigrations.slice(0, volunteersMigrations.indexOf(ServiceCertificates1768720000000) + 1);
  dataSource = await openServiceDatabase(createServiceDataSource({ config, database: db.name, entities: [], migrations: upToThis }), config);
});

afterAll(async () => {
  if (dataSource?.isInitialized) await dataSource.destroy();
  await db?.drop();
});

const tables = async (): Promise<string[]> =>
  (
    await dataSource!.query(
      `SELECT table_name FROM information_schema.tables WHERE table_name IN ('service_certificate', 'service_certificate_record', 'unit_legal_ref') ORDER BY 1`,
    )
  ).map((row: { table_name: string }) => row.table_name);

describe('the service certificates migration', () => {
  it('a revoked certificate must say when, and the migration undoes cleanly', async () => {
    expect(await tables()).toEqual(['service_certificate', 'service_certificate_record', 'unit_legal_ref']);
    const [{ id: personId }] = await dataSource!.query(`INSERT INTO person (real_name, mobile) VALUES ('何毅', '13900239998') RETURNING id::text`);
    const [{ id: volunteerId }] = await dataSource!.query(
      `INSERT INTO volunteer (person_id, status, home_station_id, home_station_path) VALUES ($1, 'ACTIVE', 5, '1/2/5') RETURNING id::text`,
      [personId],
    );
    await expect(
      dataSource!.query(
        `INSERT INTO service_certificate (number, volunteer_id, unit_id, unit_path, status, contents, total_hours, period_from, period_to, issued_by)
         VALUES ('ZYFW-X', $1, 5, '1/2/5', 'REVOKED', '{}', 1, current_date, current_date, 'test')`,
        [volunteerId],
      ),
    ).rejects.toThrow(/check constraint/);
    await dataSource!.undoLastMigration();
    expect(await tables()).toEqual([]);
  });
});
