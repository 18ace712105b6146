import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { Claims } from '@kz/auth';
import type { EventEnvelope, EventPayload } from '@kz/events';
import type { RunningSubgraph } from '@kz/subgraph';
import { startSubgraphAlone, SubgraphAlone } from '@kz/testing';
import { startVolunteersSubgraph } from '../app';
import { upsertUnitRefs } from '../units/unit-ref';
import { recordOrderMinutes } from './order-minutes.consumer';
import { recordCheckOut } from './record-writer';

const at = (time: string) => new Date(`2026-11-28T${time}:00.000+08:00`);
const STATION = { id: '5', code: 'S5', path: '1/2/5', level: 'STATION' as const, name: '迎宾社区新时代文明实践站' };
const OTHER_STATION = { id: '6', code: 'S6', path: '1/2/6', level: 'STATION' as const, name: '永先社区新时代文明实践站' };

const VERIFY = `mutation ($id: ID!) { verifyServiceRecord(input: { recordId: $id }) { id status heldReason } }`;
const REJECT = `mutation ($id: ID!) { rejectServiceRecord(input: { recordId: $id, reason: "不属于志愿服务" }) { id status } }`;
const CORRECT = `mutation ($id: ID!) { correctServiceMinutes(input: { recordId: $id, minutes: 120, reason: "补录" }) { id minutes } }`;
const VERIFY_ACTIVITY = `mutation ($id: ID!) { verifyActivityRecords(input: { activityId: $id }) { id } }`;
const RECORD = `query ($id: ID!) { serviceRecord(id: $id) { id status heldReason } }`;

let alone: SubgraphAlone<RunningSubgraph>;
let db: DataSource;
/** 何 is the admin of station 5 and a volunteer; 李 admins station 5 too; 王 is a plain volunteer; 赵 admins institute 2. */
const people: Record<'he' | 'li' | 'wang' | 'zhao', string> = { he: '', li: '', wang: '', zhao: '' };
const volunteerOf: Record<'he' | 'wang', string> = { he: '', wang: '' };
let claimsOf: Record<'he' | 'li' | 'zhao', Claims>;

async function anActivity(unit: { id: string; path: string }): Promise<{ id: string; title: string }> {
  const [activity] = await db.query(
    `INSERT INTO activity (title, category, organizing_unit_id, organizing_unit_path, starts_at, ends_at, place_name, lat, lng,
                           check_in_radius_m, capacity, status, created_by)
     VALUES ('腾龙广场环境整治', 'ENVIRONMENT', $1, $2, $3, $4, '腾龙广场', 31.16, 108.39, 200, 20, 'PUBLISHED', 'seed') RETURNING id::text, title`,
    [unit.id, unit.path, at('09:00'), at('11:00')],
  );
  return activity;
}

function checkOut(volunteerId: string, activity: { id: string; title: string }, unit: { id: string; path: string }): Promise<string> {
  return db.transaction((manager) =>
    recordCheckOut(manager, {
      volunteerId,
      activity: {
        id: activity.id,
        title: activity.title,
        category: 'ENVIRONMENT',
        organizingUnitId: unit.id,
        organizingUnitPath: unit.path,
        startsAt: at('09:00'),
        endsAt: at('11:00'),
        placeName: '腾龙广场',
        description: null,
        responsiblePersonId: null,
        responsibleName: null,
      },
      checkedInAt: at('09:00'),
      checkedOutAt: at('10:30'),
      by: volunteerId,
    }),
  );
}

async function stored(id: string): Promise<{ status: string; held_reason: string | null; held_staff_path: string | null }> {
  const [row] = await db.query('SELECT status, held_reason, held_staff_path FROM service_record WHERE id = $1', [id]);
  return row;
}

function delivered(payload: EventPayload<'order.delivered'>): EventEnvelope<'order.delivered'> {
  return {
    id: randomUUID(),
    type: 'order.delivered',
    version: 1,
    occurredAt: '2026-11-28T12:00:00.000+08:00',
    actor: { personId: people.li, roles: ['STATION_ADMIN'] },
    unitPath: STATION.path,
    payload,
  };
}

beforeAll(async () => {
  alone = await startSubgraphAlone('VOLUNTEERS_DATABASE', (config) => startVolunteersSubgraph(config, { port: 0 }));
  db = alone.running.dataSource;
  await db.transaction((manager) => upsertUnitRefs(manager, [STATION, OTHER_STATION], new Date(0).toISOString()));
  const rows: { id: string; key: keyof typeof people }[] = await db.query(
    `INSERT INTO person (real_name, mobile, roles, staff_unit_id, staff_unit_path)
     VALUES ('何毅', '13800000001', '{VOLUNTEER,STATION_ADMIN}', 5, '1/2/5'), ('李娜', '13800000002', '{STATION_ADMIN}', 5, '1/2/5'),
            ('王芳', '13800000003', '{VOLUNTEER}', NULL, NULL), ('赵强', '13800000004', '{INSTITUTE_ADMIN}', 2, '1/2')
     RETURNING id::text, CASE real_name WHEN '何毅' THEN 'he' WHEN '李娜' THEN 'li' WHEN '王芳' THEN 'wang' ELSE 'zhao' END AS key`,
  );
  for (const row of rows) people[row.key] = row.id;
  for (const key of ['he', 'wang'] as const) {
    const [volunteer] = await db.query(
      `INSERT INTO volunteer (person_id, status, home_station_id, home_station_path) VALUES ($1, 'ACTIVE', 5, '1/2/5') RETURNING id::text`,
      [people[key]],
    );
    volunteerOf[key] = volunteer.id;
  }
  claimsOf = {
    he: { sub: people.he, roles: ['VOLUNTEER', 'STATION_ADMIN'], unitId: '5', unitPath: '1/2/5' },
    li: { sub: people.li, roles: ['STATION_ADMIN'], unitId: '5', unitPath: '1/2/5' },
    zhao: { sub: people.zhao, roles: ['INSTITUTE_ADMIN'], unitId: '2', unitPath: '1/2' },
  };
});

afterAll(() => alone?.stop());

describe('a person serving their own unit in a staff role (条例 Art. 19)', () => {
  it("is held for review at their own station, and recorded plainly at another station's activity", async () => {
    const own = await checkOut(volunteerOf.he, await anActivity(STATION), STATION);
    const elsewhere = await checkOut(volunteerOf.he, await anActivity(OTHER_STATION), OTHER_STATION);
    const plain = await checkOut(volunteerOf.wang, await anActivity(STATION), STATION);
    expect(await stored(own)).toEqual({ status: 'PENDING', held_reason: 'OWN_UNIT_STAFF', held_staff_path: '1/2/5' });
    expect(await stored(elsewhere)).toEqual({ status: 'PENDING', held_reason: null, held_staff_path: null });
    expect(await stored(plain)).toEqual({ status: 'PENDING', held_reason: null, held_staff_path: null });
  });

  it('cannot be verified, rejected or corrected by the person themself nor by a fellow admin of their unit; the institute above verifies it', async () => {
    const record = await checkOut(volunteerOf.he, await anActivity(STATION), STATION);
    for (const claims of [claimsOf.he, claimsOf.li]) {
      for (const mutation of [VERIFY, REJECT, CORRECT]) {
        const denied = await alone.ask(mutation, { id: record }, claims);
        expect(denied.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', heldReason: 'OWN_UNIT_STAFF' });
      }
    }
    const seen = await alone.ask<{ serviceRecord: unknown }>(RECORD, { id: record }, claimsOf.li);
    expect(seen.data?.serviceRecord).toEqual({ id: record, status: 'PENDING', heldReason: 'OWN_UNIT_STAFF' });

    const verified = await alone.ask<{ verifyServiceRecord: unknown }>(VERIFY, { id: record }, claimsOf.zhao);
    expect(verified.errors).toBeUndefined();
    expect(verified.data?.verifyServiceRecord).toEqual({ id: record, status: 'VERIFIED', heldReason: 'OWN_UNIT_STAFF' });
    const [event] = await db.query(`SELECT count(*)::int AS n FROM outbox WHERE type = 'volunteer.hours.verified' AND payload->>'serviceRecordId' = $1`, [record]);
    expect(event.n).toBe(1);
  });

  it("a fellow admin's bulk verification of the activity leaves the held record pending", async () => {
    const activity = await anActivity(STATION);
    const held = await checkOut(volunteerOf.he, activity, STATION);
    const plain = await checkOut(volunteerOf.wang, activity, STATION);
    const bulk = await alone.ask<{ verifyActivityRecords: { id: string }[] }>(VERIFY_ACTIVITY, { id: activity.id }, claimsOf.li);
    expect(bulk.errors).toBeUndefined();
    expect(bulk.data?.verifyActivityRecords).toEqual([{ id: plain }]);
    expect((await stored(held)).status).toBe('PENDING');
    const byInstitute = await alone.ask<{ verifyActivityRecords: { id: string }[] }>(VERIFY_ACTIVITY, { id: activity.id }, claimsOf.zhao);
    expect(byInstitute.data?.verifyActivityRecords).toEqual([{ id: held }]);
  });

  it('is held when staff record their offline service at their own station', async () => {
    const recorded = await alone.ask<{ recordOfflineService: { id: string; status: string; heldReason: string | null } }>(
      `mutation ($input: RecordOfflineServiceInput!) { recordOfflineService(input: $input) { id status heldReason } }`,
      {
        input: {
          volunteerId: volunteerOf.he,
          unitId: STATION.id,
          category: 'ENVIRONMENT',
          title: '社区环境整治',
          place: '迎宾社区',
          content: '清理楼道杂物',
          startedAt: at('09:00').toISOString(),
          minutes: 60,
          evidence: '签到表',
        },
      },
      claimsOf.zhao,
    );
    expect(recorded.errors).toBeUndefined();
    expect(recorded.data?.recordOfflineService).toMatchObject({ status: 'PENDING', heldReason: 'OWN_UNIT_STAFF' });
  });

  it("is held on an order of their own station's delivery", async () => {
    const outcome = await recordOrderMinutes(
      db,
      delivered({ orderId: `order-${randomUUID()}`, outcome: 'FULL', minutesByVolunteer: { [volunteerOf.he]: 60, [volunteerOf.wang]: 60 }, stationId: '5', round: 1 }),
    );
    const rows: { volunteer_id: string; held_reason: string | null }[] = await db.query(
      'SELECT volunteer_id::text, held_reason FROM service_record WHERE id = ANY($1::bigint[]) ORDER BY volunteer_id',
      [outcome.created],
    );
    expect(new Map(rows.map((row) => [row.volunteer_id, row.held_reason]))).toEqual(
      new Map([
        [volunteerOf.he, 'OWN_UNIT_STAFF'],
        [volunteerOf.wang, null],
      ]),
    );
  });
});

describe('staff duty (条例 Art. 19)', () => {
  it("a delivery round declared staff duty makes no records, and the event is still handled once", async () => {
    const orderId = `order-${randomUUID()}`;
    const outcome = await recordOrderMinutes(
      db,
      delivered({ orderId, outcome: 'FULL', minutesByVolunteer: { [volunteerOf.wang]: 90 }, stationId: '5', round: 1, staffDuty: true }),
    );
    expect(outcome).toEqual({ applied: true, created: [], skipped: [] });
    const [row] = await db.query('SELECT count(*)::int AS n FROM service_record WHERE order_id = $1', [orderId]);
    expect(row.n).toBe(0);
  });
});
