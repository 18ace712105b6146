import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import type { DataSource } from 'typeorm';
import { startGateway } from '@kz/gateway';
import { startNotificationsSubgraph } from '@kz/notifications-subgraph';
import { startOrdersSubgraph } from '@kz/orders-subgraph';
import { startOrgSubgraph } from '@kz/org-subgraph';
import { startPointsSubgraph } from '@kz/points-subgraph';
import { DEMO_PASSWORD } from '@kz/seed-data';
import { eventually, startStack } from '@kz/testing';
import { startVolunteersSubgraph } from '@kz/volunteers-subgraph';
import { verifyLedgerDatabase } from '../ledger-verify/verify';
import { seed } from './seed';

/**
 * The demo tells the report's story: 何毅's 210 verified hours are points in his love bank account, earned by the
 * earning rules through the same crediting path as live verification, and they buy rice and oil at 迎宾社区.
 * Seeded into fresh databases behind a real gateway; seeding again changes nothing.
 */
// Starting five subgraphs and a gateway and seeding three times takes a while on a busy machine.
jest.setTimeout(180_000);

const HE_YI = '13900230007';
const STATION_ADMIN = '13900230005';

type Stack = Awaited<ReturnType<typeof startDemo>>;
let stack: Stack;
let points: DataSource;
let volunteers: DataSource;

function startDemo() {
  return startStack({
    subgraphs: {
      org: (config) => startOrgSubgraph(config, { port: 0 }),
      volunteers: (config) => startVolunteersSubgraph(config, { port: 0 }),
      orders: (config) => startOrdersSubgraph(config, { port: 0 }),
      points: (config) => startPointsSubgraph(config, { port: 0 }),
      notifications: (config) => startNotificationsSubgraph(config, { port: 0 }),
    },
    gateway: (config, subgraphUrls) => startGateway(config, { port: 0, subgraphUrls }),
    env: { GATEWAY_RATE_LIMIT_PER_MINUTE: '0' },
  });
}

beforeAll(async () => {
  stack = await startDemo();
  points = stack.subgraphs.points.dataSource;
  volunteers = stack.subgraphs.volunteers.dataSource;
  await seed(stack.config, 'demo');
});

afterAll(() => stack?.stop());

async function login(phone: string): Promise<string> {
  const result = await stack.query<{ login: { token: string } }>(`mutation($input: LoginInput!) { login(input: $input) { token } }`, {
    input: { phone, password: DEMO_PASSWORD },
  });
  if (!result.data?.login) throw new Error(`login ${phone} failed: ${JSON.stringify(result.errors)}`);
  return result.data.login.token;
}

/** Everything seeding writes in the points database, and the volunteers' totals, row by row. */
async function fingerprint() {
  const rows = (sql: string) => points.query(sql);
  return {
    transactions: await rows(
      `SELECT id, kind, status, description, created_by, created_at, service_record_id, source_event_id, metadata FROM ledger_transaction ORDER BY id`,
    ),
    postings: await rows('SELECT id, transaction_id, account_id, amount FROM posting ORDER BY id'),
    accounts: await rows(
      'SELECT id, kind, person_id, card_number, unit_id, unit_path, balance, reserved, lifetime_earned, lifetime_spent FROM points_account ORDER BY id',
    ),
    rewards: await rows('SELECT id, external_key, name, kind, price, unit_id, stock, per_person_limit, limit_period FROM reward ORDER BY id'),
    audit: await rows('SELECT id, reward_id, action, stock_delta FROM reward_audit ORDER BY id'),
    outbox: await rows('SELECT type, payload FROM outbox ORDER BY seq'),
    totals: await volunteers.query('SELECT id, verified_minutes, service_count FROM volunteer ORDER BY id'),
  };
}

interface Rule {
  category: string | null;
  pointsPerHour: number;
  multiplier: number;
  dailyCap: number | null;
}

/**
 * What the earning rules give for verified records, worked out here from the rules the graph publishes (not by
 * the crediting code): floor(minutes / 60 × points per hour × multiplier) per record, under the category's rule
 * or the default, at most the daily cap per Asia/Shanghai day.
 */
function earned(records: { minutes: number; category: string; startedAt: Date }[], rules: Rule[]): number {
  const byDay = new Map<string, number>();
  let total = 0;
  for (const record of records) {
    const rule = rules.find((r) => r.category === record.category) ?? rules.find((r) => r.category === null)!;
    const points = Math.floor((record.minutes * Math.round(rule.pointsPerHour * 100) * Math.round(rule.multiplier * 100)) / 600_000);
    const day = `${rule.category}:${new Date(record.startedAt.getTime() + 8 * 3_600_000).toISOString().slice(0, 10)}`;
    const amount = rule.dailyCap === null ? points : Math.min(points, Math.max(0, rule.dailyCap - (byDay.get(day) ?? 0)));
    byDay.set(day, (byDay.get(day) ?? 0) + amount);
    total += amount;
  }
  return total;
}

async function verifiedRecordsOf(personId: string): Promise<{ id: string; minutes: number; category: string; startedAt: Date; verifiedAt: Date }[]> {
  return volunteers.query(
    `SELECT r.id::text, r.minutes, r.category, r.started_at AS "startedAt", r.verified_at AS "verifiedAt" FROM service_record r JOIN volunteer v ON v.id = r.volunteer_id
      WHERE v.person_id = $1 AND r.status = 'VERIFIED' ORDER BY r.started_at, r.id`,
    [personId],
  );
}

const VOLUNTEER = `query($id: ID!) { volunteer(id: $id) { verifiedMinutes verifiedHours
  pointsAccount { id balance available lifetimeEarned
    transactions(filter: { kinds: [CREDIT] }, first: 100) { totalCount edges { node { kind status amount description createdAt serviceRecord { id } } } } } } }`;

interface VolunteerView {
  verifiedMinutes: number;
  verifiedHours: number;
  pointsAccount: {
    id: string;
    balance: number;
    available: number;
    lifetimeEarned: number;
    transactions: { totalCount: number; edges: { node: { kind: string; status: string; amount: number; description: string; createdAt: string; serviceRecord: { id: string } | null } }[] };
  } | null;
}

describe('the demo love bank', () => {
  let heYi: { personId: string; volunteerId: string; token: string };
  let rules: Rule[];

  beforeAll(async () => {
    const [row] = await volunteers.query(
      'SELECT p.id::text AS "personId", v.id::text AS "volunteerId" FROM person p JOIN volunteer v ON v.person_id = p.id WHERE p.mobile = $1',
      [HE_YI],
    );
    heYi = { ...row, token: await login(HE_YI) };
    const result = await stack.query<{ earningRules: Rule[] }>('{ earningRules { category pointsPerHour multiplier dailyCap } }', {}, { token: heYi.token });
    rules = result.data!.earningRules;
  });

  it('seeding again changes no row, writes no event, and leaves the ledger sound', async () => {
    const first = await fingerprint();
    await seed(stack.config, 'demo');
    expect(await fingerprint()).toEqual(first);
    expect(first.outbox).toEqual([]); // a bulk load: nobody is notified of history
    expect((await verifyLedgerDatabase(stack.config, stack.config.POINTS_DATABASE)).violations).toEqual([]);
  });

  it("gives 何毅 the points the earning rules give for his verified hours, one credit per verified record", async () => {
    const records = await verifiedRecordsOf(heYi.personId);
    const minutes = records.reduce((sum, record) => sum + record.minutes, 0);
    const expected = earned(records, rules);
    expect(minutes).toBe(210 * 60);
    expect(expected).toBe(2_100); // 210 hours at the default rule's 10 points an hour

    const result = await stack.query<{ volunteer: VolunteerView }>(VOLUNTEER, { id: heYi.volunteerId }, { token: heYi.token });
    expect(result.errors).toBeUndefined();
    const view = result.data!.volunteer;
    expect(view).toMatchObject({ verifiedMinutes: minutes, verifiedHours: 210 });
    expect(view.pointsAccount).toMatchObject({ balance: expected, available: expected, lifetimeEarned: expected });
    const credits = view.pointsAccount!.transactions;
    expect(credits.totalCount).toBe(records.length);
    expect(credits.edges.map(({ node }) => node.serviceRecord?.id).sort()).toEqual(records.map((record) => record.id).sort());
    for (const { node } of credits.edges) {
      const record = records.find((r) => r.id === node.serviceRecord!.id)!;
      expect(node).toMatchObject({ kind: 'CREDIT', status: 'POSTED', amount: earned([record], rules), description: `志愿服务积分：${record.category} ${record.minutes} 分钟` });
      // Dated when the station verified the record, so the statement reads as the year it was earned in.
      expect(new Date(node.createdAt)).toEqual(record.verifiedAt);
    }
  });

  it('credits every demo volunteer with verified hours by the rules', async () => {
    const people: { personId: string; homePath: string }[] = await volunteers.query(
      `SELECT v.person_id::text AS "personId", v.home_station_path AS "homePath" FROM volunteer v WHERE v.verified_minutes > 0 ORDER BY v.id`,
    );
    expect(people.length).toBeGreaterThan(10);
    for (const { personId, homePath } of people) {
      const records = await verifiedRecordsOf(personId);
      const [account] = await points.query(
        `SELECT a.balance::int AS balance, a.unit_path AS "unitPath",
                (SELECT count(*)::int FROM ledger_transaction t JOIN posting p ON p.transaction_id = t.id
                  WHERE p.account_id = a.id AND t.kind = 'CREDIT' AND t.service_record_id = ANY($2::text[])) AS credits
           FROM points_account a WHERE a.person_id = $1`,
        [personId, records.map((record) => record.id)],
      );
      // The account is opened at the volunteer's home station, as the live path opens it, so its staff see it.
      expect({ personId, ...account }).toEqual({ personId, balance: earned(records, rules), unitPath: homePath, credits: records.length });
    }
  });

  it('lets a later volunteer.hours.verified of a seeded record find its credit instead of paying twice', async () => {
    const [record] = await verifiedRecordsOf(heYi.personId);
    const before = await points.query(`SELECT balance::int FROM points_account WHERE person_id = $1`, [heYi.personId]);
    const [{ home_station_id: homeStationId, home_station_path: homeStationPath }] = await volunteers.query(
      'SELECT home_station_id::text, home_station_path FROM volunteer WHERE id = $1',
      [heYi.volunteerId],
    );
    const event = {
      id: randomUUID(),
      type: 'volunteer.hours.verified',
      version: 1,
      occurredAt: new Date().toISOString(),
      actor: { personId: '1', roles: ['STATION_ADMIN'] },
      unitPath: homeStationPath,
      payload: {
        serviceRecordId: record!.id,
        volunteerId: heYi.volunteerId,
        personId: heYi.personId,
        minutes: record!.minutes,
        category: record!.category,
        verifiedBy: '1',
        startedAt: new Date(record!.startedAt).toISOString(),
        homeStationId,
        homeStationPath,
      },
    };
    const redis = new IORedis(stack.config.REDIS_URL, { maxRetriesPerRequest: null });
    const queue = new Queue('points-credit', { connection: redis, prefix: stack.config.QUEUE_PREFIX });
    try {
      const job = await queue.add(event.type, event, { jobId: event.id });
      await eventually(async () => ['completed', 'failed'].includes(await job.getState()));
      expect(await job.getState()).toBe('completed');
    } finally {
      await queue.close();
      redis.disconnect();
    }
    expect(await points.query(`SELECT balance::int FROM points_account WHERE person_id = $1`, [heYi.personId])).toEqual(before);
    const credits = await points.query(`SELECT source_event_id::text FROM ledger_transaction WHERE kind = 'CREDIT' AND service_record_id = $1`, [record!.id]);
    expect(credits).toHaveLength(1);
    expect(credits[0].source_event_id).not.toBe(event.id);
  });

  it('buys rice and oil at 迎宾社区 with those points, and a re-seed neither refunds nor restocks', async () => {
    const [yingbin] = await points.query(`SELECT id::text FROM unit_ref WHERE code = 'KZ-HANFENG-YINGBIN'`);
    const REWARDS = `query($filter: RewardFilter) { rewards(filter: $filter, first: 50) { edges { node { id name kind price stock available } } } }`;
    const offered = await stack.query<{ rewards: { edges: { node: { id: string; name: string; kind: string; price: number; stock: number | null; available: boolean } }[] } }>(
      REWARDS,
      { filter: { unitId: yingbin.id, affordable: true, availableOnly: true } },
      { token: heYi.token },
    );
    expect(offered.errors).toBeUndefined();
    const affordable = offered.data!.rewards.edges.map(({ node }) => node);
    const rice = affordable.find((reward) => reward.name.startsWith('大米'));
    const oil = affordable.find((reward) => reward.name.startsWith('食用油'));
    expect(rice).toMatchObject({ kind: 'GOODS', available: true });
    expect(oil).toMatchObject({ kind: 'GOODS', available: true });

    const REDEEM = `mutation($input: RedeemRewardInput!) { redeemReward(input: $input) { id status points pickupCode } }`;
    const balanceOf = async () =>
      (await stack.query<{ myAccount: { balance: number; available: number } }>('{ myAccount { balance available } }', {}, { token: heYi.token })).data!.myAccount;
    const start = await balanceOf();
    const redeemed = [];
    for (const reward of [rice!, oil!]) {
      const result = await stack.query<{ redeemReward: { id: string; status: string; points: number; pickupCode: string } }>(
        REDEEM,
        { input: { rewardId: reward.id, quantity: 1, idempotencyKey: `demo-${reward.id}-${randomUUID()}` } },
        { token: heYi.token },
      );
      expect(result.errors).toBeUndefined();
      expect(result.data!.redeemReward).toMatchObject({ status: 'RESERVED', points: reward.price, pickupCode: expect.any(String) });
      redeemed.push(result.data!.redeemReward);
    }
    const spent = rice!.price + oil!.price;
    expect(await balanceOf()).toEqual({ balance: start.balance, available: start.available - spent });

    // Exchange day: the station's counter hands the rice out.
    const admin = await login(STATION_ADMIN);
    const fulfilled = await stack.query<{ fulfilRedemption: { status: string } }>(
      'mutation($input: PickupCodeInput!) { fulfilRedemption(input: $input) { status } }',
      { input: { code: redeemed[0]!.pickupCode } },
      { token: admin },
    );
    expect(fulfilled.errors).toBeUndefined();
    expect(fulfilled.data!.fulfilRedemption.status).toBe('FULFILLED');
    expect(await balanceOf()).toEqual({ balance: start.balance - rice!.price, available: start.available - spent });

    const after = await fingerprint();
    await seed(stack.config, 'demo');
    expect(await fingerprint()).toEqual(after);
    expect((await verifyLedgerDatabase(stack.config, stack.config.POINTS_DATABASE)).violations).toEqual([]);
  });
});
