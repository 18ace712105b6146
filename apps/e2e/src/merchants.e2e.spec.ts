import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { upsertUnitRefs, UnitRef } from '@kz/org-replica';
import { ensurePersonAccount, postTransaction, systemAccountId } from '@kz/points-subgraph';
import { errorCodes } from '@kz/testing';
import { Platform, startPlatform } from './stack';

/**
 * Partner merchants (爱心商家) through the gateway, on the real stack with the demo set: the station admin of 迎宾社区
 * opens a merchant and a MERCHANT staff account for it, the merchant's staff member signs in and creates an offer,
 * volunteer 何毅 shows a payment code, the staff member redeems it, the points move, a second use is refused, the
 * month's statement comes as CSV, and `npm run ledger:verify` finds the ledger and the statement in agreement.
 */

const STATION_ADMIN = '13900230005'; // 迎宾社区
const HE_YI = '13900230007'; // volunteer of 迎宾社区
const WORKSPACE = join(__dirname, '..', '..', '..');

let platform: Platform;
let yingbin: { id: string; path: string };
let stationAdmin: string;
let heYi: string;
let heYiPersonId: string;

beforeAll(async () => {
  platform = await startPlatform({ seed: 'demo' });
  // The points replica of the org tree, as the org events would fill it.
  const units: UnitRef[] = await platform.org.query('SELECT id::text, code, path, level, name FROM practice_unit');
  await upsertUnitRefs(platform.points.manager, units, new Date().toISOString());
  yingbin = await platform.unit('KZ-HANFENG-YINGBIN');
  stationAdmin = await platform.login(STATION_ADMIN);
  heYi = await platform.login(HE_YI);
  [{ id: heYiPersonId }] = await platform.volunteers.query('SELECT id::text FROM person WHERE mobile = $1', [HE_YI]);
  // 何毅's points, as verified hours would have credited them.
  await platform.points.transaction(async (manager) => {
    const account = await ensurePersonAccount(manager, heYiPersonId, yingbin);
    await postTransaction(manager, {
      kind: 'CREDIT',
      description: '志愿服务积分',
      createdBy: 'test',
      postings: [{ accountId: await systemAccountId(manager, 'ISSUANCE'), amount: -300 }, { accountId: account.id, amount: 300 }],
    });
  });
}, 120_000);

afterAll(async () => {
  await platform?.stop();
});

async function must<T>(query: string, variables: Record<string, unknown>, token: string): Promise<T> {
  const result = await platform.query<T>(query, variables, { token });
  if (result.errors) throw new Error(`${query.slice(0, 60)}: ${JSON.stringify(result.errors)}`);
  return result.data!;
}

const available = async (token: string) => (await must<{ myAccount: { available: number } }>(`{ myAccount { available } }`, {}, token)).myAccount.available;

/** The code with the first character of its MAC changed. */
const tampered = (code: string) => {
  const parts = code.split('.');
  const mac = parts[4]!;
  parts[4] = `${mac[0] === 'A' ? 'B' : 'A'}${mac.slice(1)}`;
  return parts.join('.');
};

/** `YYYY-MM` of now in Beijing. */
const beijingMonthNow = () => new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 7);

describe('partner merchants through the gateway', () => {
  let merchantId: string;
  let cashier: string;
  let offerId: string;
  let code: string;

  it('an admin opens a merchant at their station and a MERCHANT staff account, bound to it; the staff member signs in', async () => {
    const created = await must<{ createMerchant: { id: string; name: string; cardNumber: string; unit: { name: string } } }>(
      `mutation($input: CreateMerchantInput!) { createMerchant(input: $input) { id name cardNumber unit { name } } }`,
      { input: { unitId: yingbin.id, name: '迎宾惠民超市', contactName: '李店长', contactPhone: '13800138000', address: '迎宾大道 18 号' } },
      stationAdmin,
    );
    expect(created.createMerchant).toMatchObject({ name: '迎宾惠民超市', unit: { name: '迎宾社区新时代文明实践站' } });
    expect(created.createMerchant.cardNumber).toMatch(/^KZ \d{4} \d{4} \d{2}-\d$/);
    merchantId = created.createMerchant.id;

    const mobile = '13600239901';
    const staff = await must<{ createStaffAccount: { id: string; roles: string[] } }>(
      `mutation($input: CreateStaffAccountInput!) { createStaffAccount(input: $input) { id roles } }`,
      { input: { realName: '李收银', mobile, initialPassword: 'shouyin2026', role: 'MERCHANT', unitId: yingbin.id } },
      stationAdmin,
    );
    expect(staff.createStaffAccount.roles).toEqual(['RESIDENT', 'MERCHANT']);
    const bound = await must<{ addMerchantStaff: { staffPersonIds: string[] } }>(
      `mutation($input: AddMerchantStaffInput!) { addMerchantStaff(input: $input) { staffPersonIds } }`,
      { input: { merchantId, personId: staff.createStaffAccount.id } },
      stationAdmin,
    );
    expect(bound.addMerchantStaff.staffPersonIds).toEqual([staff.createStaffAccount.id]);
    cashier = await platform.login(mobile, 'shouyin2026');
    const mine = await must<{ merchants: { id: string }[] }>(`{ merchants { id } }`, {}, cashier);
    expect(mine.merchants).toEqual([{ id: merchantId }]);
  });

  it("the merchant's staff create an offer, which volunteers then find", async () => {
    const created = await must<{ createMerchantOffer: { id: string; available: boolean } }>(
      `mutation($input: CreateMerchantOfferInput!) { createMerchantOffer(input: $input) { id available } }`,
      { input: { merchantId, name: '挂面一把', description: '爱心价', kind: 'GOODS', price: 30, stock: 10, perPersonDailyLimit: 2 } },
      cashier,
    );
    expect(created.createMerchantOffer.available).toBe(true);
    offerId = created.createMerchantOffer.id;
    const found = await must<{ merchantOffers: { id: string; merchant: { name: string } }[] }>(
      `query($unitId: ID) { merchantOffers(unitId: $unitId) { id merchant { name } } }`,
      { unitId: yingbin.id },
      heYi,
    );
    expect(found.merchantOffers).toContainEqual({ id: offerId, merchant: { name: '迎宾惠民超市' } });
  });

  it('the volunteer shows a payment code; the merchant redeems it and the points move to the merchant', async () => {
    const issued = await must<{ myPaymentCode: { code: string; expiresAt: string } }>(`{ myPaymentCode { code expiresAt } }`, {}, heYi);
    code = issued.myPaymentCode.code;
    const ttl = new Date(issued.myPaymentCode.expiresAt).getTime() - Date.now();
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(platform.config.PAYMENT_CODE_TTL_SECONDS * 1000);
    const before = await available(heYi);
    const redeemed = await must<{ redeemMerchantOffer: { points: number; quantity: number; offer: { name: string }; merchant: { balance: number } } }>(
      `mutation($input: RedeemMerchantOfferInput!) { redeemMerchantOffer(input: $input) { points quantity offer { name } merchant { balance } } }`,
      { input: { offerId, paymentCode: code, quantity: 2, idempotencyKey: randomUUID() } },
      cashier,
    );
    expect(redeemed.redeemMerchantOffer).toEqual({ points: 60, quantity: 2, offer: { name: '挂面一把' }, merchant: { balance: 60 } });
    expect(await available(heYi)).toBe(before - 60);
    const [event] = await platform.points.query(`SELECT payload FROM outbox WHERE type = 'points.merchant.redeemed'`);
    expect(event.payload).toMatchObject({ merchantName: '迎宾惠民超市', offerName: '挂面一把', personId: heYiPersonId, points: 60 });
  });

  it('refuses the same code again, and a fresh code over the daily limit: clear codes, nothing moved', async () => {
    const before = await available(heYi);
    const REDEEM = `mutation($input: RedeemMerchantOfferInput!) { redeemMerchantOffer(input: $input) { id } }`;
    const reused = await platform.query(REDEEM, { input: { offerId, paymentCode: code, quantity: 1, idempotencyKey: randomUUID() } }, { token: cashier });
    expect(reused.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', reason: 'USED', field: 'input.paymentCode' });
    expect(reused.errors?.[0]?.message).toContain('already been used');
    const fresh = (await must<{ myPaymentCode: { code: string } }>(`{ myPaymentCode { code } }`, {}, heYi)).myPaymentCode.code;
    const over = await platform.query(REDEEM, { input: { offerId, paymentCode: fresh, quantity: 1, idempotencyKey: randomUUID() } }, { token: cashier });
    expect(over.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', reason: 'DAILY_LIMIT', scope: 'PERSON', limit: 2, used: 2 });
    const zh = await platform.query(REDEEM, { input: { offerId, paymentCode: fresh, quantity: 1, idempotencyKey: randomUUID() } }, { token: cashier, headers: { 'accept-language': 'zh-CN' } });
    expect(zh.errors?.[0]?.message).toContain('每人每天限兑 2 份');
    const forged = await platform.query(REDEEM, { input: { offerId, paymentCode: tampered(fresh), quantity: 1, idempotencyKey: randomUUID() } }, { token: cashier });
    expect(forged.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'FORGED', field: 'input.paymentCode' });
    expect(await available(heYi)).toBe(before);
    // A volunteer cannot redeem for themselves, nor an admin at the counter.
    expect(errorCodes(await platform.query(REDEEM, { input: { offerId, paymentCode: fresh, quantity: 1, idempotencyKey: randomUUID() } }, { token: heYi }))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await platform.query(REDEEM, { input: { offerId, paymentCode: fresh, quantity: 1, idempotencyKey: randomUUID() } }, { token: stationAdmin }))).toEqual(['FORBIDDEN']);
  });

  it("gives the month's statement as CSV, to the merchant and its admins only, and ledger:verify agrees", async () => {
    const month = beijingMonthNow();
    const STATEMENT = `query($id: ID!, $month: String!) { merchantStatement(merchantId: $id, month: $month) {
      month totalQuantity totalPoints netPoints ledgerPoints fileName csv lines { quantity points payerCardNumber } } }`;
    const { merchantStatement } = await must<{
      merchantStatement: { totalQuantity: number; totalPoints: number; netPoints: number; ledgerPoints: number; fileName: string; csv: string; lines: { payerCardNumber: string }[] };
    }>(STATEMENT, { id: merchantId, month }, cashier);
    expect(merchantStatement).toMatchObject({ totalQuantity: 2, totalPoints: 60, netPoints: 60, ledgerPoints: 60, fileName: `merchant-${merchantId}-${month}.csv` });
    expect(merchantStatement.lines[0]!.payerCardNumber).toMatch(/^KZ \*{4} \*{2}\d{2} \d{2}-\d$/);
    const rows = merchantStatement.csv.replace(/^\uFEFF/, '').trimEnd().split('\r\n');
    expect(rows[0]).toBe('类型,兑换编号,时间,优惠,数量,积分,付款卡号,交易编号');
    expect(rows[1]).toMatch(/^兑换,\d+,\d{4}-\d{2}-\d{2} \d{2}:\d{2},挂面一把,2,60,KZ \*{4} \*{2}\d{2} \d{2}-\d,\d+$/);
    expect((await platform.query(STATEMENT, { id: merchantId, month }, { token: stationAdmin })).errors).toBeUndefined();
    const elsewhere = await platform.tokenAs('STATION_ADMIN', 'KZ-YUNFENG-YONGXIAN', '800001');
    expect(errorCodes(await platform.query(STATEMENT, { id: merchantId, month }, { token: elsewhere }))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await platform.query(STATEMENT, { id: merchantId, month }, { token: heYi }))).toEqual(['FORBIDDEN']);

    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'tools/src/ledger-verify/main.ts', '--database', platform.config.POINTS_DATABASE],
      { cwd: WORKSPACE, env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'silent' } },
    );
    expect(stdout).toMatch(/^ledger OK: \d+ transactions, \d+ postings, \d+ accounts, 1 merchant statements in /m);
  });
});
