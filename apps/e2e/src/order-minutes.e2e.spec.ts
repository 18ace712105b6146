import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import type { EventEnvelope } from '@kz/events';
import { Platform, startPlatform } from './stack';
import { eventuallyValue as eventually } from '@kz/testing';
import { readSupergraph } from './supergraph-schema';

/**
 * A delivered order's minutes through the platform: the orders subgraph's `order.delivered` (published here by
 * hand, as the relay would, until the orders side lands) reaches the volunteers subgraph on volunteers-inbox, which
 * makes 何毅 a PENDING record; the station admin verifies it through the gateway like any record, and the
 * verification tells the points service, naming the order.
 */
const STATION_ADMIN = '13900230005';
const VOLUNTEER_HE_YI = '13900230007';
const DISPATCHER = '13900230002';
const RESIDENT_ZHOU = '13900230008';

let platform: Platform;
let yingbin: { id: string; path: string };
let stationAdmin: string;
let stationAdminId: string;
let heYi: { volunteerId: string; personId: string };
let redis: IORedis;
let volunteersInbox: Queue;
let pointsCredit: Queue;

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
  pointsCredit = new Queue('points-credit', { connection: redis, prefix: platform.config.QUEUE_PREFIX });
});

afterAll(async () => {
  await Promise.all([volunteersInbox?.close(), pointsCredit?.close()]);
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

/**
 * Rework after a reopening (issue 17, point 1): 周先生's order is delivered in part (何毅, 30 minutes), he says it is
 * not resolved, the station serves it again (45 minutes) and he is satisfied. 何毅 served in both rounds: two
 * records, 75 verified minutes, two credits by the earning rules, and the order's minutes agree with his records.
 * Everything through the gateway and the platform's own events (orders relay → volunteers-inbox → records;
 * verification → points-credit → love bank).
 */
describe('rework after a reopening', () => {
  const MUTATIONS = readSupergraph().mutations;
  const tokens: Record<string, string> = {};

  async function must<T = { id: string; status: string }>(name: string, input: Record<string, unknown>, who: string, fields = 'id status'): Promise<T> {
    const result = await platform.query<Record<string, T>>(
      `mutation($input: ${MUTATIONS.get(name)!.inputType}!) { ${name}(input: $input) { ${fields} } }`,
      { input },
      { token: tokens[who] },
    );
    if (result.errors) throw new Error(`${name} by ${who}: ${JSON.stringify(result.errors)}`);
    return result.data![name]!;
  }

  async function ask<T>(query: string, variables: Record<string, unknown>, who: string): Promise<T> {
    const result = await platform.query<T>(query, variables, { token: tokens[who] });
    if (result.errors) throw new Error(JSON.stringify(result.errors));
    return result.data!;
  }

  /** Waits until the job of an event (job id = event id), or of its copy, has been handled. */
  async function handled(queue: Queue, jobId: string): Promise<void> {
    await eventually(async () => ((await (await queue.getJob(jobId))?.getState()) === 'completed' ? true : undefined));
  }

  async function heYiHours(): Promise<{ verifiedMinutes: number; verifiedHours: number }> {
    return (await ask<{ volunteer: { verifiedMinutes: number; verifiedHours: number } }>(
      `query($id: ID!) { volunteer(id: $id) { verifiedMinutes verifiedHours } }`,
      { id: heYi.volunteerId },
      'stationAdmin',
    )).volunteer;
  }

  async function heYiBalance(): Promise<number> {
    return (await ask<{ myAccount: { balance: number } | null }>(`{ myAccount { balance } }`, {}, 'heYi')).myAccount?.balance ?? 0;
  }

  /** The love bank's credits of a record, as amounts that reached 何毅. */
  async function creditsOf(recordId: string): Promise<number[]> {
    const rows: { amount: number }[] = await platform.points.query(
      `SELECT p.amount::int AS amount FROM ledger_transaction t JOIN posting p ON p.transaction_id = t.id JOIN points_account a ON a.id = p.account_id
        WHERE t.service_record_id = $1 AND t.kind = 'CREDIT' AND a.kind = 'PERSON'`,
      [recordId],
    );
    return rows.map((row) => row.amount);
  }

  beforeAll(async () => {
    tokens.stationAdmin = stationAdmin;
    tokens.dispatcher = await platform.login(DISPATCHER);
    tokens.zhou = await platform.login(RESIDENT_ZHOU);
    tokens.heYi = await platform.login(VOLUNTEER_HE_YI);
  });

  it('gives 何毅 a record per delivery round (30 and 45 minutes), 75 verified minutes and the points of both, each once', async () => {
    const hoursBefore = await heYiHours();
    const balanceBefore = await heYiBalance();

    // 点单, 派单, 接单; 何毅 serves and the station delivers in part.
    const { id: orderId } = await must(
      'placeOrder',
      { title: '腾龙广场小区健身器材松动', category: 'SAFETY_FACILITIES', channel: 'WECHAT', stationHintId: yingbin.id, address: '开州区汉丰街道迎宾大道88号腾龙小区3栋2单元501' },
      'zhou',
    );
    await must('dispatchOrder', { orderId, stationId: yingbin.id }, 'dispatcher');
    await must('acceptOrder', { orderId }, 'stationAdmin');
    await must('assignVolunteers', { orderId, volunteerIds: [heYi.volunteerId] }, 'stationAdmin');
    await must('startService', { orderId }, 'stationAdmin');
    await must('deliverOrder', { orderId, note: '临时加固了松动的器材', outcome: 'PARTIAL', minutes: [{ volunteerId: heYi.volunteerId, minutes: 30 }] }, 'stationAdmin');
    // 评单: not resolved. The order is reopened at the station, and served again in full.
    expect((await must('evaluateOrder', { orderId, rating: 2, resolved: 'NO', comment: '器材还是会晃' }, 'zhou')).status).toBe('ACCEPTED');
    await must('startService', { orderId }, 'stationAdmin');
    await must('deliverOrder', { orderId, note: '更换了松动的器材底座', outcome: 'FULL', minutes: [{ volunteerId: heYi.volunteerId, minutes: 45 }] }, 'stationAdmin');
    expect((await must('evaluateOrder', { orderId, rating: 5, resolved: 'YES' }, 'zhou')).status).toBe('EVALUATED');

    // Both deliveries reached the volunteers subgraph (the orders relay puts order.delivered on volunteers-inbox).
    const deliveries: { id: string; payload: Record<string, unknown> }[] = await platform.orders.query(
      `SELECT id::text, payload FROM outbox WHERE type = 'order.delivered' AND payload->>'orderId' = $1 ORDER BY seq`,
      [orderId],
    );
    expect(deliveries.map((event) => event.payload.minutesByVolunteer)).toEqual([{ [heYi.volunteerId]: 30 }, { [heYi.volunteerId]: 45 }]);
    for (const event of deliveries) await handled(volunteersInbox, event.id);

    // 何毅's service records of the order, as his station admin sees them: one per round.
    const records = (await orderRecords(orderId)).sort((a, b) => a.minutes - b.minutes);
    expect(records.map((record) => [record.status, record.source, record.minutes])).toEqual([
      ['PENDING', 'ORDER', 30],
      ['PENDING', 'ORDER', 45],
    ]);
    // 办法 Art. 7: the place is the station and the 小区 (not the resident's address), the content the category and title.
    const [{ name: stationName }] = await platform.orders.query('SELECT name FROM unit_ref WHERE id = $1', [yingbin.id]);
    const contents = await ask<{ serviceRecords: { edges: { node: { id: string; place: string | null; content: string } }[] } }>(
      `query($filter: ServiceRecordFilter) { serviceRecords(filter: $filter, first: 100) { edges { node { id place content } } } }`,
      { filter: { volunteerId: heYi.volunteerId } },
      'stationAdmin',
    );
    expect(contents.serviceRecords.edges.map((edge) => edge.node).filter((node) => records.some((record) => record.id === node.id))).toEqual([
      expect.objectContaining({ place: `${stationName}（腾龙小区）`, content: '安全隐患与设施：腾龙广场小区健身器材松动' }),
      expect.objectContaining({ place: `${stationName}（腾龙小区）`, content: '安全隐患与设施：腾龙广场小区健身器材松动' }),
    ]);

    // The station admin verifies both; his hours grow by 75 minutes (1.25 h; verifiedHours shows one decimal).
    for (const record of records) {
      const verified = await ask<{ verifyServiceRecord: { status: string; minutes: number } }>(VERIFY, { input: { recordId: record.id } }, 'stationAdmin');
      expect(verified.verifyServiceRecord).toMatchObject({ status: 'VERIFIED', minutes: record.minutes });
    }
    const hoursAfter = await heYiHours();
    expect(hoursAfter.verifiedMinutes - hoursBefore.verifiedMinutes).toBe(75);
    expect(hoursAfter.verifiedHours).toBe(Math.round(hoursAfter.verifiedMinutes / 6) / 10);

    // The order and the records agree: 75 minutes of 何毅, in two rounds.
    const { order } = await ask<{ order: Record<string, unknown> }>(
      `query($id: ID!) { order(id: $id) {
        minutesByVolunteer { volunteer { id } minutes }
        deliveries { round outcome minutesByVolunteer { volunteer { id } minutes } evaluation { rating resolved } }
      } }`,
      { id: orderId },
      'stationAdmin',
    );
    expect(order).toEqual({
      minutesByVolunteer: [{ volunteer: { id: heYi.volunteerId }, minutes: 75 }],
      deliveries: [
        { round: 1, outcome: 'PARTIAL', minutesByVolunteer: [{ volunteer: { id: heYi.volunteerId }, minutes: 30 }], evaluation: { rating: 2, resolved: 'NO' } },
        { round: 2, outcome: 'FULL', minutesByVolunteer: [{ volunteer: { id: heYi.volunteerId }, minutes: 45 }], evaluation: { rating: 5, resolved: 'YES' } },
      ],
    });
    const rounds = await ask<{ serviceRecords: { edges: { node: { id: string; orderRound: number | null; minutes: number } }[] } }>(
      `query($filter: ServiceRecordFilter) { serviceRecords(filter: $filter, first: 100) { edges { node { id orderRound minutes } } } }`,
      { filter: { volunteerId: heYi.volunteerId } },
      'stationAdmin',
    );
    expect(
      rounds.serviceRecords.edges
        .map((edge) => edge.node)
        .filter((node) => records.some((record) => record.id === node.id))
        .map((node) => [node.orderRound, node.minutes])
        .sort(),
    ).toEqual([
      [1, 30],
      [2, 45],
    ]);

    // The love bank credits each record once, by the earning rule of its category (at the default 10 points an
    // hour: 5 for 30 minutes, 7 for 45, each rounded down on its own).
    const { earningRules } = await ask<{ earningRules: { category: string | null; pointsPerHour: number; multiplier: number }[] }>(
      `{ earningRules { category pointsPerHour multiplier } }`,
      {},
      'heYi',
    );
    const rule = earningRules.find((candidate) => candidate.category === 'SAFETY') ?? earningRules.find((candidate) => candidate.category === null)!;
    const expected = records.map((record) => Math.floor((record.minutes * rule.pointsPerHour * rule.multiplier) / 60));
    const credits = await eventually(async () => {
      const amounts = await Promise.all(records.map((record) => creditsOf(record.id)));
      return amounts.every((amount) => amount.length > 0) ? amounts : undefined;
    });
    expect(credits).toEqual(expected.map((points) => [points]));
    const earned = expected.reduce((sum, points) => sum + points, 0);
    expect(await heYiBalance()).toBe(balanceBefore + earned);

    // BullMQ delivers at least once: the second round's order.delivered and both verifications again, as new jobs,
    // make no third record and no second credit.
    const again = await volunteersInbox.add('order.delivered', (await volunteersInbox.getJob(deliveries[1]!.id))!.data, { jobId: `redelivered-${deliveries[1]!.id}` });
    await handled(volunteersInbox, again.id!);
    const verifications: { id: string }[] = await platform.volunteers.query(
      `SELECT id::text FROM outbox WHERE type = 'volunteer.hours.verified' AND payload->>'serviceRecordId' = ANY($1::text[])`,
      [records.map((record) => record.id)],
    );
    expect(verifications).toHaveLength(2);
    for (const verification of verifications) {
      await handled(pointsCredit, verification.id);
      const job = (await pointsCredit.getJob(verification.id))!;
      const copy = await pointsCredit.add(job.name, job.data, { jobId: `redelivered-${verification.id}` });
      await handled(pointsCredit, copy.id!);
    }
    expect((await orderRecords(orderId)).map((record) => record.minutes).sort((a, b) => a - b)).toEqual([30, 45]);
    expect(await Promise.all(records.map((record) => creditsOf(record.id)))).toEqual(expected.map((points) => [points]));
    expect(await heYiBalance()).toBe(balanceBefore + earned);
    expect((await heYiHours()).verifiedMinutes).toBe(hoursAfter.verifiedMinutes);
  });
});
