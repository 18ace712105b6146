import type { Claims } from '@kz/auth';
import { upsertUnitRefs } from '@kz/org-replica';
import { RunningSubgraph, SQL_STATEMENTS_HEADER } from '@kz/subgraph';
import { errorCodes, GraphQLResult, startSubgraphAlone, SubgraphAlone } from '@kz/testing';
import type { DataSource } from 'typeorm';
import { startPointsSubgraph } from '../app';
import { postTransaction, systemAccountId } from '../ledger/ledger';
import { ensurePersonAccount, ensureStationPool } from './account-opening';
import { cardNumberFor, luhnCheckDigit, parseCardNumber } from './card-number';

const center: Claims = { sub: '1', roles: ['CENTER_ADMIN'], unitId: '1', unitPath: '1' };

describe('love savings card numbers', () => {
  it('are KZ, ten digits from the account id and a Luhn check digit', () => {
    expect(luhnCheckDigit('7992739871')).toBe(3); // the textbook example
    expect(cardNumberFor('1234')).toBe(`KZ 0000 0012 34-${luhnCheckDigit('0000001234')}`);
    expect(cardNumberFor('9999999999')).toMatch(/^KZ 9999 9999 99-\d$/);
    expect(() => cardNumberFor('12345678901')).toThrow(/does not fit/);
  });

  it('are read as people type them, and refused when a digit is wrong or two are swapped', () => {
    const card = cardNumberFor('1234');
    expect(parseCardNumber(card)).toBe(card);
    expect(parseCardNumber(` kz-0000001234${card.at(-1)} `)).toBe(card);
    const digits = card.replace(/\D/g, '');
    for (let i = 0; i < 10; i += 1) {
      const typo = digits.slice(0, i) + ((Number(digits[i]) + 1) % 10) + digits.slice(i + 1);
      expect(parseCardNumber(`KZ${typo}`)).toBeNull();
    }
    expect(parseCardNumber(`KZ${digits.slice(0, 6)}${digits[7]}${digits[6]}${digits.slice(8)}`)).toBeNull(); // 12 swapped to 21
    expect(parseCardNumber('KZ123')).toBeNull();
    expect(parseCardNumber('1234')).toBeNull();
  });
});

describe('accounts in the points subgraph', () => {
  let alone: SubgraphAlone<RunningSubgraph>;
  let db: DataSource;
  let issuance: string;
  const ask = <T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, claims: Claims | null = center) =>
    alone.ask<T>(query, variables, claims);
  const statements = (result: GraphQLResult) => Number(result.headers.get(SQL_STATEMENTS_HEADER));

  beforeAll(async () => {
    alone = await startSubgraphAlone('POINTS_DATABASE', (config) => startPointsSubgraph(config, { port: 0 }));
    db = alone.running.dataSource;
    issuance = await systemAccountId(db.manager, 'ISSUANCE');
    const units = Array.from({ length: 10 }, (_, i) => ({ id: String(100 + i), code: `S${i}`, path: `1/2/${100 + i}`, level: 'STATION' as const, name: `站${i}` }));
    await upsertUnitRefs(db.manager, [{ id: '1', code: 'KZ', path: '1', level: 'CENTER', name: '中心' }, ...units], new Date().toISOString());
  });
  afterAll(() => alone?.stop());

  let nextPerson = 5000;
  async function personWith(points: number, station = '100'): Promise<string> {
    nextPerson += 1;
    const personId = String(nextPerson);
    return db.transaction(async (m) => {
      const account = await ensurePersonAccount(m, personId, { id: station, path: `1/2/${station}` });
      if (points > 0) {
        await postTransaction(m, { kind: 'CREDIT', description: 'credit', createdBy: 'test', postings: [{ accountId: issuance, amount: -points }, { accountId: account.id, amount: points }] });
      }
      return account.id;
    });
  }

  it('opens a pool once per station, however many donors open it at once', async () => {
    const pools = await Promise.all(Array.from({ length: 10 }, () => db.transaction((m) => ensureStationPool(m, { id: '101', path: '1/2/101' }))));
    expect(new Set(pools.map((pool) => pool.id)).size).toBe(1);
    expect(pools[0]!.cardNumber).toBe(cardNumberFor(pools[0]!.id));
  });

  it('learns the home station of an account opened before it was known', async () => {
    const account = await db.transaction((m) => ensurePersonAccount(m, '4999'));
    const [before] = await db.query('SELECT unit_path FROM points_account WHERE id = $1', [account.id]);
    expect(before.unit_path).toBeNull();
    await db.transaction((m) => ensurePersonAccount(m, '4999', { id: '102', path: '1/2/102' }));
    const [after] = await db.query('SELECT unit_id::text, unit_path FROM points_account WHERE id = $1', [account.id]);
    expect(after).toEqual({ unit_id: '102', unit_path: '1/2/102' });
  });

  it("reads many accounts' statements in a constant number of SQL statements", async () => {
    const ids = await Promise.all(Array.from({ length: 10 }, (_, i) => personWith(10 + i)));
    const query = `query ($representations: [_Any!]!) {
      _entities(representations: $representations) { ... on PointsAccount { id transactions(first: 5) { totalCount edges { node { amount counterparty { id } } } } } }
    }`;
    const refs = (n: number) => ids.slice(0, n).map((id) => ({ __typename: 'PointsAccount', id }));
    const two = await ask(query, { representations: refs(2) });
    const ten = await ask<{ _entities: { transactions: { totalCount: number; edges: { node: { amount: number } }[] } }[] }>(query, { representations: refs(10) });
    expect(ten.errors).toBeUndefined();
    expect(ten.data!._entities.map((account) => account.transactions.edges[0]!.node.amount)).toEqual(ids.map((_, i) => 10 + i));
    expect(statements(ten)).toBe(statements(two));
  });

  it('reads the points figures of many units in a constant number of SQL statements', async () => {
    const query = `query ($representations: [_Any!]!) {
      _entities(representations: $representations) { ... on PracticeUnit { id pointsStats { issued outstanding } pointsPool { id } } }
    }`;
    const refs = (n: number) => Array.from({ length: n }, (_, i) => ({ __typename: 'PracticeUnit', id: String(100 + i) }));
    const two = await ask(query, { representations: refs(2) });
    const ten = await ask<{ _entities: { pointsStats: { issued: number } }[] }>(query, { representations: refs(10) });
    expect(ten.errors).toBeUndefined();
    expect(statements(ten)).toBe(statements(two));
    const [row] = await db.query(`SELECT coalesce(sum(balance), 0)::int AS n FROM points_account WHERE unit_path = '1/2/100'`);
    expect(ten.data!._entities[0]!.pointsStats).toEqual({ issued: row.n, outstanding: row.n });
  });

  it('moves points in one statement (points_transfer) that also answers the statement line, once per key, with its event', async () => {
    const payer = await personWith(100);
    const receiver = await personWith(0, '103');
    const payerClaims: Claims = { sub: String(nextPerson - 1), roles: ['RESIDENT'] };
    const LINE = 'id kind status amount description createdAt';
    const TRANSFER = `mutation ($input: TransferPointsInput!) { transferPoints(input: $input) { ${LINE} } }`;
    const input = { toAccountId: receiver, amount: 30, idempotencyKey: 'fast-transfer-1' };
    const sent = await ask<{ transferPoints: { id: string; amount: number; description: string } }>(TRANSFER, { input }, payerClaims);
    expect(sent.errors).toBeUndefined();
    expect(sent.data!.transferPoints).toMatchObject({ kind: 'TRANSFER', status: 'POSTED', amount: -30, description: '积分转赠' });
    expect(statements(sent)).toBe(1);
    // The line the one statement answered is the line the statement reads afterwards, counterparty included.
    const read = await ask<{ _entities: unknown[] }>(
      `query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on PointsTransaction { ${LINE} counterparty { id } } } }`,
      { representations: [{ __typename: 'PointsTransaction', id: sent.data!.transferPoints.id }] },
      payerClaims,
    );
    expect(read.data!._entities).toEqual([{ ...sent.data!.transferPoints, counterparty: { id: receiver } }]);
    const withCounterparty = await ask<{ transferPoints: { counterparty: { id: string } } }>(
      'mutation ($input: TransferPointsInput!) { transferPoints(input: $input) { counterparty { id } } }',
      { input: { toAccountId: receiver, amount: 1, idempotencyKey: 'fast-transfer-0' } },
      payerClaims,
    );
    expect(withCounterparty.data!.transferPoints.counterparty).toEqual({ id: receiver });
    const again = await ask<{ transferPoints: { id: string } }>(TRANSFER, { input }, payerClaims);
    expect(again.data!.transferPoints.id).toBe(sent.data!.transferPoints.id);
    expect(errorCodes(await ask(TRANSFER, { input: { ...input, amount: 31 } }, payerClaims))).toEqual(['CONFLICT']);
    const balances = await db.query('SELECT id::text, balance::int FROM points_account WHERE id = ANY($1::bigint[]) ORDER BY id', [[payer, receiver]]);
    expect(balances).toEqual([
      { id: payer, balance: 69 },
      { id: receiver, balance: 31 },
    ]);
    const events = await db.query(`SELECT unit_path, payload, actor FROM outbox WHERE type = 'points.transferred' AND payload->>'fromAccountId' = $1 ORDER BY seq`, [payer]);
    expect(events).toEqual([
      { unit_path: '1/2/103', payload: { fromAccountId: payer, toAccountId: receiver, amount: 30 }, actor: { personId: payerClaims.sub, roles: ['RESIDENT'] } },
      { unit_path: '1/2/103', payload: { fromAccountId: payer, toAccountId: receiver, amount: 1 }, actor: { personId: payerClaims.sub, roles: ['RESIDENT'] } },
    ]);
    // More than the payer holds: the general path explains, and nothing moved.
    expect(errorCodes(await ask(TRANSFER, { input: { toAccountId: receiver, amount: 70, idempotencyKey: 'fast-transfer-2' } }, payerClaims))).toEqual([
      'INSUFFICIENT_POINTS',
    ]);
    // To a station: its pool is opened by the general path on the first gift, then gifts take the one statement.
    const gift = (key: string) =>
      ask<{ transferPoints: { description: string } }>(TRANSFER, { input: { toStationId: '104', amount: 5, idempotencyKey: key } }, payerClaims);
    const first = await gift('fast-donation-1');
    const second = await gift('fast-donation-2');
    expect([first.errors, second.errors]).toEqual([undefined, undefined]);
    expect(second.data!.transferPoints.description).toBe('爱心捐赠');
    expect(statements(first)).toBeGreaterThan(2);
    expect(statements(second)).toBe(1);
    const [pool] = await db.query(`SELECT balance::int FROM points_account WHERE kind = 'POOL' AND unit_id = 104`);
    expect(pool.balance).toBe(10);
    const [left] = await db.query('SELECT balance::int FROM points_account WHERE id = $1', [payer]);
    expect(left.balance).toBe(59);
  });

  it('never takes an account below zero however many transfers race, and every key moves once', async () => {
    const payer = await personWith(50);
    const receivers = await Promise.all(Array.from({ length: 4 }, () => personWith(0)));
    const payerClaims: Claims = { sub: String(nextPerson - 4), roles: ['RESIDENT'] };
    const [{ person_id }] = await db.query('SELECT person_id::text FROM points_account WHERE id = $1', [payer]);
    payerClaims.sub = person_id;
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        ask('mutation ($input: TransferPointsInput!) { transferPoints(input: $input) { id } }', {
          input: { toAccountId: receivers[i % 4], amount: 3, idempotencyKey: `race-key-${i % 20}` },
        }, payerClaims),
      ),
    );
    const moved = new Set(results.filter((r) => !r.errors).map((r) => (r.data as { transferPoints: { id: string } }).transferPoints.id));
    const [row] = await db.query('SELECT balance::int, reserved::int FROM points_account WHERE id = $1', [payer]);
    expect(moved.size).toBe(16); // 20 keys, 3 points each, 50 points: 16 transfers fit
    expect(row.balance).toBe(50 - 16 * 3);
    expect(results.filter((r) => r.errors).flatMap((r) => errorCodes(r)).every((code) => code === 'INSUFFICIENT_POINTS' || code === 'CONFLICT')).toBe(true);
  });

  it('counts points given away per Beijing day: yesterday evening does not count, this morning does', async () => {
    const payer = await personWith(1500);
    const receiver = await personWith(0);
    const payerClaims: Claims = { sub: String(nextPerson - 1), roles: ['RESIDENT'] };
    let serial = 0;
    const transfer = (amount: number) =>
      ask<{ transferPoints: { id: string } }>(
        'mutation ($input: TransferPointsInput!) { transferPoints(input: $input) { id } }',
        { input: { toAccountId: receiver, amount, idempotencyKey: `daily-${(serial += 1)}-key` } },
        payerClaims,
      );
    // Moves a transaction to a time of day in Beijing: test-only, past the append-only trigger.
    const backdate = (id: string, beijingOffset: string) =>
      db.transaction(async (m) => {
        await m.query('SET LOCAL session_replication_role = replica');
        await m.query(
          `UPDATE ledger_transaction SET created_at = (date_trunc('day', now() AT TIME ZONE 'Asia/Shanghai') + $2::interval) AT TIME ZONE 'Asia/Shanghai' WHERE id = $1`,
          [id, beijingOffset],
        );
      });
    const first = await transfer(500);
    expect(first.errors).toBeUndefined();
    expect(errorCodes(await transfer(1))).toEqual(['BAD_USER_INPUT']);
    await backdate(first.data!.transferPoints.id, '-1 minute'); // 23:59 yesterday
    const second = await transfer(500);
    expect(second.errors).toBeUndefined();
    await backdate(second.data!.transferPoints.id, '1 minute'); // 00:01 today
    expect(errorCodes(await transfer(1))).toEqual(['BAD_USER_INPUT']);
    const [row] = await db.query('SELECT balance::int FROM points_account WHERE id = $1', [payer]);
    expect(row.balance).toBe(500);
  });

  it('takes a reversed credit back out of lifetime earned; adjustments are not earnings', async () => {
    const account = await personWith(40);
    const [credit] = await db.query(`SELECT transaction_id::text AS id FROM posting WHERE account_id = $1`, [account]);
    const adjusted = await ask('mutation ($input: AdjustPointsInput!) { adjustPoints(input: $input) { amount } }', {
      input: { accountId: account, amount: 5, reason: '补录', idempotencyKey: 'adjust-lifetime' },
    });
    expect(adjusted.errors).toBeUndefined();
    const reversed = await ask<{ reverseTransaction: { amount: number; reverses: { kind: string } } }>(
      'mutation ($input: ReverseTransactionInput!) { reverseTransaction(input: $input) { amount reverses { kind } } }',
      { input: { transactionId: credit.id, reason: '服务记录有误', idempotencyKey: 'reverse-lifetime' } },
    );
    expect(reversed.data!.reverseTransaction).toEqual({ amount: -40, reverses: { kind: 'CREDIT' } });
    const [row] = await db.query('SELECT balance::int, lifetime_earned::int AS earned FROM points_account WHERE id = $1', [account]);
    expect(row).toEqual({ balance: 5, earned: 0 });
  });

  it('resolves a transaction reference from the caller’s side, and hides it from others', async () => {
    const payer = await personWith(30);
    const receiver = await personWith(0);
    const [{ person_id: payerPerson }] = await db.query('SELECT person_id::text FROM points_account WHERE id = $1', [payer]);
    const [{ person_id: receiverPerson }] = await db.query('SELECT person_id::text FROM points_account WHERE id = $1', [receiver]);
    const sent = await ask<{ transferPoints: { id: string } }>(
      'mutation ($input: TransferPointsInput!) { transferPoints(input: $input) { id } }',
      { input: { toAccountId: receiver, amount: 9, idempotencyKey: 'reference-test' } },
      { sub: payerPerson, roles: ['RESIDENT'] },
    );
    const query = `query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on PointsTransaction { id amount } } }`;
    const representations = [{ __typename: 'PointsTransaction', id: sent.data!.transferPoints.id }];
    const asReceiver = await ask<{ _entities: { amount: number }[] }>(query, { representations }, { sub: receiverPerson, roles: ['RESIDENT'] });
    expect(asReceiver.data!._entities[0]!.amount).toBe(9);
    const asPayer = await ask<{ _entities: { amount: number }[] }>(query, { representations }, { sub: payerPerson, roles: ['RESIDENT'] });
    expect(asPayer.data!._entities[0]!.amount).toBe(-9);
    expect(errorCodes(await ask(query, { representations }, { sub: '424242', roles: ['RESIDENT'] }))).toEqual(['FORBIDDEN']);
  });
});
