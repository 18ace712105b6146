import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import type { DataSource } from 'typeorm';
import type { EventEnvelope, EventHandler, EventPayload } from '@kz/events';
import type { RunningSubgraph } from '@kz/subgraph';
import { startSubgraphAlone, SubgraphAlone } from '@kz/testing';
import { startVolunteersSubgraph } from '../app';
import { ORDER_CATEGORIES } from '../orders/order-category';
import { upsertUnitRefs } from '../units/unit-ref';
import { orderMinutesHandlers, recordOrderMinutes, StationNotReplicated } from './order-minutes.consumer';

const STATION = { id: '5', code: 'S5', path: '1/2/5', level: 'STATION' as const, name: '迎宾社区新时代文明实践站' };
const OTHER_STATION = { id: '6', code: 'S6', path: '1/2/6', level: 'STATION' as const, name: '永先社区新时代文明实践站' };
const STATION_ADMIN = '900';

let alone: SubgraphAlone<RunningSubgraph>;
let db: DataSource;
let volunteers: string[];
let serial = 0;

beforeAll(async () => {
  alone = await startSubgraphAlone('VOLUNTEERS_DATABASE', (config) => startVolunteersSubgraph(config, { port: 0 }));
  db = alone.running.dataSource;
  await db.transaction((manager) => upsertUnitRefs(manager, [STATION, OTHER_STATION], new Date(0).toISOString()));
  const people: { id: string }[] = await db.query(
    `INSERT INTO person (real_name, mobile) SELECT '志愿者' || n, '1380000' || lpad(n::text, 4, '0') FROM generate_series(1, 3) AS n RETURNING id::text`,
  );
  // Two of 迎宾社区 and one of 永先社区.
  volunteers = (
    await db.query(
      `INSERT INTO volunteer (person_id, status, home_station_id, home_station_path)
       SELECT p.id, 'ACTIVE', p.station_id, p.station_path FROM unnest($1::bigint[], $2::bigint[], $3::text[]) AS p(id, station_id, station_path)
        ORDER BY p.id RETURNING id::text`,
      [people.map((person) => person.id), ['5', '5', '6'], ['1/2/5', '1/2/5', '1/2/6']],
    )
  ).map((row: { id: string }) => row.id);
});

afterAll(() => alone?.stop());

/** A fresh order id, so every test has its own records. */
function anOrderId(): string {
  serial += 1;
  return `order-${serial}-${randomUUID().slice(0, 8)}`;
}

function delivered(payload: EventPayload<'order.delivered'>, overrides: Partial<EventEnvelope<'order.delivered'>> = {}): EventEnvelope<'order.delivered'> {
  return {
    id: randomUUID(),
    type: 'order.delivered',
    version: 1,
    occurredAt: '2026-11-28T12:00:00.000+08:00',
    actor: { personId: STATION_ADMIN, roles: ['STATION_ADMIN'] },
    unitPath: STATION.path,
    payload,
    ...overrides,
  };
}

const handle = (event: EventEnvelope<'order.delivered'>) =>
  (orderMinutesHandlers(db)['order.delivered'] as EventHandler<'order.delivered'>)(event, {} as never);

async function recordsOf(orderId: string) {
  return db.query(
    `SELECT r.id::text, r.volunteer_id::text, r.order_id, r.order_round, r.activity_id, r.unit_id::text, r.unit_path, r.category, r.title, r.started_at,
            r.place, r.content, r.minutes, r.status, r.source, r.created_by,
            (SELECT json_agg(json_build_object('action', c.action, 'newMinutes', c.new_minutes, 'changedBy', c.changed_by))
               FROM service_record_change c WHERE c.record_id = r.id) AS history
       FROM service_record r WHERE r.order_id = $1 ORDER BY r.volunteer_id, r.order_round`,
    [orderId],
  );
}

describe('the minutes of a delivered order', () => {
  it('become one PENDING ORDER record per volunteer with minutes, booked to the station, with a CREATED line', async () => {
    const orderId = anOrderId();
    await handle(
      delivered({
        orderId,
        outcome: 'FULL',
        minutesByVolunteer: { [volunteers[0]!]: 90, [volunteers[1]!]: 45, [volunteers[2]!]: 0 },
        stationId: STATION.id,
        category: 'SAFETY_FACILITIES',
        title: '腾龙广场健身器材维修',
        startedAt: '2026-11-28T09:00:00.000+08:00',
        deliveredAt: '2026-11-28T11:00:00.000+08:00',
      }),
    );
    const records = await recordsOf(orderId);
    expect(records).toEqual([
      expect.objectContaining({ volunteer_id: volunteers[0], minutes: 90 }),
      expect.objectContaining({ volunteer_id: volunteers[1], minutes: 45 }),
    ]);
    for (const record of records) {
      expect(record).toMatchObject({
        order_id: orderId,
        activity_id: null,
        unit_id: STATION.id,
        unit_path: STATION.path,
        category: 'SAFETY',
        title: '腾龙广场健身器材维修',
        place: null,
        content: '腾龙广场健身器材维修',
        status: 'PENDING',
        source: 'ORDER',
        created_by: STATION_ADMIN,
        history: [{ action: 'CREATED', newMinutes: record.minutes, changedBy: STATION_ADMIN }],
      });
      expect(record.started_at).toEqual(new Date('2026-11-28T01:00:00.000Z'));
    }
  });

  it("take the event's place and content (办法 Art. 7) when it carries them; an older event's keep the title and no place", async () => {
    const withThem = anOrderId();
    await handle(
      delivered({
        orderId: withThem,
        minutesByVolunteer: { [volunteers[0]!]: 40 },
        stationId: STATION.id,
        category: 'SAFETY_FACILITIES',
        title: '腾龙广场健身器材维修',
        place: '迎宾社区服务站（腾龙小区）',
        content: '安全隐患与设施：腾龙广场健身器材维修',
      }),
    );
    expect(await recordsOf(withThem)).toEqual([
      expect.objectContaining({
        volunteer_id: volunteers[0],
        title: '腾龙广场健身器材维修',
        place: '迎宾社区服务站（腾龙小区）',
        content: '安全隐患与设施：腾龙广场健身器材维修',
      }),
    ]);
    const without = anOrderId();
    await handle(delivered({ orderId: without, minutesByVolunteer: { [volunteers[0]!]: 40 }, stationId: STATION.id, category: 'HEALTH', title: '陪同就医' }));
    expect(await recordsOf(without)).toEqual([expect.objectContaining({ volunteer_id: volunteers[0], title: '陪同就医', place: null, content: '陪同就医' })]);
  });

  it('are recorded once when the same event is handled twice, and twice at the same moment', async () => {
    const orderId = anOrderId();
    const event = delivered({ orderId, minutesByVolunteer: { [volunteers[0]!]: 60, [volunteers[1]!]: 30 }, stationId: STATION.id, category: 'HEALTH' });
    const outcomes = await Promise.all([recordOrderMinutes(db, event), recordOrderMinutes(db, event), recordOrderMinutes(db, event)]);
    await handle(event);
    expect(outcomes.filter((outcome) => outcome.applied)).toHaveLength(1);
    expect((await recordsOf(orderId)).map((record: { volunteer_id: string; minutes: number }) => [record.volunteer_id, record.minutes])).toEqual([
      [volunteers[0], 60],
      [volunteers[1], 30],
    ]);
  });

  it('are recorded once per volunteer and order (in one round) even from different events, concurrent or later', async () => {
    const orderId = anOrderId();
    const payload = { orderId, minutesByVolunteer: { [volunteers[0]!]: 60, [volunteers[1]!]: 30 }, stationId: STATION.id, category: 'LEGAL' };
    const events = Array.from({ length: 6 }, () => delivered(payload));
    await Promise.all(events.map(handle));
    const later = await recordOrderMinutes(db, delivered({ ...payload, minutesByVolunteer: { [volunteers[0]!]: 120 } }));
    expect(later).toEqual({ applied: true, created: [], skipped: [] });
    const records = await recordsOf(orderId);
    expect(records.map((record: { volunteer_id: string; minutes: number }) => [record.volunteer_id, record.minutes])).toEqual([
      [volunteers[0], 60],
      [volunteers[1], 30],
    ]);
    expect(records.every((record: { history: unknown[] }) => record.history.length === 1)).toBe(true);
  });

  it('of each delivery round become records of their own: a redelivery after a reopening adds its minutes beside the first', async () => {
    const orderId = anOrderId();
    const payload = { orderId, stationId: STATION.id, category: 'SAFETY_FACILITIES', title: '腾龙广场健身器材维修' };
    const first = delivered({ ...payload, round: 1, outcome: 'PARTIAL', minutesByVolunteer: { [volunteers[0]!]: 30, [volunteers[1]!]: 20 } });
    const second = delivered({ ...payload, round: 2, outcome: 'FULL', minutesByVolunteer: { [volunteers[0]!]: 45 } });
    await handle(first);
    const outcome = await recordOrderMinutes(db, second);
    expect(outcome).toEqual({ applied: true, created: [expect.any(String)], skipped: [] });
    const records = await recordsOf(orderId);
    expect(records.map((record: { volunteer_id: string; order_round: number; minutes: number }) => [record.volunteer_id, record.order_round, record.minutes])).toEqual([
      [volunteers[0], 1, 30],
      [volunteers[0], 2, 45],
      [volunteers[1], 1, 20],
    ]);
    for (const record of records) {
      expect(record).toMatchObject({ status: 'PENDING', source: 'ORDER', history: [{ action: 'CREATED', newMinutes: record.minutes, changedBy: STATION_ADMIN }] });
    }
    // The order's minutes per volunteer (30 + 45, and 20) are what the records add up to.
    const total = (volunteerId: string) =>
      records.filter((record: { volunteer_id: string }) => record.volunteer_id === volunteerId).reduce((sum: number, record: { minutes: number }) => sum + record.minutes, 0);
    expect([total(volunteers[0]!), total(volunteers[1]!)]).toEqual([75, 20]);
  });

  it('are recorded once per volunteer, order and round, whatever the events, redelivered or concurrent', async () => {
    const orderId = anOrderId();
    const payload = { orderId, stationId: STATION.id, category: 'HEALTH' };
    const rounds = [
      delivered({ ...payload, round: 1, minutesByVolunteer: { [volunteers[0]!]: 30 } }),
      delivered({ ...payload, round: 2, minutesByVolunteer: { [volunteers[0]!]: 45 } }),
      delivered({ ...payload, round: 3, minutesByVolunteer: { [volunteers[0]!]: 15 } }),
    ];
    // Each round's event three times (the same job again), and each round also under another event id, all at once.
    const copies = rounds.flatMap((event) => [event, event, event, { ...event, id: randomUUID() }]);
    const outcomes = await Promise.all(copies.map((event) => recordOrderMinutes(db, event)));
    expect(outcomes.flatMap((outcome) => outcome.created)).toHaveLength(3);
    // Redelivered later: nothing more.
    for (const event of rounds) await handle(event);
    const records = await recordsOf(orderId);
    expect(records.map((record: { order_round: number; minutes: number }) => [record.order_round, record.minutes])).toEqual([
      [1, 30],
      [2, 45],
      [3, 15],
    ]);
    expect(records.every((record: { history: unknown[] }) => record.history.length === 1)).toBe(true);
  });

  it('of an event written before rounds (without one) are round 1, so the same delivery named round 1 adds nothing', async () => {
    const orderId = anOrderId();
    const payload = { orderId, stationId: STATION.id, category: 'LEGAL', minutesByVolunteer: { [volunteers[1]!]: 60 } };
    await handle(delivered(payload));
    expect(await recordOrderMinutes(db, delivered({ ...payload, round: 1 }))).toEqual({ applied: true, created: [], skipped: [] });
    await handle(delivered({ ...payload, round: 2, minutesByVolunteer: { [volunteers[1]!]: 40 } }));
    expect((await recordsOf(orderId)).map((record: { order_round: number; minutes: number }) => [record.order_round, record.minutes])).toEqual([
      [1, 60],
      [2, 40],
    ]);
  });

  it('of a volunteer this subgraph does not know are skipped, and the others are recorded', async () => {
    const orderId = anOrderId();
    const outcome = await recordOrderMinutes(
      db,
      delivered({ orderId, minutesByVolunteer: { '987654321': 30, 'not-an-id': 20, [volunteers[1]!]: 40 }, stationId: STATION.id, category: 'ENVIRONMENT' }),
    );
    expect(outcome.applied).toBe(true);
    expect(outcome.skipped.sort()).toEqual(['987654321', 'not-an-id']);
    expect(outcome.created).toHaveLength(1);
    expect((await recordsOf(orderId)).map((record: { volunteer_id: string }) => record.volunteer_id)).toEqual([volunteers[1]]);
  });

  it.each(ORDER_CATEGORIES.map((category) => [category]))('of a %s order are recorded under the matching activity category', async (category) => {
    const expected: Record<string, string> = {
      SAFETY_FACILITIES: 'SAFETY',
      ELDERLY_CARE: 'ELDERLY_CARE',
      CHILD_CARE: 'CHILD_CARE',
      HEALTH: 'HEALTH',
      LEGAL: 'LEGAL',
      ENVIRONMENT: 'ENVIRONMENT',
      CULTURE_EDUCATION: 'CULTURE',
      OTHER: 'OTHER',
    };
    const orderId = anOrderId();
    await handle(delivered({ orderId, minutesByVolunteer: { [volunteers[0]!]: 30 }, stationId: STATION.id, category }));
    const [record] = await recordsOf(orderId);
    expect(record.category).toBe(expected[category]);
    const [known] = await db.query('SELECT code FROM activity_category WHERE code = $1', [record.category]);
    expect(known).toBeDefined();
  });

  it('fall back on sensible values when the event says little: OTHER, a title naming the order, the delivery time', async () => {
    const orderId = anOrderId();
    await handle(
      delivered(
        { orderId, minutesByVolunteer: { [volunteers[0]!]: 30 }, stationId: STATION.id, category: 'SOMETHING_NEW', deliveredAt: '2026-11-28T15:00:00.000+08:00' },
        { actor: { system: 'orders-subgraph' } },
      ),
    );
    const [record] = await recordsOf(orderId);
    expect(record).toMatchObject({ category: 'OTHER', title: `服务订单 ${orderId}`, created_by: 'system:orders-subgraph' });
    expect(record.started_at).toEqual(new Date('2026-11-28T07:00:00.000Z'));
  });

  it("without a station are booked to each volunteer's home station", async () => {
    const orderId = anOrderId();
    await handle(delivered({ orderId, minutesByVolunteer: { [volunteers[0]!]: 30, [volunteers[2]!]: 50 }, category: 'ELDERLY_CARE' }));
    expect((await recordsOf(orderId)).map((record: { unit_id: string; unit_path: string }) => [record.unit_id, record.unit_path])).toEqual([
      [STATION.id, STATION.path],
      [OTHER_STATION.id, OTHER_STATION.path],
    ]);
  });

  it('wait for a station the unit replica does not hold yet: the job fails for a retry and nothing is kept', async () => {
    const orderId = anOrderId();
    const event = delivered({ orderId, minutesByVolunteer: { [volunteers[0]!]: 30 }, stationId: '424242' });
    await expect(handle(event)).rejects.toBeInstanceOf(StationNotReplicated);
    expect(await recordsOf(orderId)).toEqual([]);
    await db.transaction((manager) => upsertUnitRefs(manager, [{ id: '424242', code: 'S424242', path: '1/2/424242', level: 'STATION', name: '新站' }], new Date(0).toISOString()));
    await handle(event);
    expect((await recordsOf(orderId)).map((record: { unit_path: string }) => record.unit_path)).toEqual(['1/2/424242']);
  });

  it('reach the subgraph through its volunteers-inbox queue', async () => {
    const orderId = anOrderId();
    const event = delivered({ orderId, minutesByVolunteer: { [volunteers[1]!]: 75 }, stationId: STATION.id, category: 'CHILD_CARE', title: '留守儿童课业辅导' });
    const redis = new IORedis(alone.config.REDIS_URL, { maxRetriesPerRequest: null });
    const inbox = new Queue('volunteers-inbox', { connection: redis, prefix: alone.config.QUEUE_PREFIX });
    try {
      await inbox.add(event.type, event, { jobId: event.id });
      const deadline = Date.now() + 10_000;
      while ((await recordsOf(orderId)).length === 0) {
        if (Date.now() > deadline) throw new Error('the record was not made in time');
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      expect(await recordsOf(orderId)).toEqual([expect.objectContaining({ volunteer_id: volunteers[1], minutes: 75, category: 'CHILD_CARE', title: '留守儿童课业辅导' })]);
    } finally {
      await inbox.close();
      redis.disconnect();
    }
  });
});
