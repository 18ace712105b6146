import type { DataSource } from 'typeorm';
import { createServiceDataSource, openServiceDatabase } from '@kz/db';
import { createLogger } from '@kz/telemetry';
import { createTestDatabase, eventually, testConfig, TestDatabase } from '@kz/testing';
import { volunteersMigrations } from '../app';
import { alertOverdueRecords, startOverdueRecordsCheck } from './overdue-alerts';

/**
 * The daily alert of overdue service records (办法 Art. 11), against the real database. 2026's calendar: a service
 * ending on Wednesday 30 September is due on 20 October (1–7 October are holidays, 10 October is worked).
 */
const config = testConfig();
let db: TestDatabase;
let dataSource: DataSource | undefined;
let volunteerId: string;

/** 10:00 in Beijing on a day of October 2026. */
const beijingMorning = (day: string) => new Date(`2026-10-${day}T02:00:00Z`);

beforeAll(async () => {
  db = await createTestDatabase(config, 'volunteers_overdue_alerts');
  dataSource = await openServiceDatabase(createServiceDataSource({ config, database: db.name, entities: [], migrations: volunteersMigrations }), config);
  const [person] = await dataSource.query(`INSERT INTO person (real_name, mobile) VALUES ('李志愿', '13700320001') RETURNING id::text`);
  const [volunteer] = await dataSource.query(
    `INSERT INTO volunteer (person_id, status, home_station_id, home_station_path) VALUES ($1, 'ACTIVE', 5, '1/2/5') RETURNING id::text`,
    [person.id],
  );
  volunteerId = volunteer.id;
});

afterAll(async () => {
  if (dataSource?.isInitialized) await dataSource.destroy();
  await db?.drop();
});

async function aRecord(unitId: number, unitPath: string, startedAt: string, status: 'PENDING' | 'VERIFIED'): Promise<void> {
  await dataSource!.query(
    `INSERT INTO service_record (volunteer_id, unit_id, unit_path, category, title, started_at, minutes, status, source, evidence, created_by)
     VALUES ($1, $2, $3, 'ENVIRONMENT', '腾龙广场环境整治', $4, 120, $5, 'OFFLINE', '签到表', 'test')`,
    [volunteerId, unitId, unitPath, startedAt, status],
  );
}

type Alert = { unitId: string; unitPath: string; count: number; oldestDueOn: string; asOf: string };
const alerts = async (): Promise<Alert[]> =>
  (
    await dataSource!.query(`SELECT payload, unit_path FROM outbox WHERE type = 'volunteer.records.overdue' ORDER BY occurred_at, id`)
  ).map((row: { payload: Alert }) => row.payload);

describe('the overdue service records alert (办法 Art. 11)', () => {
  beforeAll(async () => {
    // 迎宾 (5): two pending records overdue from 21 October, one pending record not yet due.
    await aRecord(5, '1/2/5', '2026-09-30T01:00:00Z', 'PENDING');
    await aRecord(5, '1/2/5', '2026-10-07T01:00:00Z', 'PENDING');
    await aRecord(5, '1/2/5', '2026-10-12T01:00:00Z', 'PENDING');
    // 永先 (7): its old record is verified, its pending one not yet due.
    await aRecord(7, '1/3/7', '2026-09-30T01:00:00Z', 'VERIFIED');
    await aRecord(7, '1/3/7', '2026-10-12T01:00:00Z', 'PENDING');
  });

  it('tells nobody while no record is past its deadline', async () => {
    expect(await alertOverdueRecords(dataSource!, beijingMorning('20'))).toBe(0);
    expect(await alerts()).toEqual([]);
  });

  it('tells a unit with overdue pending records once a day, however often and however concurrently it runs', async () => {
    const runs = await Promise.all([1, 2, 3].map(() => alertOverdueRecords(dataSource!, beijingMorning('21'))));
    expect(runs.reduce((sum, n) => sum + n, 0)).toBe(1);
    expect(await alertOverdueRecords(dataSource!, new Date('2026-10-21T15:59:00Z'))).toBe(0); // 23:59 in Beijing
    expect(await alerts()).toEqual([{ unitId: '5', unitPath: '1/2/5', count: 2, oldestDueOn: '2026-10-20', asOf: '2026-10-21' }]);
    const [row] = await dataSource!.query(`SELECT unit_path FROM outbox WHERE type = 'volunteer.records.overdue'`);
    expect(row.unit_path).toBe('1/2/5');
  });

  it('tells it again the next day while the records stay pending, and stops once they are recorded', async () => {
    expect(await alertOverdueRecords(dataSource!, beijingMorning('22'))).toBe(1);
    expect((await alerts()).map((alert) => [alert.unitId, alert.asOf, alert.count])).toEqual([
      ['5', '2026-10-21', 2],
      ['5', '2026-10-22', 2],
    ]);
    await dataSource!.query(`UPDATE service_record SET status = 'VERIFIED', verified_by = 'test', verified_at = now() WHERE unit_id = 5 AND status = 'PENDING'`);
    expect(await alertOverdueRecords(dataSource!, beijingMorning('23'))).toBe(0);
    expect(await alerts()).toHaveLength(2);
  });
});

describe('the periodic check', () => {
  it('alerts a unit from its timer, wakes the relay once, and stops', async () => {
    // A practice point of 迎宾 (12): a record that ended sixty days ago is overdue today whatever the calendar.
    await aRecord(12, '1/2/5/12', new Date(Date.now() - 60 * 86_400_000).toISOString(), 'PENDING');
    let wakes = 0;
    const check = startOverdueRecordsCheck(dataSource!, 20, () => (wakes += 1), createLogger('test', 'silent'));
    try {
      await eventually(async () => wakes > 0);
      const [{ runs }] = await dataSource!.query(`SELECT count(*)::int AS runs FROM overdue_record_alert WHERE unit_id = 12`);
      expect(runs).toBe(1);
    } finally {
      await check.stop();
    }
    expect(wakes).toBe(1);
    expect((await alerts()).filter((alert) => alert.unitId === '12')).toHaveLength(1);
  });
});
