import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import type { EventEnvelope } from '@kz/events';
import { Platform, startPlatform } from './stack';
import { eventuallyValue as eventually } from '@kz/testing';

/**
 * A delivered order's minutes through the platform: the orders subgraph's `order.delivered` (published here by
 * hand, as the relay would, until the orders side lands) reaches the volunteers subgraph on volunteers-inbox, which
 * makes 何毅 a PENDING record; the station admin verifies it through the gateway like any record, and the
 * verification tells the points service, naming the order.
 */
const STATION_ADMIN = '13900230005';
const VOLUNTEER_HE_YI = '13900230007';

let platform: Platform;
let yingbin: { id: string; path: string };
let stationAdmin: string;
let stationAdminId: string;
let heYi: { volunteerId: string; personId: string };
let redis: IORedis;
let volunteersInbox: Queue;

beforeAll(async () => {
  platform = await startPlatform({ seed: 'demo' });
  yingbin = await platform.unit('KZ-HANFENG-YINGBIN');
  stationAdmin = await platform.login(STATION_ADMIN);
  [{ id: stationAdminId }] = await platform.volunteers.query('SELECT id::text FROM person WHERE mobile = $1', [STATION_ADMIN]);
  const [row] = await platform.volunteers.query(
    'SELECT v.id::text AS volunteer_id, p.id::text AS person_id FROM volunteer v JOIN person p ON p.id = v.person_id WHERE p.mobile = $1',
    [VOLUNTEER_HE_YI],
  );
  heYi = { volunteerId: row.volunteer_id, personId: row.person_id };
  redis = new IORedis(platform.config.REDIS_URL, { maxRetriesPerRequest: null });
  volunteersInbox = new Queue('volunteers-inbox', { connection: redis, prefix: platform.config.QUEUE_PREFIX });
});

afterAll(async () => {
  await volunteersInbox?.close();
  redis?.disconnect();
  await platform?.stop();
});

const RECORDS = `query($filter: ServiceRecordFilter) {
  serviceRecords(filter: $filter, first: 100) { edges { node { id status source orderId minutes title volunteer { id } } } }
}`;
const VERIFY = `mutation($input: ServiceRecordIdInput!) {
  verifyServiceRecord(input: $input) {
    id status source orderId minutes title startedAt unit { id } category { code name } verifiedBy { id } history { action newMinutes }
  }
}`;

type RecordNode = { id: string; status: string; source: string; orderId: string | null; minutes: number; title: string; volunteer: { id: string } };


/** 何毅's records of an order, as the station admin sees them through the gateway. */
async function orderRecords(orderId: string): Promise<RecordNode[]> {
  const result = await platform.query<{ serviceRecords: { edges: { node: RecordNode }[] } }>(
    RECORDS,
    { filter: { volunteerId: heYi.volunteerId } },
    { token: stationAdmin },
  );
  if (result.errors) throw new Error(JSON.stringify(result.errors));
  return result.data!.serviceRecords.edges.map((edge) => edge.node).filter((node) => node.orderId === orderId);
}

/** What the orders subgraph's relay puts on volunteers-inbox when a station delivers an order. */
function orderDelivered(orderId: string, minutesByVolunteer: Record<string, number>): EventEnvelope<'order.delivered'> {
  return {
    id: randomUUID(),
    type: 'order.delivered',
    version: 1,
    occurredAt: new Date().toISOString(),
    actor: { personId: stationAdminId, roles: ['STATION_ADMIN'] },
    unitPath: yingbin.path,
    payload: {
      orderId,
      outcome: 'FULL',
      minutesByVolunteer,
      stationId: yingbin.id,
      category: 'SAFETY_FACILITIES',
      title: '腾龙广场小区健身器材维修',
      startedAt: new Date(Date.now() - 3 * 3_600_000).toISOString(),
      deliveredAt: new Date(Date.now() - 3_600_000).toISOString(),
      dueAt: new Date(Date.now() + 3 * 86_400_000).toISOString(),
    },
  };
}

describe("a delivered order's minutes", () => {
  it('become a pending record of 何毅 that the station admin verifies, and the points service hears of it with the order', async () => {
    const orderId = String(Date.now());
    const event = orderDelivered(orderId, { [heYi.volunteerId]: 95, '987654321': 30 });
    await volunteersInbox.add(event.type, event, { jobId: event.id });

    const [pending] = await eventually(async () => {
      const records = await orderRecords(orderId);
      return records.length > 0 ? records : undefined;
    });
    expect(pending).toMatchObject({ status: 'PENDING', source: 'ORDER', orderId, minutes: 95, title: '腾龙广场小区健身器材维修', volunteer: { id: heYi.volunteerId } });

    // BullMQ delivers at least once: the same event again, as a new job, makes no second record.
    const again = await volunteersInbox.add(event.type, event, { jobId: `redelivered-${event.id}` });
    await eventually(async () => ((await again.getState()) === 'completed' ? true : undefined));
    expect(await orderRecords(orderId)).toHaveLength(1);

    const verified = await platform.query<{ verifyServiceRecord: Record<string, unknown> }>(VERIFY, { input: { recordId: pending!.id } }, { token: stationAdmin });
    expect(verified.errors).toBeUndefined();
    expect(verified.data!.verifyServiceRecord).toMatchObject({
      id: pending!.id,
      status: 'VERIFIED',
      source: 'ORDER',
      orderId,
      minutes: 95,
      startedAt: event.payload.startedAt,
      unit: { id: yingbin.id },
      category: { code: 'SAFETY', name: '平安巡防' },
      verifiedBy: { id: stationAdminId },
      history: [
        { action: 'CREATED', newMinutes: 95 },
        { action: 'VERIFIED', newMinutes: 95 },
      ],
    });

    const outbox: { payload: Record<string, unknown> }[] = await platform.volunteers.query(
      `SELECT payload FROM outbox WHERE type = 'volunteer.hours.verified' AND payload->>'serviceRecordId' = $1`,
      [pending!.id],
    );
    expect(outbox.map((row) => row.payload)).toEqual([
      expect.objectContaining({ serviceRecordId: pending!.id, volunteerId: heYi.volunteerId, personId: heYi.personId, minutes: 95, category: 'SAFETY', orderId }),
    ]);
    expect(outbox[0]!.payload).not.toHaveProperty('activityId');

    // …and the love bank credits him for it, once.
    const credits = await eventually(async () => {
      const rows: { kind: string }[] = await platform.points.query('SELECT kind FROM ledger_transaction WHERE service_record_id = $1', [pending!.id]);
      return rows.length > 0 ? rows : undefined;
    });
    expect(credits).toEqual([{ kind: 'CREDIT' }]);
  });
});
