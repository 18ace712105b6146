import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import type { DataSource } from 'typeorm';
import { startDispatchWorker } from '@kz/dispatch-worker';
import { upsertUnitRefs, UnitRef } from '@kz/org-replica';
import { checkLedger, ensurePersonAccount, postTransaction, systemAccountId } from '@kz/points-subgraph';
import { errorCodes, GraphQLResult, eventually } from '@kz/testing';
import type { RunningWorkerService } from '@kz/worker';
import { Platform, startPlatform } from './stack';

const STATION_ADMIN = '13900230005'; // 迎宾社区
/** Short enough to watch a reservation expire; nothing expires before the dispatch worker runs (last test). */
const HOLD_SECONDS = 3;

let platform: Platform;
let points: DataSource;
let yingbin: { id: string; path: string };
let yongxian: { id: string; path: string };
let stationAdmin: string;
let otherStationAdmin: string;
let centerAdmin: string;
let redis: IORedis;
let dispatchWorker: RunningWorkerService | undefined;

beforeAll(async () => {
  platform = await startPlatform({ seed: 'demo', env: { REDEMPTION_HOLD_SECONDS: String(HOLD_SECONDS) } });
  points = platform.subgraphs.points.dataSource;
  // The points replica of the org tree, as the org events would fill it.
  const units: UnitRef[] = await platform.org.query('SELECT id::text, code, path, level, name FROM practice_unit');
  await upsertUnitRefs(points.manager, units, new Date().toISOString());
  yingbin = await platform.unit('KZ-HANFENG-YINGBIN');
  yongxian = await platform.unit('KZ-YUNFENG-YONGXIAN');
  stationAdmin = await platform.login(STATION_ADMIN);
  otherStationAdmin = await platform.tokenAs('STATION_ADMIN', 'KZ-YUNFENG-YONGXIAN', '800001');
  centerAdmin = await platform.tokenAs('CENTER_ADMIN', 'KZ', '800002');
  redis = new IORedis(platform.config.REDIS_URL, { maxRetriesPerRequest: null });
}, 120_000);

afterAll(async () => {
  await dispatchWorker?.stop();
  redis?.disconnect();
  await platform?.stop();
});

const REWARD_FIELDS = 'id name kind price stock available perPersonLimit limitPeriod station { id name }';
const CREATE_REWARD = `mutation($input: CreateRewardInput!) { createReward(input: $input) { ${REWARD_FIELDS} } }`;
const REWARD = `query($id: ID!) { reward(id: $id) { ${REWARD_FIELDS} } }`;
const REWARDS = `query($filter: RewardFilter, $first: Int, $after: String) {
  rewards(filter: $filter, first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id name } } }
}`;
const REDEMPTION_FIELDS = 'id status quantity points pickupCode expiresAt resolvedAt reward { id name } station { id name } person { id }';
const REDEEM = `mutation($input: RedeemRewardInput!) { redeemReward(input: $input) { ${REDEMPTION_FIELDS} } }`;
const FULFIL = `mutation($input: PickupCodeInput!) { fulfilRedemption(input: $input) { ${REDEMPTION_FIELDS} } }`;
const CANCEL = `mutation($input: CancelRedemptionInput!) { cancelRedemption(input: $input) { ${REDEMPTION_FIELDS} } }`;
const REDEMPTION = `query($id: ID!) { redemption(id: $id) { ${REDEMPTION_FIELDS} } }`;
const REDEMPTIONS = `query($filter: RedemptionFilter, $first: Int) {
  redemptions(filter: $filter, first: $first) { totalCount edges { node { id status pickupCode person { id } } } }
}`;

type RewardView = { id: string; name: string; stock: number | null; available: boolean; station: { id: string; name: string } | null };
type RedemptionView = {
  id: string;
  status: string;
  quantity: number;
  points: number;
  pickupCode: string | null;
  expiresAt: string;
  resolvedAt: string | null;
  reward: { id: string; name: string };
  station: { id: string; name: string } | null;
  person: { id: string };
};

let nextPerson = 700_000;

/** A person (only an id: points accounts need no more) holding `balance` points, with a resident's token. */
async function aPerson(balance: number): Promise<{ id: string; token: string }> {
  nextPerson += 1;
  const id = String(nextPerson);
  await fund([id], balance);
  return { id, token: await platform.token({ sub: id, roles: ['RESIDENT'] }) };
}

/** Credits each person `amount` points from the issuance account, as earning does. */
async function fund(personIds: string[], amount: number): Promise<void> {
  if (amount <= 0) return;
  await points.transaction(async (manager) => {
    const issuance = await systemAccountId(manager, 'ISSUANCE');
    for (const personId of personIds) {
      const account = await ensurePersonAccount(manager, personId);
      await postTransaction(manager, {
        kind: 'CREDIT',
        description: '测试入账',
        createdBy: 'test',
        postings: [
          { accountId: issuance, amount: -amount },
          { accountId: account.id, amount },
        ],
      });
    }
  });
}

async function aReward(input: Record<string, unknown> = {}, token = stationAdmin): Promise<RewardView> {
  const result = await platform.query<{ createReward: RewardView }>(
    CREATE_REWARD,
    { input: { name: '大米（5公斤）', kind: 'GOODS', price: 10, stationId: yingbin.id, stock: 10, ...input } },
    { token },
  );
  if (!result.data?.createReward) throw new Error(`createReward failed: ${JSON.stringify(result.errors)}`);
  return result.data.createReward;
}

function redeem(token: string, rewardId: string, quantity = 1, idempotencyKey: string = randomUUID()) {
  return platform.query<{ redeemReward: RedemptionView }>(REDEEM, { input: { rewardId, quantity, idempotencyKey } }, { token });
}

/**
 * A redemption sent as the API guide tells clients to: SERVICE_UNAVAILABLE means the points service could not get one of
 * its pooled database connections in time (it waits 5 s), before the redemption or after it while reading the answer,
 * so the client sends the same request again with the same idempotency key, which makes the retry safe either way.
 * Many redemptions at once on a loaded machine can queue longer than that; the races below must end exactly as an
 * unhurried run does, whatever the retries.
 */
async function redeemAsAClient(token: string, rewardId: string, quantity = 1, idempotencyKey: string = randomUUID()) {
  for (let attempt = 1; ; attempt += 1) {
    const result = await redeem(token, rewardId, quantity, idempotencyKey);
    if (extensionsOf(result)?.code !== 'SERVICE_UNAVAILABLE' || attempt === 10) return result;
  }
}

async function redeemed(token: string, rewardId: string, quantity = 1): Promise<RedemptionView> {
  const result = await redeem(token, rewardId, quantity);
  if (!result.data?.redeemReward) throw new Error(`redeemReward failed: ${JSON.stringify(result.errors)}`);
  return result.data.redeemReward;
}

async function accountOf(personId: string): Promise<{ balance: number; reserved: number; available: number }> {
  const [row] = await points.query(
    'SELECT balance::int, reserved::int, (balance - reserved)::int AS available FROM points_account WHERE person_id = $1',
    [personId],
  );
  return row;
}

async function stockOf(rewardId: string): Promise<number | null> {
  const [row] = await points.query('SELECT stock FROM reward WHERE id = $1', [rewardId]);
  return row.stock;
}

async function outboxOf(type: string, redemptionId: string): Promise<{ id: string; payload: Record<string, unknown>; unit_path: string }[]> {
  return points.query(`SELECT id::text, payload, unit_path FROM outbox WHERE type = $1 AND payload->>'redemptionId' = $2`, [type, redemptionId]);
}

function extensionsOf(result: GraphQLResult) {
  return result.errors?.[0]?.extensions;
}


describe('redeeming under contention', () => {
  it('lets exactly 100 of 200 people at once reserve the last 100 items; the others hear OUT_OF_STOCK and keep their points', async () => {
    const reward = await aReward({ name: '食用油（5升）', price: 30, stock: 100 });
    const people = Array.from({ length: 200 }, () => String((nextPerson += 1)));
    await fund(people, 50);
    const tokens = await Promise.all(people.map((sub) => platform.token({ sub, roles: ['RESIDENT'] })));

    const results = await Promise.all(tokens.map((token) => redeemAsAClient(token, reward.id)));

    const succeeded = results.filter((result) => result.data?.redeemReward);
    expect(succeeded).toHaveLength(100);
    const refused = results.filter((result) => result.errors);
    expect(refused).toHaveLength(100);
    expect(refused.every((result) => extensionsOf(result)?.code === 'OUT_OF_STOCK')).toBe(true);
    expect(new Set(succeeded.map((result) => result.data!.redeemReward.pickupCode)).size).toBe(100);

    expect(await stockOf(reward.id)).toBe(0);
    const view = await platform.query<{ reward: RewardView }>(REWARD, { id: reward.id }, { token: tokens[0] });
    expect(view.data!.reward).toMatchObject({ stock: 0, available: false });
    const [holds] = await points.query(
      `SELECT count(*)::int AS n, sum(p.amount)::int AS held FROM redemption r
         JOIN ledger_transaction t ON t.id = r.transaction_id JOIN posting p ON p.transaction_id = t.id AND p.amount < 0
        WHERE r.reward_id = $1 AND r.status = 'RESERVED' AND t.status = 'PENDING'`,
      [reward.id],
    );
    expect(holds).toEqual({ n: 100, held: -3000 });
    const [reserved] = await points.query(
      'SELECT sum(reserved)::int AS reserved, sum(balance)::int AS balance, count(*) FILTER (WHERE reserved > 0)::int AS holders FROM points_account WHERE person_id = ANY($1::bigint[])',
      [people],
    );
    expect(reserved).toEqual({ reserved: 3000, balance: 200 * 50, holders: 100 });
  });

  it('lets a person whose points cover 40 items reserve exactly 40 of 100 attempts at once, down to 0 available', async () => {
    const reward = await aReward({ name: '洗洁精', price: 5, stock: 1000 });
    const person = await aPerson(200);

    const results = await Promise.all(Array.from({ length: 100 }, () => redeemAsAClient(person.token, reward.id)));

    expect(results.filter((result) => result.data?.redeemReward)).toHaveLength(40);
    expect(results.filter((result) => extensionsOf(result)?.code === 'INSUFFICIENT_POINTS')).toHaveLength(60);
    expect(await accountOf(person.id)).toEqual({ balance: 200, reserved: 200, available: 0 });
    expect(await stockOf(reward.id)).toBe(960);
  });

  it('makes one redemption of the same idempotency key sent 20 times at once, and refuses the key for another request', async () => {
    const reward = await aReward({ name: '洗衣液', price: 7, stock: 50 });
    const person = await aPerson(100);
    const key = `redeem-${randomUUID()}`;

    const results = await Promise.all(Array.from({ length: 20 }, () => redeemAsAClient(person.token, reward.id, 2, key)));

    expect(results.every((result) => !result.errors)).toBe(true);
    expect(new Set(results.map((result) => result.data!.redeemReward.id)).size).toBe(1);
    const [{ n }] = await points.query('SELECT count(*)::int AS n FROM redemption WHERE person_id = $1', [person.id]);
    expect(n).toBe(1);
    expect(await accountOf(person.id)).toEqual({ balance: 100, reserved: 14, available: 86 });
    expect(await stockOf(reward.id)).toBe(48);
    expect(extensionsOf(await redeem(person.token, reward.id, 3, key))?.code).toBe('CONFLICT');
  });
});

describe('a reservation', () => {
  it('is handed over once by the staff of its station: a second pickup is INVALID_TRANSITION, another station NOT_FOUND', async () => {
    const reward = await aReward({ name: '大米（10公斤）', price: 40, stock: 3 });
    const person = await aPerson(100);
    const redemption = await redeemed(person.token, reward.id, 2);
    expect(redemption).toMatchObject({ status: 'RESERVED', quantity: 2, points: 80, reward: { id: reward.id }, station: { id: yingbin.id }, person: { id: person.id } });
    expect(redemption.pickupCode).toMatch(/^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{8}$/);
    expect(new Date(redemption.expiresAt).getTime()).toBeGreaterThan(Date.now());
    const code = redemption.pickupCode!;

    // Another station's counter cannot tell it from a code that does not exist (see the next test).
    const elsewhere = await platform.query(FULFIL, { input: { code } }, { token: otherStationAdmin });
    expect(errorCodes(elsewhere)).toEqual(['NOT_FOUND']);
    const resident = await platform.query(FULFIL, { input: { code } }, { token: person.token });
    expect(errorCodes(resident)).toEqual(['FORBIDDEN']);

    const fulfilled = await platform.query<{ fulfilRedemption: RedemptionView }>(FULFIL, { input: { code: code.toLowerCase() } }, { token: stationAdmin });
    expect(fulfilled.errors).toBeUndefined();
    expect(fulfilled.data!.fulfilRedemption).toMatchObject({ id: redemption.id, status: 'FULFILLED' });
    expect(fulfilled.data!.fulfilRedemption.resolvedAt).toBeTruthy();
    expect(await accountOf(person.id)).toEqual({ balance: 20, reserved: 0, available: 20 });
    expect(await stockOf(reward.id)).toBe(1);

    const again = await platform.query(FULFIL, { input: { code } }, { token: stationAdmin });
    expect(extensionsOf(again)).toMatchObject({ code: 'INVALID_TRANSITION', from: 'FULFILLED', event: 'fulfil' });
    expect(await accountOf(person.id)).toEqual({ balance: 20, reserved: 0, available: 20 });
    const events = await outboxOf('points.redemption.fulfilled', redemption.id);
    expect(events).toHaveLength(1);
    expect(events[0]!.unit_path).toBe(yingbin.path);
    expect(events[0]!.payload).toEqual({ redemptionId: redemption.id, accountId: expect.any(String), rewardId: reward.id, quantity: 2, points: 80, stationId: yingbin.id });
  });

  it('tells counter staff a code that is not at their station NOT_FOUND, the same whether it exists elsewhere or nowhere, and FORBIDDEN to the rest', async () => {
    const reward = await aReward({ name: '食用油（5升）', price: 10, stock: 5 });
    const person = await aPerson(50);
    const redemption = await redeemed(person.token, reward.id);
    const heldHere = redemption.pickupCode!;
    const [{ n: taken }] = await points.query(`SELECT count(*)::int AS n FROM redemption WHERE pickup_code = 'ZZZZZZZZ'`);
    expect(taken).toBe(0);
    const [yingbinCounter, hanfengAdmin, yongxianCounter, analyst] = await Promise.all([
      platform.tokenAs('GRID_WORKER', 'KZ-HANFENG-YINGBIN', '800003'),
      platform.tokenAs('INSTITUTE_ADMIN', 'KZ-HANFENG', '800004'),
      platform.tokenAs('GRID_WORKER', 'KZ-YUNFENG-YONGXIAN', '800005'),
      platform.tokenAs('ANALYST', 'KZ', '800006'),
    ]);
    const before = await points.query('SELECT id, status, resolved_at FROM redemption ORDER BY id');

    // A typo at the station that would hold it: staff learn it is no code of theirs, in their language.
    const mistyped = await platform.query(FULFIL, { input: { code: 'zzzz-zzzz' } }, { token: stationAdmin, language: 'zh-CN' });
    expect(mistyped.data).toBeNull();
    expect(extensionsOf(mistyped)).toMatchObject({ code: 'NOT_FOUND', entity: 'Redemption', field: 'input.code', pickupCode: 'ZZZZZZZZ' });
    expect(mistyped.errors![0]!.message).toBe('input.code：您所管辖的站点没有取货码为 ZZZZZZZZ 的兑换记录，请核对取货码。');
    const inEnglish = await platform.query(FULFIL, { input: { code: 'ZZZZZZZZ' } }, { token: stationAdmin });
    expect(inEnglish.errors![0]!.message).toBe('input.code: no redemption with pickup code ZZZZZZZZ at the stations you serve; check the code.');
    for (const token of [yingbinCounter, hanfengAdmin, centerAdmin]) {
      expect(errorCodes(await platform.query(FULFIL, { input: { code: 'ZZZZZZZZ' } }, { token }))).toEqual(['NOT_FOUND']);
    }

    // Counter staff of another station: a real code of 迎宾 answers exactly as a code that exists nowhere.
    for (const token of [otherStationAdmin, yongxianCounter]) {
      const real = await platform.query(FULFIL, { input: { code: heldHere } }, { token });
      const none = await platform.query(FULFIL, { input: { code: 'ZZZZZZZZ' } }, { token });
      expect(errorCodes(real)).toEqual(['NOT_FOUND']);
      expect(extensionsOf(real)).toEqual({ ...extensionsOf(none), pickupCode: heldHere });
      expect(real.errors![0]!.message).toBe(none.errors![0]!.message.replace('ZZZZZZZZ', heldHere));
    }

    // No counter role at all: not allowed to try, whatever the code; without a token, sign in first.
    for (const token of [person.token, analyst]) {
      expect(errorCodes(await platform.query(FULFIL, { input: { code: heldHere } }, { token }))).toEqual(['FORBIDDEN']);
      expect(errorCodes(await platform.query(FULFIL, { input: { code: 'ZZZZZZZZ' } }, { token }))).toEqual(['FORBIDDEN']);
    }
    expect(errorCodes(await platform.query(FULFIL, { input: { code: 'ZZZZZZZZ' } }))).toEqual(['UNAUTHENTICATED']);

    expect(await points.query('SELECT id, status, resolved_at FROM redemption ORDER BY id')).toEqual(before);
    const fulfilled = await platform.query<{ fulfilRedemption: RedemptionView }>(FULFIL, { input: { code: heldHere } }, { token: yingbinCounter });
    expect(fulfilled.data?.fulfilRedemption.status).toBe('FULFILLED');
  });

  it('shows its pickup code to its holder and the staff of its station only', async () => {
    const reward = await aReward({ name: '毛巾', price: 3, stock: 5 });
    const person = await aPerson(10);
    const stranger = await aPerson(10);
    const redemption = await redeemed(person.token, reward.id);

    const asHolder = await platform.query<{ redemption: RedemptionView }>(REDEMPTION, { id: redemption.id }, { token: person.token });
    expect(asHolder.data!.redemption.pickupCode).toBe(redemption.pickupCode);
    const asStaff = await platform.query<{ redemption: RedemptionView }>(REDEMPTION, { id: redemption.id }, { token: stationAdmin });
    expect(asStaff.data!.redemption.pickupCode).toBe(redemption.pickupCode);
    expect((await platform.query(REDEMPTION, { id: redemption.id }, { token: stranger.token })).data).toEqual({ redemption: null });
    expect((await platform.query(REDEMPTION, { id: redemption.id }, { token: otherStationAdmin })).data).toEqual({ redemption: null });

    type Page = { redemptions: { totalCount: number; edges: { node: { id: string; status: string; pickupCode: string | null; person: { id: string } } }[] } };
    const waiting = await platform.query<Page>(REDEMPTIONS, { filter: { status: 'RESERVED', unitId: yingbin.id }, first: 100 }, { token: stationAdmin });
    expect(waiting.errors).toBeUndefined();
    const mine = waiting.data!.redemptions.edges.find((edge) => edge.node.id === redemption.id);
    expect(mine?.node).toMatchObject({ status: 'RESERVED', pickupCode: redemption.pickupCode });
    expect(waiting.data!.redemptions.edges.every((edge) => edge.node.status === 'RESERVED')).toBe(true);
    const elsewhere = await platform.query<Page>(REDEMPTIONS, { filter: { status: 'RESERVED' } }, { token: otherStationAdmin });
    expect(elsewhere.data!.redemptions.totalCount).toBe(0);
    const own = await platform.query<Page>(REDEMPTIONS, { filter: { mine: true } }, { token: person.token });
    expect(own.data!.redemptions.edges.map((edge) => edge.node.id)).toEqual([redemption.id]);
  });

  it('is cancelled by its holder: points and stock return, once; nobody else may cancel it', async () => {
    const reward = await aReward({ name: '食用油（1升）', price: 12, stock: 4 });
    const person = await aPerson(50);
    const stranger = await aPerson(0);
    const redemption = await redeemed(person.token, reward.id, 3);
    expect(await accountOf(person.id)).toEqual({ balance: 50, reserved: 36, available: 14 });
    expect(await stockOf(reward.id)).toBe(1);

    expect(errorCodes(await platform.query(CANCEL, { input: { redemptionId: redemption.id } }, { token: stranger.token }))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await platform.query(CANCEL, { input: { redemptionId: redemption.id } }, { token: otherStationAdmin }))).toEqual(['FORBIDDEN']);
    const cancelled = await platform.query<{ cancelRedemption: RedemptionView }>(CANCEL, { input: { redemptionId: redemption.id } }, { token: person.token });
    expect(cancelled.data!.cancelRedemption).toMatchObject({ status: 'CANCELLED' });
    expect(await accountOf(person.id)).toEqual({ balance: 50, reserved: 0, available: 50 });
    expect(await stockOf(reward.id)).toBe(4);
    const again = await platform.query(CANCEL, { input: { redemptionId: redemption.id } }, { token: person.token });
    expect(extensionsOf(again)).toMatchObject({ code: 'INVALID_TRANSITION', from: 'CANCELLED' });
    expect(await outboxOf('points.redemption.cancelled', redemption.id)).toHaveLength(1);
  });

  it('keeps to the per-person limit of its period, even when the person tries many times at once', async () => {
    const reward = await aReward({ name: '鸡蛋（10枚）', price: 2, stock: 100, perPersonLimit: 2, limitPeriod: 'WEEK' });
    const person = await aPerson(100);

    const results = await Promise.all(Array.from({ length: 6 }, () => redeem(person.token, reward.id)));

    expect(results.filter((result) => result.data?.redeemReward)).toHaveLength(2);
    const refused = results.filter((result) => result.errors);
    expect(refused.every((result) => extensionsOf(result)?.code === 'CONFLICT')).toBe(true);
    expect(extensionsOf(refused[0]!)).toMatchObject({ limit: 2, period: 'WEEK', used: 2 });
    expect(await accountOf(person.id)).toEqual({ balance: 100, reserved: 4, available: 96 });
    // A cancelled redemption no longer counts.
    const first = results.find((result) => result.data?.redeemReward)!.data!.redeemReward;
    await platform.query(CANCEL, { input: { redemptionId: first.id } }, { token: person.token });
    expect((await redeem(person.token, reward.id)).errors).toBeUndefined();
    expect(extensionsOf(await redeem(person.token, reward.id, 2))?.code).toBe('CONFLICT');
  });

  it('of a service asks the orders service for it (points.service.redeemed)', async () => {
    const reward = await aReward({ name: '上门助老服务 1 小时', kind: 'SERVICE', price: 20, stock: null });
    expect(reward).toMatchObject({ stock: null, available: true });
    const person = await aPerson(60);
    const redemption = await redeemed(person.token, reward.id, 2);

    const events = await outboxOf('points.service.redeemed', redemption.id);
    expect(events).toHaveLength(1);
    expect(events[0]!.payload).toEqual({
      redemptionId: redemption.id,
      personId: person.id,
      rewardId: reward.id,
      stationId: yingbin.id,
      description: '上门助老服务 1 小时 ×2',
    });
    const ordersInbox = new Queue('orders-inbox', { connection: redis, prefix: platform.config.QUEUE_PREFIX });
    try {
      await eventually(async () => (await ordersInbox.getJob(events[0]!.id)) !== undefined);
    } finally {
      await ordersInbox.close();
    }
  });

  it('of a reward outside its window, of an unknown reward or beyond 100 items is refused, and nothing is held', async () => {
    const later = await aReward({ name: '月饼', activeFrom: new Date(Date.now() + 86_400_000).toISOString() });
    const person = await aPerson(1000);
    expect(extensionsOf(await redeem(person.token, later.id))?.code).toBe('CONFLICT');
    expect(extensionsOf(await redeem(person.token, '999999999'))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.rewardId' });
    const open = await aReward({ name: '粽子', stock: 500 });
    expect(extensionsOf(await redeem(person.token, open.id, 101))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.quantity' });
    expect(extensionsOf(await redeem(person.token, open.id, 0))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.quantity' });
    expect(errorCodes(await redeem(otherStationAdmin, open.id))).toEqual(['FORBIDDEN']); // staff without a resident's role
    expect(await accountOf(person.id)).toEqual({ balance: 1000, reserved: 0, available: 1000 });
  });
});

describe('the rewards catalogue', () => {
  it("lists a station's rewards with the district-wide ones, and what the caller can afford", async () => {
    const cheap = await aReward({ name: '肥皂', price: 1, stock: 5 });
    const dear = await aReward({ name: '电饭煲', price: 5000, stock: 1 });
    const districtWide = await aReward({ name: '开州文明实践纪念册', price: 2, stationId: null, stock: 20 }, centerAdmin);
    const elsewhere = await aReward({ name: '永先社区 大米', price: 1, stationId: yongxian.id, stock: 5 }, otherStationAdmin);
    const person = await aPerson(100);
    type Page = { rewards: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: { node: { id: string } }[] } };
    const ids = (result: GraphQLResult<Page>) => result.data!.rewards.edges.map((edge) => edge.node.id);

    const atYingbin = await platform.query<Page>(REWARDS, { filter: { unitId: yingbin.id }, first: 100 }, { token: person.token });
    expect(ids(atYingbin)).toEqual(expect.arrayContaining([cheap.id, dear.id, districtWide.id]));
    expect(ids(atYingbin)).not.toContain(elsewhere.id);
    const affordable = await platform.query<Page>(REWARDS, { filter: { unitId: yingbin.id, affordable: true }, first: 100 }, { token: person.token });
    expect(ids(affordable)).toEqual(expect.arrayContaining([cheap.id, districtWide.id]));
    expect(ids(affordable)).not.toContain(dear.id);

    const first = await platform.query<Page>(REWARDS, { filter: { unitId: yongxian.id }, first: 1 }, { token: person.token });
    expect(first.data!.rewards.pageInfo.hasNextPage).toBe(true);
    const second = await platform.query<Page>(REWARDS, { filter: { unitId: yongxian.id }, first: 100, after: first.data!.rewards.pageInfo.endCursor }, { token: person.token });
    expect([...ids(first), ...ids(second)]).toEqual(expect.arrayContaining([elsewhere.id, districtWide.id]));
    expect(ids(first).length + ids(second).length).toBe(first.data!.rewards.totalCount);

    // A district-wide reward is picked up at the center.
    const redemption = await redeemed(person.token, districtWide.id);
    expect(redemption.station?.name).toContain('中心');
  });
});

describe('an unclaimed reservation', () => {
  it('expires through the dispatch worker: the points are voided and the stock returns', async () => {
    const reward = await aReward({ name: '洗手液', price: 8, stock: 1 });
    const person = await aPerson(8);
    const redemption = await redeemed(person.token, reward.id);
    expect(new Date(redemption.expiresAt).getTime() - Date.now()).toBeLessThanOrEqual(HOLD_SECONDS * 1000);
    expect(await accountOf(person.id)).toEqual({ balance: 8, reserved: 8, available: 0 });
    expect(await stockOf(reward.id)).toBe(0);

    // The worker that keeps the timers; every reservation of this run that is still open expires once it runs.
    dispatchWorker = await startDispatchWorker(platform.config, { port: 0 });

    await eventually(async () => {
      const result = await platform.query<{ redemption: RedemptionView }>(REDEMPTION, { id: redemption.id }, { token: person.token });
      return result.data?.redemption?.status === 'EXPIRED';
    }, 30_000);
    expect(await accountOf(person.id)).toEqual({ balance: 8, reserved: 0, available: 8 });
    expect(await stockOf(reward.id)).toBe(1);
    await eventually(async () => (await outboxOf('points.redemption.expired', redemption.id)).length === 1);
    const [tx] = await points.query('SELECT t.status FROM ledger_transaction t JOIN redemption r ON r.transaction_id = t.id WHERE r.id = $1', [redemption.id]);
    expect(tx.status).toBe('VOIDED');
  });
});

describe('after all of it', () => {
  it('the ledger checks pass: postings balance, cached balances equal their sums, nobody is below zero', async () => {
    expect(await checkLedger((sql) => points.query(sql))).toEqual([]);
  });
});
