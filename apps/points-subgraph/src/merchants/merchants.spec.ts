import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { Claims, usccCheckCharacter } from '@kz/auth';
import { RunningSubgraph } from '@kz/subgraph';
import { aCaller, errorCodes, startSubgraphAlone, SubgraphAlone } from '@kz/testing';
import { startPointsSubgraph } from '../app';
import { CENTER, creditTestPoints, insertUnitRefs, OTHER_STATION, STATION } from '../testing/fixtures';
import { ensurePersonAccount } from '../accounts/account-opening';
import { postTransaction, systemAccountId } from '../ledger/ledger';
import { checkLedger } from '../ledger/verify';
import { beijingDay, beijingMonth } from './merchant.service';
import { PaymentCodes } from './payment-code';

let alone: SubgraphAlone<RunningSubgraph>;
let db: DataSource;

/** The clock of payment codes and daily limits: the test moves it instead of waiting. */
let now = new Date('2026-11-20T02:00:00Z'); // 10:00 in Beijing
const advance = (seconds: number) => {
  now = new Date(now.getTime() + seconds * 1000);
};

const stationAdmin = aCaller.staff('STATION_ADMIN', STATION, '9001');
const otherAdmin = aCaller.staff('STATION_ADMIN', OTHER_STATION, '9002');
const centerAdmin = aCaller.staff('CENTER_ADMIN', CENTER, '9003');
const cashier: Claims = { sub: '9500', roles: ['MERCHANT'] };
const otherCashier: Claims = { sub: '9501', roles: ['MERCHANT'] };

beforeAll(async () => {
  alone = await startSubgraphAlone('POINTS_DATABASE', (config) => startPointsSubgraph(config, { port: 0, now: () => now }));
  db = alone.running.dataSource;
  await insertUnitRefs(db);
});
afterAll(() => alone?.stop());

let nextPerson = 7000;
/** A person (by id) holding `points`. */
async function aVolunteer(points: number): Promise<Claims> {
  nextPerson += 1;
  const personId = String(nextPerson);
  await db.transaction((manager) => creditTestPoints(manager, personId, points));
  return { sub: personId, roles: ['VOLUNTEER'] };
}

const balanceOf = async (personId: string): Promise<number> =>
  (await db.query('SELECT balance::int AS b FROM points_account WHERE person_id = $1', [personId]))[0].b;
const merchantBalance = async (merchantId: string): Promise<number> =>
  (await db.query('SELECT a.balance::int AS b FROM merchant m JOIN points_account a ON a.id = m.account_id WHERE m.id = $1', [merchantId]))[0].b;

const CREATE_MERCHANT = `mutation($input: CreateMerchantInput!) { createMerchant(input: $input) { id name cardNumber unit { id } } }`;
const ADD_STAFF = `mutation($input: AddMerchantStaffInput!) { addMerchantStaff(input: $input) { id staffPersonIds } }`;
const CREATE_OFFER = `mutation($input: CreateMerchantOfferInput!) { createMerchantOffer(input: $input) { id price stock available } }`;
const UPDATE_OFFER = `mutation($input: UpdateMerchantOfferInput!) { updateMerchantOffer(input: $input) { id price stock dailyLimit } }`;
const CODE = `{ myPaymentCode { code expiresAt } }`;
const REDEEM = `mutation($input: RedeemMerchantOfferInput!) { redeemMerchantOffer(input: $input) { id points quantity payerCardNumber transactionId offer { id } merchant { id } } }`;
const STATEMENT = `query($id: ID!, $month: String!) { merchantStatement(merchantId: $id, month: $month) {
  month totalQuantity totalPoints refundedPoints netPoints ledgerPoints fileName csv lines { id points quantity payerCardNumber transactionId }
  refunds { redemptionId points } } }`;
type Statement = {
  totalPoints: number;
  refundedPoints: number;
  netPoints: number;
  ledgerPoints: number;
  totalQuantity: number;
  lines: { id: string; points: number; transactionId: string }[];
  refunds: { redemptionId: string; points: number }[];
  csv: string;
  fileName: string;
};

type Redeemed = { id: string; points: number; quantity: number; payerCardNumber: string; transactionId: string };

async function aMerchant(name: string, staff: Claims, unit = STATION, admin = stationAdmin): Promise<string> {
  const created = await alone.ask<{ createMerchant: { id: string } }>(CREATE_MERCHANT, { input: { unitId: unit.id, name, contactPhone: '13800138000' } }, admin);
  expect(created.errors).toBeUndefined();
  const id = created.data!.createMerchant.id;
  const bound = await alone.ask(ADD_STAFF, { input: { merchantId: id, personId: staff.sub } }, admin);
  expect(bound.errors).toBeUndefined();
  return id;
}

async function anOffer(merchantId: string, input: Record<string, unknown> = {}, by: Claims = cashier): Promise<string> {
  const result = await alone.ask<{ createMerchantOffer: { id: string } }>(CREATE_OFFER, { input: { merchantId, name: '理发八折券', kind: 'DISCOUNT', price: 20, ...input } }, by);
  expect(result.errors).toBeUndefined();
  return result.data!.createMerchantOffer.id;
}

async function aCode(volunteer: Claims): Promise<string> {
  const result = await alone.ask<{ myPaymentCode: { code: string; expiresAt: string } }>(CODE, {}, volunteer);
  expect(result.errors).toBeUndefined();
  return result.data!.myPaymentCode.code;
}

const redeem = (offerId: string, paymentCode: string, by: Claims = cashier, quantity = 1, idempotencyKey = randomUUID()) =>
  alone.ask<{ redeemMerchantOffer: Redeemed }>(REDEEM, { input: { offerId, paymentCode, quantity, idempotencyKey } }, by);

/** Why a payment was refused, as `extensions.reason` names it (each refusal also has its own message key). */
const reasonOf = (result: { errors?: readonly { extensions?: Record<string, unknown> }[] }) => result.errors?.[0]?.extensions?.reason;

/** A USCC whose check character is wrong. */
const wrongCheck = (body: string) => `${body}${usccCheckCharacter(body) === '1' ? '2' : '1'}`;

let merchantId: string;
let otherMerchantId: string;

describe('merchants and their staff', () => {
  it('an admin opens a merchant at a unit of their subtree, with a MERCHANT account in the ledger, and binds its staff', async () => {
    merchantId = await aMerchant('开州区惠民超市', cashier);
    otherMerchantId = await aMerchant('永先理发店', otherCashier, OTHER_STATION, otherAdmin);
    const [account] = await db.query('SELECT a.kind, a.unit_path FROM merchant m JOIN points_account a ON a.id = m.account_id WHERE m.id = $1', [merchantId]);
    expect(account).toEqual({ kind: 'MERCHANT', unit_path: STATION.path });
    const outside = await alone.ask(CREATE_MERCHANT, { input: { unitId: STATION.id, name: '越权商家' } }, otherAdmin);
    expect(errorCodes(outside)).toEqual(['FORBIDDEN']);
    const byCashier = await alone.ask(CREATE_MERCHANT, { input: { unitId: STATION.id, name: '自建商家' } }, cashier);
    expect(errorCodes(byCashier)).toEqual(['FORBIDDEN']);
    const badUscc = await alone.ask(CREATE_MERCHANT, { input: { unitId: STATION.id, name: '商家', uscc: wrongCheck('91500234MA6000000') } }, stationAdmin);
    expect(errorCodes(badUscc)).toEqual(['BAD_USER_INPUT']);
  });

  it('a person works for one merchant: binding them to another is CONFLICT; to the same one changes nothing', async () => {
    const again = await alone.ask<{ addMerchantStaff: { staffPersonIds: string[] } }>(ADD_STAFF, { input: { merchantId, personId: cashier.sub } }, stationAdmin);
    expect(again.data?.addMerchantStaff.staffPersonIds).toEqual([cashier.sub]);
    const taken = await alone.ask(ADD_STAFF, { input: { merchantId: otherMerchantId, personId: cashier.sub } }, centerAdmin);
    expect(errorCodes(taken)).toEqual(['CONFLICT']);
    expect(taken.errors?.[0]?.message).toContain('already works for another merchant');
  });

  it("a merchant's staff manage their own merchant's offers and see nothing of another merchant", async () => {
    const offerId = await anOffer(merchantId, { name: '大米（5公斤）', kind: 'GOODS', price: 50, stock: 10 });
    const updated = await alone.ask<{ updateMerchantOffer: { price: number; stock: number | null } }>(UPDATE_OFFER, { input: { id: offerId, price: 45, stock: null } }, cashier);
    expect(updated.data?.updateMerchantOffer).toMatchObject({ price: 45, stock: null });
    expect(errorCodes(await alone.ask(UPDATE_OFFER, { input: { id: offerId, price: 1 } }, otherCashier))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await alone.ask(CREATE_OFFER, { input: { merchantId, name: '假券', kind: 'DISCOUNT', price: 1 } }, otherCashier))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await alone.ask(CREATE_OFFER, { input: { merchantId, name: '假券', kind: 'DISCOUNT', price: 1 } }, aCaller.resident('7999')))).toEqual(['FORBIDDEN']);
    const other = await alone.ask(`query($id: ID!) { merchant(id: $id) { id name } }`, { id: merchantId }, otherCashier);
    expect(errorCodes(other)).toEqual(['FORBIDDEN']);
    const statement = await alone.ask(STATEMENT, { id: merchantId, month: '2026-11' }, otherCashier);
    expect(errorCodes(statement)).toEqual(['FORBIDDEN']);
    const mine = await alone.ask<{ merchants: { id: string }[] }>(`{ merchants { id } }`, {}, cashier);
    expect(mine.data?.merchants).toEqual([{ id: merchantId }]);
    // A volunteer sees the public face: the offers available now, not the balance.
    const seen = await alone.ask<{ merchant: { offers: { id: string }[]; balance: number | null } }>(
      `query($id: ID!) { merchant(id: $id) { offers { id } balance } }`,
      { id: merchantId },
      await aVolunteer(0),
    );
    expect(seen.data?.merchant.offers.map((o) => o.id)).toContain(offerId);
    expect(seen.data?.merchant.balance).toBeNull();
    expect(errorCodes(seen)).toEqual(['FORBIDDEN']);
  });
});

describe('redeeming with a payment code', () => {
  let offerId: string;
  beforeAll(async () => {
    offerId = await anOffer(merchantId, { name: '洗衣五折券', price: 20 });
  });

  it('moves the points from the volunteer to the merchant through the ledger, once per idempotency key', async () => {
    const volunteer = await aVolunteer(100);
    const code = await aCode(volunteer);
    const before = await merchantBalance(merchantId);
    const key = randomUUID();
    const first = await redeem(offerId, code, cashier, 2, key);
    expect(first.errors).toBeUndefined();
    expect(first.data!.redeemMerchantOffer).toMatchObject({ points: 40, quantity: 2 });
    expect(first.data!.redeemMerchantOffer.payerCardNumber).toMatch(/^KZ \*{4} \*{2}\d{2} \d{2}-\d$/);
    const again = await redeem(offerId, code, cashier, 2, key);
    expect(again.data!.redeemMerchantOffer.id).toBe(first.data!.redeemMerchantOffer.id);
    expect(await balanceOf(volunteer.sub)).toBe(60);
    expect(await merchantBalance(merchantId)).toBe(before + 40);
    const [event] = await db.query(`SELECT payload FROM outbox WHERE type = 'points.merchant.redeemed' AND payload->>'merchantRedemptionId' = $1`, [
      first.data!.redeemMerchantOffer.id,
    ]);
    expect(event.payload).toMatchObject({ merchantName: '开州区惠民超市', offerName: '洗衣五折券', personId: volunteer.sub, points: 40, quantity: 2 });
    expect(await checkLedger((sql) => db.query(sql))).toEqual([]);
  });

  it('refuses a used code (CONFLICT, points.paymentCodeUsed) and moves nothing', async () => {
    const volunteer = await aVolunteer(100);
    const code = await aCode(volunteer);
    expect((await redeem(offerId, code)).errors).toBeUndefined();
    const reused = await redeem(offerId, code);
    expect(errorCodes(reused)).toEqual(['CONFLICT']);
    expect(reasonOf(reused)).toBe('USED');
    expect(await balanceOf(volunteer.sub)).toBe(80);
  });

  it('refuses an expired code (CONFLICT, points.paymentCodeExpired) once the clock passes its time, and moves nothing', async () => {
    const volunteer = await aVolunteer(100);
    const code = await aCode(volunteer);
    advance(alone.config.PAYMENT_CODE_TTL_SECONDS);
    const expired = await redeem(offerId, code);
    expect(errorCodes(expired)).toEqual(['CONFLICT']);
    expect(reasonOf(expired)).toBe('EXPIRED');
    expect(await balanceOf(volunteer.sub)).toBe(100);
    // One second before its time it was still good.
    const fresh = await aCode(volunteer);
    advance(alone.config.PAYMENT_CODE_TTL_SECONDS - 1);
    expect((await redeem(offerId, fresh)).errors).toBeUndefined();
    expect(await balanceOf(volunteer.sub)).toBe(80);
  });

  it('refuses a forged or altered code (BAD_USER_INPUT, points.paymentCodeInvalid) and moves nothing', async () => {
    const volunteer = await aVolunteer(100);
    const victim = await aVolunteer(100);
    const code = await aCode(volunteer);
    // The same code with the holder changed to someone else, and one signed with another key.
    const altered = code.replace(`KZPAY1.${volunteer.sub}.`, `KZPAY1.${victim.sub}.`);
    const foreign = new PaymentCodes('another-secret-of-at-least-32-characters', 60).issue(victim.sub, now).code;
    for (const forged of [altered, foreign, 'KZPAY1.1.2.3.4', '随便写的']) {
      const result = await redeem(offerId, forged);
      expect(errorCodes(result)).toEqual(['BAD_USER_INPUT']);
      expect(reasonOf(result)).toBe('FORGED');
    }
    expect([await balanceOf(volunteer.sub), await balanceOf(victim.sub)]).toEqual([100, 100]);
  });

  it('refuses too few points (INSUFFICIENT_POINTS) without spending the code: after a top-up the same code pays', async () => {
    const volunteer = await aVolunteer(10);
    const code = await aCode(volunteer);
    expect(errorCodes(await redeem(offerId, code))).toEqual(['INSUFFICIENT_POINTS']);
    expect(await balanceOf(volunteer.sub)).toBe(10);
    await db.transaction(async (manager) => {
      const account = await ensurePersonAccount(manager, volunteer.sub);
      await postTransaction(manager, {
        kind: 'CREDIT',
        description: 'top-up',
        createdBy: 'test',
        postings: [{ accountId: await systemAccountId(manager, 'ISSUANCE'), amount: -10 }, { accountId: account.id, amount: 10 }],
      });
    });
    expect((await redeem(offerId, code)).errors).toBeUndefined();
    expect(await balanceOf(volunteer.sub)).toBe(0);
  });

  it("only the offer's merchant's staff redeem: another merchant's staff and admins are FORBIDDEN", async () => {
    const volunteer = await aVolunteer(100);
    const code = await aCode(volunteer);
    expect(errorCodes(await redeem(offerId, code, otherCashier))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await redeem(offerId, code, stationAdmin))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await redeem(offerId, code, volunteer))).toEqual(['FORBIDDEN']);
    expect(await balanceOf(volunteer.sub)).toBe(100);
  });
});

describe('daily limits, per Beijing day', () => {
  it('refuses a redemption over the per-person limit (CONFLICT, points.merchantDailyLimit) until the next Beijing day', async () => {
    now = new Date('2026-11-21T15:00:00Z'); // 23:00 in Beijing
    const offerId = await anOffer(merchantId, { name: '豆浆一杯', price: 5, perPersonDailyLimit: 2 });
    const volunteer = await aVolunteer(100);
    expect((await redeem(offerId, await aCode(volunteer), cashier, 2)).errors).toBeUndefined();
    const over = await redeem(offerId, await aCode(volunteer));
    expect(errorCodes(over)).toEqual(['CONFLICT']);
    expect(reasonOf(over)).toBe('DAILY_LIMIT');
    expect(over.errors?.[0]?.extensions).toMatchObject({ scope: 'PERSON', limit: 2, used: 2 });
    expect(await balanceOf(volunteer.sub)).toBe(90);
    advance(3600); // 00:00 in Beijing: a new day
    expect(beijingDay(now)).toBe('2026-11-22');
    expect((await redeem(offerId, await aCode(volunteer))).errors).toBeUndefined();
    expect(await balanceOf(volunteer.sub)).toBe(85);
  });

  it("refuses a redemption over the offer's daily limit for everyone", async () => {
    const offerId = await anOffer(merchantId, { name: '包子两个', price: 3, dailyLimit: 3 });
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await redeem(offerId, await aCode(await aVolunteer(10))));
    expect(results.map((r) => errorCodes(r)[0] ?? 'OK')).toEqual(['OK', 'OK', 'OK', 'CONFLICT']);
    expect(results[3]!.errors?.[0]?.extensions).toMatchObject({ scope: 'OFFER', limit: 3, used: 3 });
  });
});

describe('concurrency', () => {
  it('N concurrent redemptions of an offer with stock S sell exactly S, and the merchant receives exactly S × price', async () => {
    const [N, S, PRICE] = [40, 7, 9];
    const offerId = await anOffer(merchantId, { name: '抢购鸡蛋', kind: 'GOODS', price: PRICE, stock: S });
    const volunteers = await Promise.all(Array.from({ length: N }, () => aVolunteer(50)));
    const codes = await Promise.all(volunteers.map(aCode));
    const before = await merchantBalance(merchantId);
    const results = await Promise.all(codes.map((code) => redeem(offerId, code)));
    const outcomes = results.map((r) => errorCodes(r)[0] ?? 'OK');
    expect(outcomes.filter((o) => o === 'OK')).toHaveLength(S);
    expect(outcomes.filter((o) => o !== 'OK').every((o) => o === 'OUT_OF_STOCK')).toBe(true);
    const [{ stock }] = await db.query('SELECT stock FROM merchant_offer WHERE id = $1', [offerId]);
    expect(stock).toBe(0);
    expect(await merchantBalance(merchantId)).toBe(before + S * PRICE);
    const spent = await Promise.all(volunteers.map((v) => balanceOf(v.sub)));
    expect(spent.filter((b) => b === 50 - PRICE)).toHaveLength(S);
    expect(spent.filter((b) => b === 50)).toHaveLength(N - S);
    expect(await checkLedger((sql) => db.query(sql))).toEqual([]);
  });

  it('one code used twice at once (two keys, two offers) pays once', async () => {
    const offerA = await anOffer(merchantId, { name: '面条一碗', price: 8 });
    const offerB = await anOffer(merchantId, { name: '馄饨一碗', price: 8 });
    const volunteer = await aVolunteer(100);
    const code = await aCode(volunteer);
    const results = await Promise.all([redeem(offerA, code), redeem(offerB, code), redeem(offerA, code)]);
    const outcomes = results.map((r) => (r.errors ? reasonOf(r) : 'OK'));
    expect(outcomes.filter((o) => o === 'OK')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'USED')).toHaveLength(2);
    expect(await balanceOf(volunteer.sub)).toBe(92);
  });

  it('the same idempotency key sent concurrently redeems once and answers the same redemption', async () => {
    const offerId = await anOffer(merchantId, { name: '酸奶一瓶', price: 6 });
    const volunteer = await aVolunteer(100);
    const code = await aCode(volunteer);
    const key = randomUUID();
    const results = await Promise.all(Array.from({ length: 5 }, () => redeem(offerId, code, cashier, 1, key)));
    expect(results.every((r) => r.errors === undefined)).toBe(true);
    expect(new Set(results.map((r) => r.data!.redeemMerchantOffer.id)).size).toBe(1);
    expect(await balanceOf(volunteer.sub)).toBe(94);
  });
});

describe('the monthly settlement statement', () => {
  it('lists the month’s redemptions and refunds with totals and CSV, and agrees with the ledger', async () => {
    const before = (await alone.ask<{ merchantStatement: Statement }>(STATEMENT, { id: merchantId, month: '2026-11' }, cashier)).data!.merchantStatement;
    // A refund: the reversal of one redemption's transaction, as reverseTransaction writes it, dated by the test's
    // clock (November) so that it falls in the statement's month.
    const refunded = before.lines[0]!;
    await db.transaction(async (manager) => {
      const postings: { accountId: string; amount: string }[] = await manager.query(
        'SELECT account_id::text AS "accountId", amount FROM posting WHERE transaction_id = $1',
        [refunded.transactionId],
      );
      await postTransaction(manager, {
        kind: 'REVERSAL',
        description: '冲正：顾客退货',
        createdBy: centerAdmin.sub,
        reversesId: refunded.transactionId,
        reversedKind: 'REDEMPTION',
        postings: postings.map((p) => ({ accountId: p.accountId, amount: -Number(p.amount) })),
        createdAt: now,
      });
    });
    const result = await alone.ask<{ merchantStatement: Statement }>(STATEMENT, { id: merchantId, month: '2026-11' }, cashier);
    expect(result.errors).toBeUndefined();
    const statement = result.data!.merchantStatement;
    expect(statement.lines.length).toBeGreaterThan(10);
    expect(statement.totalPoints).toBe(statement.lines.reduce((sum, line) => sum + line.points, 0));
    expect(statement.refunds).toEqual([{ redemptionId: refunded.id, points: refunded.points }]);
    expect(statement.netPoints).toBe(statement.totalPoints - refunded.points);
    expect(statement.ledgerPoints).toBe(statement.netPoints);
    expect(statement.netPoints).toBe(await merchantBalance(merchantId)); // every movement of this test is dated in November
    expect(statement.fileName).toBe(`merchant-${merchantId}-2026-11.csv`);
    const rows = statement.csv.replace(/^\uFEFF/, '').trimEnd().split('\r\n');
    expect(rows[0]).toBe('类型,兑换编号,时间,优惠,数量,积分,付款卡号,交易编号');
    expect(rows).toHaveLength(statement.lines.length + 2);
    expect(rows.at(-1)).toMatch(new RegExp(`^冲正,${refunded.id},`));
    expect(rows.slice(1).reduce((sum, row) => sum + Number(row.split(',')[5]), 0)).toBe(statement.netPoints);
    expect(await checkLedger((sql) => db.query(sql))).toEqual([]);
    // The admins of its unit read it too; an empty month is empty.
    const october = await alone.ask<{ merchantStatement: { totalPoints: number; lines: unknown[] } }>(STATEMENT, { id: merchantId, month: '2026-10' }, stationAdmin);
    expect(october.data?.merchantStatement).toMatchObject({ totalPoints: 0, lines: [] });
    expect(errorCodes(await alone.ask(STATEMENT, { id: merchantId, month: '2026-11' }, otherAdmin))).toEqual(['FORBIDDEN']);
    const badMonth = await alone.ask(STATEMENT, { id: merchantId, month: '2026-13' }, cashier);
    expect(errorCodes(badMonth)).toEqual(['BAD_USER_INPUT']);
    expect(badMonth.errors?.[0]?.extensions?.field).toBe('month');
  });

  it('months are Beijing months', () => {
    expect(beijingMonth('2026-11')).toEqual({ from: new Date('2026-10-31T16:00:00Z'), to: new Date('2026-11-30T16:00:00Z') });
    expect(beijingMonth('2026-12')!.to).toEqual(new Date('2026-12-31T16:00:00Z'));
    expect(beijingMonth('26-1')).toBeNull();
  });
});

describe('finding offers', () => {
  const OFFERS = `query($unitId: ID) { merchantOffers(unitId: $unitId, first: 100) { id merchant { id } } }`;

  it('shows payers the offers available now in a subtree, and a merchant’s staff only their own', async () => {
    const theirs = await anOffer(otherMerchantId, { name: '洗剪吹九折', price: 15 }, otherCashier);
    const ended = await anOffer(merchantId, { name: '过期券', price: 1, activeFrom: new Date(now.getTime() - 7200_000).toISOString(), activeUntil: new Date(now.getTime() - 3600_000).toISOString() });
    const soldOut = await anOffer(merchantId, { name: '售罄商品', kind: 'GOODS', price: 1, stock: 0 });
    const volunteer = await aVolunteer(0);
    const atStation = await alone.ask<{ merchantOffers: { id: string; merchant: { id: string } }[] }>(OFFERS, { unitId: STATION.id }, volunteer);
    expect(atStation.errors).toBeUndefined();
    const ids = atStation.data!.merchantOffers.map((o) => o.id);
    expect(ids.length).toBeGreaterThan(0);
    expect(atStation.data!.merchantOffers.every((o) => o.merchant.id === merchantId)).toBe(true);
    expect(ids).not.toContain(ended);
    expect(ids).not.toContain(soldOut);
    const everywhere = (await alone.ask<{ merchantOffers: { id: string }[] }>(OFFERS, {}, volunteer)).data!.merchantOffers.map((o) => o.id);
    expect(everywhere).toContain(theirs);
    const own = await alone.ask<{ merchantOffers: { merchant: { id: string } }[] }>(OFFERS, {}, otherCashier);
    expect(own.data!.merchantOffers.map((o) => o.merchant.id)).toEqual([otherMerchantId]);
    // An offer outside its window: hidden from payers, shown to the merchant's staff.
    const OFFER = `query($id: ID!) { merchantOffer(id: $id) { id available } }`;
    expect(errorCodes(await alone.ask(OFFER, { id: ended }, volunteer))).toEqual(['FORBIDDEN']);
    expect((await alone.ask<{ merchantOffer: { available: boolean } }>(OFFER, { id: ended }, cashier)).data!.merchantOffer.available).toBe(false);
    expect(errorCodes(await alone.ask(OFFER, { id: ended }, otherCashier))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await alone.ask(OFFERS, {}, aCaller.staff('ANALYST', STATION, '9004')))).toEqual(['FORBIDDEN']);
  });
});
