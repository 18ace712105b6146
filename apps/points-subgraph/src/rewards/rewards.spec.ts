import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { Claims } from '@kz/auth';
import { catalog, EventEnvelope, EventHandler } from '@kz/events';
import { RunningSubgraph, SQL_STATEMENTS_HEADER } from '@kz/subgraph';
import { aCaller, errorCodes, startSubgraphAlone, SubgraphAlone } from '@kz/testing';
import { startPointsSubgraph } from '../app';
import { CENTER, creditTestPoints, insertUnitRefs, OTHER_STATION, STATION } from '../testing/fixtures';
import { ensurePersonAccount } from '../accounts/account-opening';
import { postTransaction, systemAccountId } from '../ledger/ledger';
import { newPickupCode, normalizePickupCode, PICKUP_ALPHABET } from './pickup-code';
import { redemptionInboxHandlers } from './redemption.handlers';
import { ExpiryNotDue, insertWithPickupCode } from './redemption.service';

let alone: SubgraphAlone<RunningSubgraph>;
let db: DataSource;

const stationAdmin = aCaller.staff('STATION_ADMIN', STATION, '9001');
const otherAdmin = aCaller.staff('STATION_ADMIN', OTHER_STATION, '9002');
const centerAdmin = aCaller.staff('CENTER_ADMIN', CENTER, '9003');

beforeAll(async () => {
  alone = await startSubgraphAlone('POINTS_DATABASE', (config) => startPointsSubgraph(config, { port: 0 }));
  db = alone.running.dataSource;
  await insertUnitRefs(db);
});
afterAll(() => alone?.stop());

let nextPerson = 5000;
/** A person (by id) holding `points`. */
async function aPerson(points: number): Promise<Claims> {
  nextPerson += 1;
  const personId = String(nextPerson);
  await db.transaction((manager) => creditTestPoints(manager, personId, points));
  return { sub: personId, roles: ['RESIDENT'] };
}

const REWARD_FIELDS = 'id name kind price stock perPersonLimit limitPeriod available station { id }';
const CREATE = `mutation($input: CreateRewardInput!) { createReward(input: $input) { ${REWARD_FIELDS} } }`;
const RESTOCK = `mutation($input: RestockRewardInput!) { restockReward(input: $input) { ${REWARD_FIELDS} audit { action stockDelta reason changedBy } } }`;
const REDEEM = `mutation($input: RedeemRewardInput!) { redeemReward(input: $input) { id status pickupCode points quantity expiresAt } }`;

type RewardView = { id: string; stock: number | null };
type RedemptionView = { id: string; status: string; pickupCode: string; points: number };

async function aReward(input: Record<string, unknown> = {}, claims: Claims = stationAdmin): Promise<RewardView> {
  const result = await alone.ask<{ createReward: RewardView }>(CREATE, { input: { name: '大米（5公斤）', kind: 'GOODS', price: 10, stationId: STATION.id, stock: 5, ...input } }, claims);
  if (!result.data?.createReward) throw new Error(JSON.stringify(result.errors));
  return result.data.createReward;
}

async function redeem(claims: Claims, rewardId: string, quantity = 1): Promise<RedemptionView> {
  const result = await alone.ask<{ redeemReward: RedemptionView }>(REDEEM, { input: { rewardId, quantity, idempotencyKey: randomUUID() } }, claims);
  if (!result.data?.redeemReward) throw new Error(JSON.stringify(result.errors));
  return result.data.redeemReward;
}

async function accountOf(claims: Claims) {
  const [row] = await db.query('SELECT balance::int, reserved::int FROM points_account WHERE person_id = $1', [claims.sub]);
  return row;
}

async function stockOf(rewardId: string): Promise<number | null> {
  const [row] = await db.query('SELECT stock FROM reward WHERE id = $1', [rewardId]);
  return row.stock;
}

describe('pickup codes', () => {
  it('are 8 characters of the unambiguous alphabet, drawn at random', () => {
    const codes = Array.from({ length: 20_000 }, newPickupCode);
    expect(codes.every((code) => new RegExp(`^[${PICKUP_ALPHABET}]{8}$`).test(code))).toBe(true);
    expect(new Set(codes).size).toBe(codes.length);
    expect(PICKUP_ALPHABET).not.toMatch(/[01OIL]/);
    // Every character turns up: a uniform draw over 31 characters, 160,000 draws.
    expect(new Set(codes.join('')).size).toBe(PICKUP_ALPHABET.length);
  });

  it('are read as typed at the counter, and anything else is refused', () => {
    expect(normalizePickupCode(' ab2c-d3ef ')).toBe('AB2CD3EF');
    expect(normalizePickupCode('AB2CD3E0')).toBeNull();
    expect(normalizePickupCode('AB2CD3E')).toBeNull();
  });

  it('draws another code when the first is taken', async () => {
    const person = await aPerson(100);
    const reward = await aReward();
    const first = await redeem(person, reward.id);
    const second = await db.transaction(async (manager) => {
      const account = await ensurePersonAccount(manager, person.sub);
      const hold = await postTransaction(manager, {
        kind: 'REDEMPTION',
        pending: true,
        description: 'test hold',
        createdBy: 'test',
        postings: [
          { accountId: account.id, amount: -10 },
          { accountId: await systemAccountId(manager, 'REDEMPTION'), amount: 10 },
        ],
      });
      const draws = [first.pickupCode, 'ZZZZ2345'];
      return insertWithPickupCode(
        manager,
        { rewardId: reward.id, accountId: account.id, personId: person.sub, quantity: 1, points: 10, station: STATION, transactionId: hold.id, holdSeconds: 60 },
        () => draws.shift()!,
      );
    });
    expect(second.pickupCode).toBe('ZZZZ2345');
  });
});

describe('reserving in one statement (points_redeem)', () => {
  const ask = (claims: Claims, input: Record<string, unknown>) => alone.ask<{ redeemReward: RedemptionView & { expiresAt: string } }>(REDEEM, { input }, claims);
  const statements = (result: { headers: Headers }) => Number(result.headers.get(SQL_STATEMENTS_HEADER));

  it('reserves points and stock in one statement, answers a repeat the same, and writes the events of the general path', async () => {
    const person = await aPerson(100);
    const reward = await aReward({ stock: 5, price: 10 });
    const input = { rewardId: reward.id, quantity: 2, idempotencyKey: randomUUID() };
    const made = await ask(person, input);
    expect(made.errors).toBeUndefined();
    expect(statements(made)).toBe(1);
    const again = await ask(person, input);
    expect(again.data!.redeemReward.id).toBe(made.data!.redeemReward.id);
    expect(errorCodes(await ask(person, { ...input, quantity: 1 }))).toEqual(['CONFLICT']);
    expect(await accountOf(person)).toEqual({ balance: 100, reserved: 20 });
    expect(await stockOf(reward.id)).toBe(3);
    const [account] = await db.query('SELECT id::text FROM points_account WHERE person_id = $1', [person.sub]);
    const events = await db.query(`SELECT type, unit_path, payload FROM outbox WHERE payload->>'redemptionId' = $1`, [made.data!.redeemReward.id]);
    expect(events).toEqual([
      {
        type: 'points.redemption.reserved',
        unit_path: STATION.path,
        payload: {
          redemptionId: made.data!.redeemReward.id,
          accountId: account.id,
          rewardId: reward.id,
          quantity: 2,
          points: 20,
          stationId: STATION.id,
          expiresAt: made.data!.redeemReward.expiresAt,
        },
      },
    ]);
    expect(catalog['points.redemption.reserved'].payload.safeParse(events[0].payload).success).toBe(true);
    const [tx] = await db.query('SELECT t.kind, t.status, t.description, t.metadata FROM ledger_transaction t JOIN redemption r ON r.transaction_id = t.id WHERE r.id = $1', [
      made.data!.redeemReward.id,
    ]);
    expect(tx).toEqual({ kind: 'REDEMPTION', status: 'PENDING', description: '兑换 大米（5公斤） ×2', metadata: { rewardId: reward.id, quantity: 2 } });
  });

  it('announces a service to the orders service, from the district center for a district-wide one', async () => {
    const person = await aPerson(100);
    const service = await aReward({ kind: 'SERVICE', stock: null, stationId: null, name: '理发' }, centerAdmin);
    const made = await ask(person, { rewardId: service.id, quantity: 1, idempotencyKey: randomUUID() });
    expect(statements(made)).toBe(1);
    const [event] = await db.query(`SELECT unit_path, payload FROM outbox WHERE type = 'points.service.redeemed' AND payload->>'redemptionId' = $1`, [
      made.data!.redeemReward.id,
    ]);
    expect(event).toEqual({
      unit_path: CENTER.path,
      payload: { redemptionId: made.data!.redeemReward.id, personId: person.sub, rewardId: service.id, stationId: CENTER.id, description: '理发 ×1' },
    });
  });

  it('leaves refusals to the general path, which names them, and nothing moves', async () => {
    const person = await aPerson(25);
    const limited = await aReward({ stock: 5, price: 10, perPersonLimit: 1, limitPeriod: 'DAY' });
    expect(statements(await ask(person, { rewardId: limited.id, quantity: 1, idempotencyKey: randomUUID() }))).toBe(1);
    expect(errorCodes(await ask(person, { rewardId: limited.id, quantity: 1, idempotencyKey: randomUUID() }))).toEqual(['CONFLICT']);
    const scarce = await aReward({ stock: 1, price: 1 });
    expect(errorCodes(await ask(person, { rewardId: scarce.id, quantity: 2, idempotencyKey: randomUUID() }))).toEqual(['OUT_OF_STOCK']);
    const dear = await aReward({ stock: 5, price: 20 });
    expect(errorCodes(await ask(person, { rewardId: dear.id, quantity: 1, idempotencyKey: randomUUID() }))).toEqual(['INSUFFICIENT_POINTS']);
    expect(await accountOf(person)).toEqual({ balance: 25, reserved: 10 });
    expect([await stockOf(limited.id), await stockOf(scarce.id), await stockOf(dear.id)]).toEqual([4, 1, 5]);
  });
});

describe('rewards', () => {
  it('are created at a station by its admin, audited, and not by an admin of another station', async () => {
    const reward = await aReward({ stock: 3 });
    expect(reward).toMatchObject({ kind: 'GOODS', price: 10, stock: 3, available: true, station: { id: STATION.id } });
    const refused = await alone.ask(CREATE, { input: { name: '食用油', kind: 'GOODS', price: 5, stationId: STATION.id, stock: 1 } }, otherAdmin);
    expect(errorCodes(refused)).toEqual(['FORBIDDEN']);
    const districtWide = await alone.ask(CREATE, { input: { name: '食用油', kind: 'GOODS', price: 5, stock: 1 } }, stationAdmin);
    expect(errorCodes(districtWide)).toEqual(['FORBIDDEN']);
    expect((await aReward({ stationId: null }, centerAdmin)).stock).toBe(5);
  });

  it('need stock for goods, none for services, and a period with a limit', async () => {
    const bad = async (input: Record<string, unknown>) => {
      const result = await alone.ask(CREATE, { input: { name: '大米', kind: 'GOODS', price: 10, stationId: STATION.id, stock: 1, ...input } }, stationAdmin);
      return result.errors?.[0]?.extensions;
    };
    expect(await bad({ stock: null })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.stock' });
    expect(await bad({ stock: -1 })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.stock' });
    expect(await bad({ kind: 'SERVICE', stock: 2 })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.stock' });
    expect(await bad({ perPersonLimit: 2 })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.limitPeriod' });
    expect(await bad({ price: 0 })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.price' });
    expect(await bad({ stationId: '2' })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.stationId' }); // an institute
  });

  it('are restocked with a reason, never below zero, and every change is in the audit', async () => {
    const reward = await aReward({ stock: 2 });
    const restock = (delta: number) => alone.ask<{ restockReward: RewardView & { audit: unknown[] } }>(RESTOCK, { input: { id: reward.id, delta, reason: '新到一批大米' } }, stationAdmin);
    const added = await restock(8);
    expect(added.data!.restockReward.stock).toBe(10);
    expect(added.data!.restockReward.audit).toEqual([
      { action: 'CREATED', stockDelta: 2, reason: null, changedBy: stationAdmin.sub },
      { action: 'RESTOCKED', stockDelta: 8, reason: '新到一批大米', changedBy: stationAdmin.sub },
    ]);
    expect((await restock(-11)).errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.delta', min: -10 });
    expect(errorCodes(await restock(0))).toEqual(['BAD_USER_INPUT']);
    expect(await stockOf(reward.id)).toBe(10);
    const audit = await alone.ask(`query($id: ID!) { reward(id: $id) { audit { action } } }`, { id: reward.id }, aCaller.resident('9100'));
    expect(errorCodes(audit)).toEqual(['FORBIDDEN']);
  });
});

describe('the expiry of a reservation', () => {
  const expiryDue = (redemptionId: string, id: string = randomUUID()): EventEnvelope<'points.redemption.expiryDue'> => ({
    id,
    type: 'points.redemption.expiryDue',
    version: catalog['points.redemption.expiryDue'].version,
    occurredAt: new Date().toISOString(),
    actor: { system: 'dispatch-worker' },
    unitPath: STATION.path,
    payload: { redemptionId, expiresAt: new Date().toISOString() },
  });
  const handle = (event: EventEnvelope<'points.redemption.expiryDue'>) =>
    (redemptionInboxHandlers(db)['points.redemption.expiryDue'] as EventHandler<'points.redemption.expiryDue'>)(event, {} as never);
  const eventsAbout = async (type: string, redemptionId: string): Promise<number> => {
    const [row] = await db.query(`SELECT count(*)::int AS n FROM outbox WHERE type = $1 AND payload->>'redemptionId' = $2`, [type, redemptionId]);
    return row.n;
  };

  it('returns the points and the stock once, however often and however concurrently the timer fires', async () => {
    const person = await aPerson(50);
    const reward = await aReward({ stock: 4 });
    const redemption = await redeem(person, reward.id, 2);
    expect(await accountOf(person)).toEqual({ balance: 50, reserved: 20 });
    expect(await stockOf(reward.id)).toBe(2);
    await db.query(`UPDATE redemption SET expires_at = now() - interval '1 second' WHERE id = $1`, [redemption.id]);

    const event = expiryDue(redemption.id);
    await Promise.all([handle(event), handle(event), handle(event)]);
    await handle(expiryDue(redemption.id)); // another copy of the timer, under another id: the redemption is no longer reserved
    const [row] = await db.query('SELECT status, resolved_by FROM redemption WHERE id = $1', [redemption.id]);
    expect(row).toEqual({ status: 'EXPIRED', resolved_by: 'system' });
    expect(await accountOf(person)).toEqual({ balance: 50, reserved: 0 });
    expect(await stockOf(reward.id)).toBe(4);
    expect(await eventsAbout('points.redemption.expired', redemption.id)).toBe(1);
    const [tx] = await db.query('SELECT t.status FROM ledger_transaction t JOIN redemption r ON r.transaction_id = t.id WHERE r.id = $1', [redemption.id]);
    expect(tx.status).toBe('VOIDED');
  });

  it('leaves a reservation whose time is not up, and is tried again later', async () => {
    const person = await aPerson(50);
    const reward = await aReward();
    const redemption = await redeem(person, reward.id);
    const event = expiryDue(redemption.id);
    await expect(handle(event)).rejects.toBeInstanceOf(ExpiryNotDue);
    const [processed] = await db.query('SELECT count(*)::int AS n FROM processed_event WHERE event_id = $1', [event.id]);
    expect(processed.n).toBe(0); // not recorded: the retry will look again
    await db.query(`UPDATE redemption SET expires_at = now() - interval '1 second' WHERE id = $1`, [redemption.id]);
    await handle(event);
    expect(await accountOf(person)).toEqual({ balance: 50, reserved: 0 });
  });

  it('does nothing to a redemption that was picked up', async () => {
    const person = await aPerson(50);
    const reward = await aReward({ stock: 1 });
    const redemption = await redeem(person, reward.id);
    const fulfilled = await alone.ask(`mutation($input: PickupCodeInput!) { fulfilRedemption(input: $input) { status } }`, { input: { code: redemption.pickupCode } }, stationAdmin);
    expect(fulfilled.data).toEqual({ fulfilRedemption: { status: 'FULFILLED' } });
    await db.query(`UPDATE redemption SET expires_at = now() - interval '1 second' WHERE id = $1`, [redemption.id]);
    await handle(expiryDue(redemption.id));
    expect(await accountOf(person)).toEqual({ balance: 40, reserved: 0 });
    expect(await stockOf(reward.id)).toBe(0);
    expect(await eventsAbout('points.redemption.expired', redemption.id)).toBe(0);
  });
});
