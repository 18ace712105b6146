import type { DataSource } from 'typeorm';
import { maskIdNumber, withCheckDigit } from '@kz/auth';
import { createServiceDataSource, openServiceDatabase } from '@kz/db';
import { createTestDatabase, testConfig, TestDatabase } from '@kz/testing';
import { volunteersMigrations } from '../app';
import { loadWorkCalendar } from '../records/working-days';
import { RecordContentsAndConsent1767200000000 } from './1767200000000-record-contents-and-consent';

const config = testConfig();
let db: TestDatabase;
let before: DataSource;
let after: DataSource | undefined;

beforeAll(async () => {
  db = await createTestDatabase(config, 'volunteers_contents');
  // The schema as it was before this migration (later ones build on the columns it adds).
  const earlier = volunteersMigrations.slice(0, volunteersMigrations.indexOf(RecordContentsAndConsent1767200000000));
  before = await openServiceDatabase(createServiceDataSource({ config, database: db.name, entities: [], migrations: earlier }), config);
});

afterAll(async () => {
  if (before.isInitialized) await before.destroy();
  if (after?.isInitialized) await after.destroy();
  await db?.drop();
});

describe('the record contents migration (办法 Arts. 5, 7)', () => {
  it('backfills what the database knows: activity place, content and 负责人 for check-outs, titles for the rest, document type and sex', async () => {
    const woman = withCheckDigit('50023419850312462'); // 17th digit 2: female
    const [{ id: staffId }] = await before.query(
      `INSERT INTO person (real_name, mobile, id_number_sealed, id_number_index, id_number_masked) VALUES ('周敏', '13900238888', 'v1.x.y', 'idx', $1)
       RETURNING id::text`,
      [maskIdNumber(woman)],
    );
    const [{ id: personId }] = await before.query(`INSERT INTO person (real_name, mobile) VALUES ('何毅', '13900239999') RETURNING id::text`);
    const [{ id: volunteerId }] = await before.query(
      `INSERT INTO volunteer (person_id, status, home_station_id, home_station_path) VALUES ($1, 'ACTIVE', 5, '1/2/5') RETURNING id::text`,
      [personId],
    );
    const activity = async (description: string | null, createdBy: string) =>
      (
        await before.query(
          `INSERT INTO activity (title, description, category, organizing_unit_id, organizing_unit_path, starts_at, ends_at, place_name, lat, lng,
                                 check_in_radius_m, capacity, status, created_by)
           VALUES ('腾龙广场环境整治', $1, 'ENVIRONMENT', 5, '1/2/5', now() - interval '3 hours', now() - interval '1 hour', '腾龙广场', 31.16, 108.39,
                   200, 20, 'DONE', $2) RETURNING id::text`,
          [description, createdBy],
        )
      )[0].id as string;
    const described = await activity('清理广场垃圾、劝导文明养犬', staffId);
    const bare = await activity(null, 'seed');
    const record = (activityId: string | null, source: string, title = '腾龙广场环境整治') =>
      (after ?? before).query(
        `INSERT INTO service_record (volunteer_id, activity_id, order_id, order_round, unit_id, unit_path, category, title, started_at, minutes, source,
                                     evidence, created_by)
         VALUES ($1, $2, $3, $4, 5, '1/2/5', 'ENVIRONMENT', $5, now(), 30, $6, $7, 'test')`,
        [volunteerId, activityId, source === 'ORDER' ? '42' : null, source === 'ORDER' ? 1 : null, title, source, source === 'OFFLINE' ? '签到表' : null],
      );
    await record(described, 'CHECK_OUT');
    await record(bare, 'CHECK_OUT');
    await record(null, 'OFFLINE', '线下文明劝导');
    await record(null, 'ORDER', '健身器材维修');
    await before.destroy();

    after = await openServiceDatabase(createServiceDataSource({ config, database: db.name, entities: [], migrations: volunteersMigrations }), config);
    expect(await after.query('SELECT id::text, responsible_person_id::text AS responsible, responsible_name FROM activity ORDER BY id')).toEqual([
      { id: described, responsible: staffId, responsible_name: '周敏' },
      { id: bare, responsible: null, responsible_name: null },
    ]);
    expect(await after.query('SELECT source, place, content, responsible_person_id::text AS responsible, responsible_name FROM service_record ORDER BY id')).toEqual([
      { source: 'CHECK_OUT', place: '腾龙广场', content: '清理广场垃圾、劝导文明养犬', responsible: staffId, responsible_name: '周敏' },
      { source: 'CHECK_OUT', place: '腾龙广场', content: '腾龙广场环境整治', responsible: null, responsible_name: null },
      { source: 'OFFLINE', place: null, content: '线下文明劝导', responsible: null, responsible_name: null },
      { source: 'ORDER', place: null, content: '健身器材维修', responsible: null, responsible_name: null },
    ]);
    expect(await after.query('SELECT real_name, document_type, gender, birth_date FROM person ORDER BY id')).toEqual([
      { real_name: '周敏', document_type: 'RESIDENT_ID', gender: 'F', birth_date: null },
      { real_name: '何毅', document_type: null, gender: null, birth_date: null },
    ]);

    // A writer that names no content records its title; a sealed number needs its type.
    await record(null, 'OFFLINE', '旧客户端写入');
    expect((await after.query(`SELECT content FROM service_record WHERE title = '旧客户端写入'`))[0].content).toBe('旧客户端写入');
    await expect(after.query(`INSERT INTO person (real_name, id_number_sealed) VALUES ('无类型', 'v1.a.b')`)).rejects.toThrow(/person_document_typed/);
    // An assisted consent names its paper form.
    await expect(
      after.query(
        `INSERT INTO consent (person_id, purpose, policy_version, method, given_by, given_at, recorded_by) VALUES ($1, 'REGISTRATION', '2026-01', 'ASSISTED', 'SELF', now(), $2)`,
        [personId, staffId],
      ),
    ).rejects.toThrow(/consent_check/);
  });
});

describe('the work calendar migration (办法 Art. 11)', () => {
  it('holds the holidays and make-up working days of the 2025 and 2026 notices, and no year it has no notice for', async () => {
    if (before.isInitialized) await before.destroy();
    after ??= await openServiceDatabase(createServiceDataSource({ config, database: db.name, entities: [], migrations: volunteersMigrations }), config);
    const counts = await after.query(
      `SELECT extract(year FROM day)::int AS year, kind, count(*)::int AS days FROM work_calendar_day GROUP BY 1, 2 ORDER BY 1, 2`,
    );
    expect(counts).toEqual([
      { year: 2025, kind: 'HOLIDAY', days: 28 },
      { year: 2025, kind: 'WORKDAY', days: 5 },
      { year: 2026, kind: 'HOLIDAY', days: 33 },
      { year: 2026, kind: 'WORKDAY', days: 6 },
    ]);
    const calendar = await loadWorkCalendar(after.manager);
    expect([2025, 2026, 2027].map((year) => calendar.covers(year))).toEqual([true, true, false]);
    expect(calendar.isWorkingDay('2025-01-26')).toBe(true); // Sunday worked before the Spring Festival
    expect(calendar.isWorkingDay('2025-02-04')).toBe(false); // 正月初七, a Tuesday off
    expect(calendar.isWorkingDay('2026-02-28')).toBe(true); // Saturday worked after the Spring Festival
    expect(calendar.recordingDueOn('2026-09-30')).toBe('2026-10-20');
  });
});
