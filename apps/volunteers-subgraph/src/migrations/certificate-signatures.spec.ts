import type { DataSource } from 'typeorm';
import { createServiceDataSource, openServiceDatabase } from '@kz/db';
import { createTestDatabase, testConfig, TestDatabase } from '@kz/testing';
import { volunteersMigrations } from '../app';
import { CertificateSignatures1768900000000 } from './1768900000000-certificate-signatures';

const config = testConfig();
let db: TestDatabase;
let dataSource: DataSource | undefined;

beforeAll(async () => {
  db = await createTestDatabase(config, 'volunteers_certificate_signatures');
  // The schema before this migration, with a certificate issued then; this migration is applied in the test.
  const before = volunteersMigrations.slice(0, volunteersMigrations.indexOf(CertificateSignatures1768900000000));
  dataSource = await openServiceDatabase(createServiceDataSource({ config, database: db.name, entities: [], migrations: before }), config);
});

afterAll(async () => {
  if (dataSource?.isInitialized) await dataSource.destroy();
  await db?.drop();
});

const columns = async (): Promise<string[]> =>
  (
    await dataSource!.query(
      `SELECT column_name FROM information_schema.columns WHERE table_name = 'service_certificate' AND column_name LIKE 'signature%' ORDER BY 1`,
    )
  ).map((row: { column_name: string }) => row.column_name);

describe('the certificate signatures migration', () => {
  it('leaves earlier certificates unsigned (null), takes a signature only whole, and undoes cleanly', async () => {
    const [{ id: personId }] = await dataSource!.query(`INSERT INTO person (real_name, mobile) VALUES ('何毅', '13900239997') RETURNING id::text`);
    const [{ id: volunteerId }] = await dataSource!.query(
      `INSERT INTO volunteer (person_id, status, home_station_id, home_station_path) VALUES ($1, 'ACTIVE', 5, '1/2/5') RETURNING id::text`,
      [personId],
    );
    const insert = (number: string, extra = '', values = '') =>
      dataSource!.query(
        `INSERT INTO service_certificate (number, volunteer_id, unit_id, unit_path, contents, total_hours, period_from, period_to, issued_by${extra})
         VALUES ($1, $2, 5, '1/2/5', '{}', 1, current_date, current_date, 'test'${values})`,
        [number, volunteerId],
      );
    await insert('ZYFW-BEFORE');
    expect(await columns()).toEqual([]);

    const runner = dataSource!.createQueryRunner();
    try {
      await new CertificateSignatures1768900000000().up(runner);
    } finally {
      await runner.release();
    }
    expect(await columns()).toEqual(['signature', 'signature_digest', 'signature_key_id']);
    const [before] = await dataSource!.query(`SELECT signature, signature_key_id, signature_digest FROM service_certificate WHERE number = 'ZYFW-BEFORE'`);
    expect(before).toEqual({ signature: null, signature_key_id: null, signature_digest: null });
    // A signature without its key id (or digest) is refused: it could not be checked.
    await expect(insert('ZYFW-PART', ', signature', ", 'c2ln'")).rejects.toThrow(/check constraint/);
    await insert('ZYFW-WHOLE', ', signature, signature_key_id, signature_digest', ", 'c2ln', 'kz-cert-0123456789abcdef', 'ab'");

    const undo = dataSource!.createQueryRunner();
    try {
      await new CertificateSignatures1768900000000().down(undo);
    } finally {
      await undo.release();
    }
    expect(await columns()).toEqual([]);
  });
});
