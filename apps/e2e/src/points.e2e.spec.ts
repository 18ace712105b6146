import type { DataSource } from 'typeorm';
import { upsertUnitRefs } from '@kz/org-replica';
import { checkLedger, ensurePersonAccount, postTransaction, systemAccountId } from '@kz/points-subgraph';
import { errorCodes, GraphQLResult } from '@kz/testing';
import { Platform, startPlatform } from './stack';

/**
 * The love bank's accounts, transfers and corrections through the gateway, as the app uses them: the promises of
 * issue 4 on accounts (one per person, a card number with a check digit, who sees what), transfers (exactly as
 * many as the balance covers, once per idempotency key, within a daily limit), the center's adjustments and
 * reversals, statements and the figures of a subtree. `ledger:verify` must hold after all of it.
 */
const CENTER_ADMIN = '13900230001';
const INSTITUTE_ADMIN = '13900230004';
const STATION_ADMIN = '13900230005';

type Unit = { id: string; path: string };
type Person = { id: string; token: string; accountId?: string };
type Tx = {
  id: string;
  kind: string;
  status: string;
  amount: number;
  description: string;
  counterparty: { id: string; cardNumber: string } | null;
  reverses: { id: string; amount: number } | null;
  createdAt: string;
};

let platform: Platform;
let points: DataSource;
let yingbin: Unit;
let yongxian: Unit;
let hanfeng: Unit;
let center: string;
let stationAdmin: string;
let instituteAdmin: string;

beforeAll(async () => {
  platform = await startPlatform({ seed: 'demo' });
  points = platform.points;
  // The points replica of the org units, as the org events would fill it (seeding writes no events).
  const units = await platform.org.query('SELECT id::text, code, path, level, name FROM practice_unit');
  await upsertUnitRefs(points.manager, units, '1970-01-01T00:00:00.000Z');
  [yingbin, yongxian, hanfeng] = [await platform.unit('KZ-HANFENG-YINGBIN'), await platform.unit('KZ-YUNFENG-YONGXIAN'), await platform.unit('KZ-HANFENG')];
  [center, stationAdmin, instituteAdmin] = [await platform.login(CENTER_ADMIN), await platform.login(STATION_ADMIN), await platform.login(INSTITUTE_ADMIN)];
});

afterAll(() => platform?.stop());

const ACCOUNT_FIELDS = 'id cardNumber balance reserved available lifetimeEarned lifetimeSpent holder { id } station { id } createdAt';
const TX_FIELDS = 'id kind status amount description counterparty { id cardNumber } reverses { id amount } createdAt';
const TRANSFER = `mutation($input: TransferPointsInput!) { transferPoints(input: $input) { ${TX_FIELDS} } }`;
const ADJUST = `mutation($input: AdjustPointsInput!) { adjustPoints(input: $input) { ${TX_FIELDS} } }`;
const REVERSE = `mutation($input: ReverseTransactionInput!) { reverseTransaction(input: $input) { ${TX_FIELDS} } }`;
const ACCOUNT = `query($id: ID!) { pointsAccount(id: $id) { ${ACCOUNT_FIELDS} } }`;
const MY_ACCOUNT = `{ myAccount { ${ACCOUNT_FIELDS} } }`;
const STATEMENT = `query($id: ID!, $filter: PointsTransactionFilter, $first: Int, $after: String) {
  pointsAccount(id: $id) {
    transactions(filter: $filter, first: $first, after: $after) {
      totalCount pageInfo { hasNextPage endCursor } edges { cursor node { ${TX_FIELDS} } }
    }
  }
}`;

let serial = 0;
const key = (label: string) => `${label}-${process.pid}-${(serial += 1)}-key`;

/** A resident of `station` with a token of their own (no account until they first need one). */
async function aPerson(station: Unit = yingbin): Promise<Person> {
  serial += 1;
  const [person] = await platform.volunteers.query(
    `INSERT INTO person (real_name, mobile, home_unit_id, home_unit_path) VALUES ('积分测试', $1, $2, $3) RETURNING id::text`,
    [`1360099${String(serial).padStart(4, '0')}`, station.id, station.path],
  );
  return { id: person.id, token: await platform.token({ sub: person.id, roles: ['RESIDENT'] }) };
}

/** A person whose account (at their home station) the center has funded with `amount` points by adjustment. */
async function aFundedPerson(amount: number, station: Unit = yingbin): Promise<Person & { accountId: string }> {
  const person = await aPerson(station);
  const account = await ensurePersonAccount(points.manager, person.id, station);
  if (amount > 0) {
    const result = await platform.query(ADJUST, { input: { accountId: account.id, amount, reason: '测试充值', idempotencyKey: key('fund') } }, { token: center });
    expect(result.errors).toBeUndefined();
  }
  return { ...person, accountId: account.id };
}

async function balanceOf(accountId: string): Promise<{ balance: number; reserved: number }> {
  const [row] = await points.query('SELECT balance::int, reserved::int FROM points_account WHERE id = $1', [accountId]);
  return row;
}

async function ledgerSize(): Promise<number> {
  const [row] = await points.query('SELECT count(*)::int AS n FROM ledger_transaction');
  return row.n;
}

function firstError(result: GraphQLResult) {
  return result.errors?.[0];
}

describe('accounts', () => {
  it('opens an account on first need, with a love savings card number whose check digit catches a typo', async () => {
    const giver = await aFundedPerson(50);
    const newcomer = await aPerson();
    const before = await platform.query<{ myAccount: null }>(MY_ACCOUNT, {}, { token: newcomer.token });
    expect(before.data).toEqual({ myAccount: null });

    // The giver knows only the newcomer's card, once the newcomer has an account.
    const opened = await ensurePersonAccount(points.manager, newcomer.id);
    expect(opened.cardNumber).toMatch(/^KZ \d{4} \d{4} \d{2}-\d$/);
    expect(await ensurePersonAccount(points.manager, newcomer.id)).toEqual(opened);
    const digits = opened.cardNumber.replace(/\D/g, '');
    const typo = `KZ${digits.slice(0, 9)}${(Number(digits[9]) + 1) % 10}${digits[10]}`;
    const refused = await platform.query(TRANSFER, { input: { toAccountId: typo, amount: 5, idempotencyKey: key('typo') } }, { token: giver.token });
    expect(firstError(refused)?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.toAccountId' });

    const sent = await platform.query<{ transferPoints: Tx }>(
      TRANSFER,
      { input: { toAccountId: opened.cardNumber.toLowerCase().replace(/ /g, ''), amount: 5, note: '谢谢您的帮助', idempotencyKey: key('card') } },
      { token: giver.token },
    );
    expect(sent.errors).toBeUndefined();
    expect(sent.data!.transferPoints).toMatchObject({ kind: 'TRANSFER', status: 'POSTED', amount: -5, description: '谢谢您的帮助' });
    expect(sent.data!.transferPoints.counterparty).toEqual({ id: opened.id, cardNumber: opened.cardNumber });

    const after = await platform.query<{ myAccount: Record<string, unknown> }>(MY_ACCOUNT, {}, { token: newcomer.token });
    expect(after.data!.myAccount).toMatchObject({ id: opened.id, cardNumber: opened.cardNumber, balance: 5, available: 5, holder: { id: newcomer.id } });
  });

  it('opens one account per person however many open it at once', async () => {
    const person = await aPerson();
    const opened = await Promise.all(Array.from({ length: 20 }, () => points.transaction((m) => ensurePersonAccount(m, person.id))));
    expect(new Set(opened.map((account) => account.id)).size).toBe(1);
    const [row] = await points.query('SELECT count(*)::int AS n FROM points_account WHERE person_id = $1', [person.id]);
    expect(row.n).toBe(1);
  });

  it("shows an account to its holder, to staff whose subtree holds it and to the center; FORBIDDEN to anyone else, existing or not", async () => {
    const holder = await aFundedPerson(30);
    const stranger = await aPerson();
    const yongxianAdmin = await platform.token({ sub: '9001', roles: ['RESIDENT', 'STATION_ADMIN'], unitId: yongxian.id, unitPath: yongxian.path });
    for (const token of [holder.token, stationAdmin, instituteAdmin, center]) {
      const seen = await platform.query<{ pointsAccount: { id: string; balance: number } }>(ACCOUNT, { id: holder.accountId }, { token });
      expect(seen.errors).toBeUndefined();
      expect(seen.data!.pointsAccount).toMatchObject({ id: holder.accountId, balance: 30 });
    }
    for (const token of [stranger.token, yongxianAdmin, await platform.tokenAs('ANALYST', 'KZ')]) {
      expect(errorCodes(await platform.query(ACCOUNT, { id: holder.accountId }, { token }))).toEqual(['FORBIDDEN']);
      expect(errorCodes(await platform.query(ACCOUNT, { id: '987654321' }, { token }))).toEqual(['FORBIDDEN']);
    }
    const [{ card }] = await points.query('SELECT card_number AS card FROM points_account WHERE id = $1', [holder.accountId]);
    expect(errorCodes(await platform.query(ACCOUNT, { id: card }, { token: stranger.token }))).toEqual(['FORBIDDEN']);
    const byCard = await platform.query<{ pointsAccount: { id: string } }>(ACCOUNT, { id: card }, { token: center });
    expect(byCard.data!.pointsAccount.id).toBe(holder.accountId);
    expect((await platform.query(ACCOUNT, { id: '987654321' }, { token: center })).data).toEqual({ pointsAccount: null });
  });

  // Until issue 17 everyone else got null here without an error, and any person by id. Now a person the caller may not
  // see is refused whole, and the account of one they see but whose account is not theirs to see is null with FORBIDDEN.
  it('gives Person.pointsAccount to the holder and staff in scope; FORBIDDEN to anyone else, account or not', async () => {
    const [first, second] = [await aFundedPerson(12), await aFundedPerson(7)];
    const query = `query($a: ID!, $b: ID!) { a: person(id: $a) { pointsAccount { id balance } } b: person(id: $b) { pointsAccount { id balance } } }`;
    type Accounts = Record<'a' | 'b', { pointsAccount: { id: string; balance: number } | null } | null>;
    const ask = (token: string, b = second.id) => platform.query<Accounts>(query, { a: first.id, b }, { token });
    const staff = await ask(stationAdmin);
    expect(staff.errors).toBeUndefined();
    expect(staff.data).toEqual({ a: { pointsAccount: { id: first.accountId, balance: 12 } }, b: { pointsAccount: { id: second.accountId, balance: 7 } } });
    const yongxianAdmin = await platform.token({ sub: '9002', roles: ['RESIDENT', 'STATION_ADMIN'], unitId: yongxian.id, unitPath: yongxian.path });
    const outside = await ask(yongxianAdmin);
    expect(outside.data).toEqual({ a: null, b: null });
    expect(errorCodes(outside)).toEqual(['FORBIDDEN', 'FORBIDDEN']);
    const own = await ask(first.token);
    expect(own.data).toEqual({ a: { pointsAccount: { id: first.accountId, balance: 12 } }, b: null });
    expect(errorCodes(own)).toEqual(['FORBIDDEN']);
    // The grid worker of the station sees the people, not their accounts, whether they have one or not.
    const gridWorker = await platform.tokenAs('GRID_WORKER', 'KZ-HANFENG-YINGBIN');
    const none = await aPerson();
    const grid = await ask(gridWorker, none.id);
    expect(grid.data).toEqual({ a: { pointsAccount: null }, b: { pointsAccount: null } });
    expect(errorCodes(grid)).toEqual(['FORBIDDEN', 'FORBIDDEN']);
    const noAccount = await ask(stationAdmin, none.id);
    expect(noAccount.errors).toBeUndefined();
    expect(noAccount.data!.b).toEqual({ pointsAccount: null });
  });

  it("shows a counterparty's card number, but not its balance", async () => {
    const giver = await aFundedPerson(20);
    const receiver = await aFundedPerson(0);
    const sent = await platform.query<{ transferPoints: { counterparty: unknown } }>(
      `mutation($input: TransferPointsInput!) { transferPoints(input: $input) { amount counterparty { id cardNumber balance } } }`,
      { input: { toAccountId: receiver.accountId, amount: 3, idempotencyKey: key('peek') } },
      { token: giver.token },
    );
    expect(errorCodes(sent)).toEqual(['FORBIDDEN']);
    expect(sent.data!.transferPoints.counterparty).toBeNull();
    expect(await balanceOf(receiver.accountId)).toEqual({ balance: 3, reserved: 0 });
  });
});

describe('transfers', () => {
  it('lets exactly 40 of 100 concurrent transfers through against a balance covering 40, and the ledger verifies', async () => {
    const payer = await aFundedPerson(40);
    const receiver = await aFundedPerson(0);
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        platform.query<{ transferPoints: Tx }>(TRANSFER, { input: { toAccountId: receiver.accountId, amount: 1, idempotencyKey: key(`race${i}`) } }, { token: payer.token }),
      ),
    );
    expect(results.filter((r) => !r.errors && r.data?.transferPoints)).toHaveLength(40);
    expect(results.filter((r) => r.errors).every((r) => errorCodes(r).join() === 'INSUFFICIENT_POINTS')).toBe(true);
    expect(await balanceOf(payer.accountId)).toEqual({ balance: 0, reserved: 0 });
    expect(await balanceOf(receiver.accountId)).toEqual({ balance: 40, reserved: 0 });
    const me = await platform.query<{ myAccount: { balance: number; available: number } }>(MY_ACCOUNT, {}, { token: payer.token });
    expect(me.data!.myAccount).toMatchObject({ balance: 0, available: 0 });
    expect(await checkLedger((sql) => points.query(sql))).toEqual([]);
  });

  it('moves once for an idempotency key sent 20 times at once, and answers each with the same transaction', async () => {
    const payer = await aFundedPerson(100);
    const receiver = await aFundedPerson(0);
    const input = { toAccountId: receiver.accountId, amount: 7, note: '一次', idempotencyKey: key('same') };
    const results = await Promise.all(Array.from({ length: 20 }, () => platform.query<{ transferPoints: Tx }>(TRANSFER, { input }, { token: payer.token })));
    expect(results.every((r) => !r.errors)).toBe(true);
    expect(new Set(results.map((r) => JSON.stringify(r.data!.transferPoints))).size).toBe(1);
    expect(await balanceOf(payer.accountId)).toEqual({ balance: 93, reserved: 0 });
    const [row] = await points.query(
      `SELECT count(*)::int AS n FROM posting p JOIN ledger_transaction t ON t.id = p.transaction_id WHERE p.account_id = $1 AND t.kind = 'TRANSFER'`,
      [payer.accountId],
    );
    expect(row.n).toBe(1);
    // The same key for a different request is refused, and nothing moves.
    const reused = await platform.query(TRANSFER, { input: { ...input, amount: 8 } }, { token: payer.token });
    expect(firstError(reused)?.extensions).toMatchObject({ code: 'CONFLICT', field: 'input.idempotencyKey' });
    expect(await balanceOf(payer.accountId)).toEqual({ balance: 93, reserved: 0 });
  });

  it("gives to a station's pool, opened on the first gift, and shows it on the station", async () => {
    const donor = await aFundedPerson(60);
    const other = await aFundedPerson(60);
    const POOL = `query($id: ID!) { unit(id: $id) { id pointsPool { id balance station { id } holder { id } } } }`;
    const empty = await platform.query<{ unit: { pointsPool: null } }>(POOL, { id: yongxian.id }, { token: donor.token });
    expect(empty.errors).toBeUndefined();
    expect(empty.data!.unit.pointsPool).toBeNull();
    const gifts = await Promise.all(
      [donor, other].map((giver) =>
        platform.query<{ transferPoints: Tx }>(TRANSFER, { input: { toStationId: yongxian.id, amount: 25, idempotencyKey: key('pool') } }, { token: giver.token }),
      ),
    );
    expect(gifts.map((g) => g.errors)).toEqual([undefined, undefined]);
    expect(gifts.map((g) => g.data!.transferPoints.kind)).toEqual(['DONATION', 'DONATION']);
    expect(gifts[0]!.data!.transferPoints.description).toBe('爱心捐赠');
    const pool = await platform.query<{ unit: { pointsPool: { id: string; balance: number; station: { id: string }; holder: null } } }>(POOL, { id: yongxian.id }, { token: donor.token });
    expect(pool.data!.unit.pointsPool).toMatchObject({ balance: 50, station: { id: yongxian.id }, holder: null });
    const [row] = await points.query(`SELECT count(*)::int AS n, min(unit_path) AS path FROM points_account WHERE kind = 'POOL' AND unit_id = $1`, [yongxian.id]);
    expect(row).toEqual({ n: 1, path: yongxian.path });
    // Giving to an institute, or to a unit that does not exist, is refused.
    for (const toStationId of [hanfeng.id, '987654321']) {
      const refused = await platform.query(TRANSFER, { input: { toStationId, amount: 5, idempotencyKey: key('nostation') } }, { token: donor.token });
      expect(firstError(refused)?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.toStationId' });
    }
  });

  it('keeps to the daily limit of 500 points given away, Beijing time', async () => {
    const payer = await aFundedPerson(700);
    const receiver = await aFundedPerson(0);
    const send = (amount: number) =>
      platform.query<{ transferPoints: Tx }>(TRANSFER, { input: { toAccountId: receiver.accountId, amount, idempotencyKey: key('limit') } }, { token: payer.token });
    expect((await send(300)).errors).toBeUndefined();
    const over = await send(250);
    expect(firstError(over)?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.amount', limit: 500, remaining: 200 });
    expect((await send(200)).errors).toBeUndefined();
    expect(firstError(await send(1))?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', remaining: 0 });
    expect(await balanceOf(payer.accountId)).toEqual({ balance: 200, reserved: 0 });
  });

  it('refuses a transfer to oneself, to nobody, to two receivers, or with no points to give', async () => {
    const payer = await aFundedPerson(10);
    const broke = await aPerson();
    const cases: [Record<string, unknown>, string, string, string?][] = [
      [{ toAccountId: payer.accountId }, payer.token, 'BAD_USER_INPUT', 'input.toAccountId'],
      [{ toAccountId: '987654321' }, payer.token, 'BAD_USER_INPUT', 'input.toAccountId'],
      [{}, payer.token, 'BAD_USER_INPUT', 'input.toAccountId'],
      [{ toAccountId: payer.accountId, toStationId: yingbin.id }, payer.token, 'BAD_USER_INPUT', 'input.toAccountId'],
      [{ toAccountId: payer.accountId }, broke.token, 'INSUFFICIENT_POINTS'],
    ];
    const before = await ledgerSize();
    for (const [receiver, token, code, field] of cases) {
      const result = await platform.query(TRANSFER, { input: { ...receiver, amount: 5, idempotencyKey: key('bad') } }, { token });
      expect(firstError(result)?.extensions).toMatchObject({ code, ...(field ? { field } : {}) });
    }
    expect(await ledgerSize()).toBe(before);
    expect(await balanceOf(payer.accountId)).toEqual({ balance: 10, reserved: 0 });
    const [row] = await points.query('SELECT count(*)::int AS n FROM points_account WHERE person_id = $1', [broke.id]);
    expect(row.n).toBe(0); // a failed attempt opens nothing
  });

  it.each([
    ['zero', 0],
    ['a negative amount', -5],
    ['more than the daily limit', 501],
    ['a fraction', 1.5],
    ['an absurd amount', 1e12],
  ])('refuses %s with BAD_USER_INPUT naming input.amount, and moves nothing', async (_case, amount) => {
    const payer = await aFundedPerson(1000);
    const receiver = await aFundedPerson(0);
    const before = await ledgerSize();
    const result = await platform.query(TRANSFER, { input: { toAccountId: receiver.accountId, amount, idempotencyKey: key('amount') } }, { token: payer.token });
    const error = firstError(result)!;
    expect(error.extensions?.code).toBe('BAD_USER_INPUT');
    // 32-bit whole numbers reach the service, which names the field; GraphQL's Int refuses the rest first, naming it in words.
    if (Number.isInteger(amount) && Math.abs(amount) < 2 ** 31) expect(error.extensions?.field).toBe('input.amount');
    else expect(error.message).toContain('input.amount');
    expect(await ledgerSize()).toBe(before);
    expect(await balanceOf(payer.accountId)).toEqual({ balance: 1000, reserved: 0 });
  });
});

describe("the center's corrections", () => {
  it('adjusts with a reason, CENTER_ADMIN only, never below what is available', async () => {
    const person = await aFundedPerson(0);
    const adjust = (amount: number, token = center, reason = '补录 2026 年 3 月活动积分') =>
      platform.query<{ adjustPoints: Tx }>(ADJUST, { input: { accountId: person.accountId, amount, reason, idempotencyKey: key('adj') } }, { token });
    const added = await adjust(80);
    expect(added.errors).toBeUndefined();
    expect(added.data!.adjustPoints).toMatchObject({ kind: 'ADJUSTMENT', amount: 80, description: '补录 2026 年 3 月活动积分', counterparty: null });
    expect(firstError(await adjust(-81))?.extensions).toMatchObject({ code: 'INSUFFICIENT_POINTS' });
    expect((await adjust(-30)).data!.adjustPoints.amount).toBe(-30);
    for (const token of [stationAdmin, instituteAdmin, person.token]) expect(errorCodes(await adjust(10, token))).toEqual(['FORBIDDEN']);
    expect(firstError(await adjust(10, center, '   '))?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.reason' });
    expect(firstError(await adjust(10, center, '理'.repeat(201)))?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.reason' });
    expect(firstError(await adjust(0))?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.amount' });
    expect(await balanceOf(person.accountId)).toEqual({ balance: 50, reserved: 0 });
    const [system] = await points.query(
      `SELECT sum(p.amount)::int AS total FROM posting p JOIN points_account a ON a.id = p.account_id
        JOIN posting mine ON mine.transaction_id = p.transaction_id AND mine.account_id = $1 WHERE a.system_code = 'ADJUSTMENT'`,
      [person.accountId],
    );
    expect(system.total).toBe(-50);
  });

  it('reverses a transaction once; a second time is a CONFLICT; pending ones and overdrawing ones are refused', async () => {
    const payer = await aFundedPerson(50);
    const receiver = await aFundedPerson(0);
    const sent = await platform.query<{ transferPoints: Tx }>(TRANSFER, { input: { toAccountId: receiver.accountId, amount: 20, idempotencyKey: key('rev') } }, { token: payer.token });
    const transactionId = sent.data!.transferPoints.id;
    const reverse = (id: string, token = center) =>
      platform.query<{ reverseTransaction: Tx }>(REVERSE, { input: { transactionId: id, reason: '误转，应退回', idempotencyKey: key('reverse') } }, { token });

    expect(errorCodes(await reverse(transactionId, stationAdmin))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await reverse(transactionId, payer.token))).toEqual(['FORBIDDEN']);
    const attempts = await Promise.all([reverse(transactionId), reverse(transactionId), reverse(transactionId)]);
    const done = attempts.filter((r) => !r.errors);
    expect(done).toHaveLength(1);
    expect(attempts.filter((r) => r.errors).map((r) => firstError(r)?.extensions)).toEqual([
      expect.objectContaining({ code: 'CONFLICT', field: 'input.transactionId' }),
      expect.objectContaining({ code: 'CONFLICT', field: 'input.transactionId' }),
    ]);
    expect(done[0]!.data!.reverseTransaction).toMatchObject({ kind: 'REVERSAL', amount: 20, reverses: { id: transactionId, amount: -20 } });
    expect(await balanceOf(payer.accountId)).toEqual({ balance: 50, reserved: 0 });
    expect(await balanceOf(receiver.accountId)).toEqual({ balance: 0, reserved: 0 });

    // The receiver spent what they got: reversing would take them below zero.
    const again = await platform.query<{ transferPoints: Tx }>(TRANSFER, { input: { toAccountId: receiver.accountId, amount: 10, idempotencyKey: key('rev2') } }, { token: payer.token });
    await platform.query(TRANSFER, { input: { toStationId: yingbin.id, amount: 6, idempotencyKey: key('spent') } }, { token: receiver.token });
    expect(firstError(await reverse(again.data!.transferPoints.id))?.extensions).toMatchObject({ code: 'INSUFFICIENT_POINTS' });

    // A pending hold (a redemption waiting for pickup) is voided, never reversed.
    const sink = await systemAccountId(points.manager, 'REDEMPTION');
    const hold = await points.transaction((m) =>
      postTransaction(m, { kind: 'REDEMPTION', pending: true, description: '兑换 大米 ×1', createdBy: 'test', postings: [{ accountId: payer.accountId, amount: -10 }, { accountId: sink, amount: 10 }] }),
    );
    expect(firstError(await reverse(hold.id))?.extensions).toMatchObject({ code: 'INVALID_TRANSITION', from: 'PENDING', event: 'reverse' });
    expect(firstError(await reverse('987654321'))?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.transactionId' });
    expect(await checkLedger((sql) => points.query(sql))).toEqual([]);
  });
});

describe('statements', () => {
  it('lists an account’s transactions newest first, paginated, filtered by kind and time', async () => {
    const person = await aFundedPerson(100);
    const friend = await aFundedPerson(0);
    for (let i = 1; i <= 5; i += 1) {
      await platform.query(TRANSFER, { input: { toAccountId: friend.accountId, amount: i, idempotencyKey: key('stmt') } }, { token: person.token });
    }
    await platform.query(TRANSFER, { input: { toStationId: yingbin.id, amount: 4, idempotencyKey: key('stmt') } }, { token: person.token });
    type Page = { pointsAccount: { transactions: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: { node: Tx }[] } } };
    const page = (variables: Record<string, unknown>, token = person.token) => platform.query<Page>(STATEMENT, { id: person.accountId, ...variables }, { token });

    const seen: Tx[] = [];
    let after: string | null = null;
    do {
      const result: GraphQLResult<Page> = await page({ first: 3, after });
      expect(result.errors).toBeUndefined();
      const { edges, pageInfo, totalCount } = result.data!.pointsAccount.transactions;
      expect(totalCount).toBe(7);
      seen.push(...edges.map((edge) => edge.node));
      after = pageInfo.hasNextPage ? pageInfo.endCursor : null;
    } while (after);
    expect(seen.map((tx) => tx.amount)).toEqual([-4, -5, -4, -3, -2, -1, 100]);
    expect(seen.map((tx) => tx.kind)).toEqual(['DONATION', 'TRANSFER', 'TRANSFER', 'TRANSFER', 'TRANSFER', 'TRANSFER', 'ADJUSTMENT']);
    expect(seen[1]!.counterparty?.id).toBe(friend.accountId);
    expect(seen[6]!.counterparty).toBeNull(); // the love bank itself
    const ids = seen.map((tx) => BigInt(tx.id));
    expect([...ids].sort((a, b) => (a > b ? -1 : 1))).toEqual(ids);

    const transfers = await page({ filter: { kinds: ['TRANSFER'] }, first: 2 });
    expect(transfers.data!.pointsAccount.transactions).toMatchObject({ totalCount: 5, pageInfo: { hasNextPage: true } });
    const future = await page({ filter: { from: new Date(Date.now() + 3_600_000).toISOString() } });
    expect(future.data!.pointsAccount.transactions.totalCount).toBe(0);
    const upToNow = await page({ filter: { kinds: ['ADJUSTMENT', 'DONATION'], to: new Date(Date.now() + 60_000).toISOString() } });
    expect(upToNow.data!.pointsAccount.transactions.edges.map((edge) => edge.node.kind)).toEqual(['DONATION', 'ADJUSTMENT']);

    // The friend's statement shows the same transfers from the other side.
    const theirs = await platform.query<Page>(STATEMENT, { id: friend.accountId, first: 1 }, { token: friend.token });
    expect(theirs.data!.pointsAccount.transactions.edges[0]!.node).toMatchObject({ amount: 5, counterparty: { id: person.accountId } });
    expect(errorCodes(await page({}, friend.token))).toEqual(['FORBIDDEN']);
    expect(firstError(await page({ after: 'bm90LWEtY3Vyc29y' }))?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });
});

describe('PracticeUnit.pointsStats', () => {
  it('matches the ledger in SQL for a station, its institute and the center, in one request', async () => {
    // Some of everything at 迎宾: credits, a posted redemption and one waiting for pickup.
    const earner = await aFundedPerson(0);
    const issuance = await systemAccountId(points.manager, 'ISSUANCE');
    const sink = await systemAccountId(points.manager, 'REDEMPTION');
    await points.transaction(async (m) => {
      await postTransaction(m, { kind: 'CREDIT', description: '环境整治 3 小时', createdBy: 'test', serviceRecordId: `sr-${serial}`, postings: [{ accountId: issuance, amount: -30 }, { accountId: earner.accountId, amount: 30 }] });
      await postTransaction(m, { kind: 'REDEMPTION', description: '兑换 洗洁精 ×1', createdBy: 'test', postings: [{ accountId: earner.accountId, amount: -8 }, { accountId: sink, amount: 8 }] });
      const hold = await postTransaction(m, { kind: 'REDEMPTION', pending: true, description: '兑换 大米 ×1', createdBy: 'test', postings: [{ accountId: earner.accountId, amount: -12 }, { accountId: sink, amount: 12 }] });
      const [reward] = await m.query(`INSERT INTO reward (name, kind, price, stock, unit_id, unit_path, created_by) VALUES ('大米', 'GOODS', 12, 10, $1, $2, 'test') RETURNING id`, [yingbin.id, yingbin.path]);
      await m.query(
        `INSERT INTO redemption (reward_id, account_id, person_id, quantity, points, status, pickup_code, station_id, station_path, transaction_id, expires_at)
         VALUES ($1, $2, $3, 1, 12, 'RESERVED', $4, $5, $6, $7, now() + interval '1 day')`,
        [reward.id, earner.accountId, earner.id, `STATS${serial}`, yingbin.id, yingbin.path, hold.id],
      );
    });
    const expected = async (path: string) => {
      const within = `(a.unit_path = $1 OR a.unit_path LIKE $1 || '/%')`;
      const [row] = await points.query(
        `SELECT
           (SELECT coalesce(sum(p.amount), 0)::int FROM posting p JOIN ledger_transaction t ON t.id = p.transaction_id JOIN points_account a ON a.id = p.account_id
             WHERE t.status = 'POSTED' AND t.kind IN ('CREDIT', 'CREDIT_CORRECTION') AND a.kind <> 'SYSTEM' AND ${within}) AS issued,
           (SELECT coalesce(-sum(p.amount), 0)::int FROM posting p JOIN ledger_transaction t ON t.id = p.transaction_id JOIN points_account a ON a.id = p.account_id
             WHERE t.status = 'POSTED' AND t.kind = 'REDEMPTION' AND p.amount < 0 AND a.kind <> 'SYSTEM' AND ${within}) AS redeemed,
           (SELECT coalesce(sum(a.balance), 0)::int FROM points_account a WHERE a.kind <> 'SYSTEM' AND ${within}) AS outstanding,
           (SELECT coalesce(sum(r.points), 0)::int FROM redemption r WHERE r.status = 'RESERVED' AND (r.station_path = $1 OR r.station_path LIKE $1 || '/%')) AS "reservedForPickup"`,
        [path],
      );
      return row;
    };
    const [kz] = await points.query(`SELECT id::text, path FROM unit_ref WHERE level = 'CENTER'`);
    const STATS = `query($a: ID!, $b: ID!, $c: ID!) {
      a: unit(id: $a) { pointsStats { issued redeemed outstanding reservedForPickup } }
      b: unit(id: $b) { pointsStats { issued redeemed outstanding reservedForPickup } }
      c: unit(id: $c) { pointsStats { issued redeemed outstanding reservedForPickup } }
    }`;
    const result = await platform.query<Record<'a' | 'b' | 'c', { pointsStats: Record<string, number> }>>(STATS, { a: yingbin.id, b: hanfeng.id, c: kz.id }, { token: center });
    expect(result.errors).toBeUndefined();
    expect(result.data!.a.pointsStats).toEqual(await expected(yingbin.path));
    expect(result.data!.b.pointsStats).toEqual(await expected(hanfeng.path));
    expect(result.data!.c.pointsStats).toEqual(await expected(kz.path));
    expect(result.data!.a.pointsStats).toMatchObject({ reservedForPickup: expect.any(Number) });
    expect(result.data!.a.pointsStats.issued).toBeGreaterThanOrEqual(30);
    expect(result.data!.a.pointsStats.reservedForPickup).toBeGreaterThanOrEqual(12);

    // Staff read their own subtree only; residents not at all.
    const mine = await platform.query(STATS, { a: yingbin.id, b: yingbin.id, c: yingbin.id }, { token: stationAdmin });
    expect(mine.errors).toBeUndefined();
    expect(errorCodes(await platform.query(STATS, { a: yingbin.id, b: hanfeng.id, c: yingbin.id }, { token: stationAdmin }))).toContain('FORBIDDEN');
    expect(errorCodes(await platform.query(STATS, { a: yingbin.id, b: yingbin.id, c: yingbin.id }, { token: earner.token }))).toContain('FORBIDDEN');
    expect(await checkLedger((sql) => points.query(sql))).toEqual([]);
  });
});
