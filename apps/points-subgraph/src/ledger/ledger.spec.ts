import type { DataSource } from 'typeorm';
import { RunningSubgraph } from '@kz/subgraph';
import { startSubgraphAlone, SubgraphAlone } from '@kz/testing';
import { startPointsSubgraph } from '../app';
import { InsufficientPoints, postPending, postTransaction, systemAccountId, voidPending } from './ledger';
import { once } from './idempotency';

let alone: SubgraphAlone<RunningSubgraph>;
let db: DataSource;
let issuance: string;
let sink: string;

beforeAll(async () => {
  alone = await startSubgraphAlone('POINTS_DATABASE', (config) => startPointsSubgraph(config, { port: 0 }));
  db = alone.running.dataSource;
  issuance = await systemAccountId(db.manager, 'ISSUANCE');
  sink = await systemAccountId(db.manager, 'REDEMPTION');
});
afterAll(() => alone?.stop());

let nextPerson = 1000;
async function personWith(points: number): Promise<string> {
  nextPerson += 1;
  const [row] = await db.query(
    `INSERT INTO points_account (person_id, card_number) VALUES ($1::bigint, 'T' || $1::text) RETURNING id::text`,
    [nextPerson],
  );
  if (points > 0) {
    await db.transaction((m) =>
      postTransaction(m, { kind: 'CREDIT', description: 'test credit', createdBy: 'test', postings: [{ accountId: issuance, amount: -points }, { accountId: row.id, amount: points }] }),
    );
  }
  return row.id;
}

async function account(id: string) {
  const [row] = await db.query('SELECT balance::int, reserved::int FROM points_account WHERE id = $1', [id]);
  return row;
}

const spend = (accountId: string, amount: number) =>
  db.transaction((m) =>
    postTransaction(m, { kind: 'REDEMPTION', description: 'test spend', createdBy: 'test', postings: [{ accountId, amount: -amount }, { accountId: sink, amount }] }),
  );

describe('the ledger core', () => {
  it('lets exactly as many concurrent spends through as the balance covers, and never goes negative', async () => {
    const id = await personWith(40);
    const results = await Promise.allSettled(Array.from({ length: 100 }, () => spend(id, 1)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(40);
    const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(failures.every((r) => r.reason instanceof InsufficientPoints)).toBe(true);
    expect(await account(id)).toEqual({ balance: 0, reserved: 0 });
    const [sum] = await db.query('SELECT coalesce(sum(amount), 0)::int AS s FROM posting WHERE account_id = $1', [id]);
    expect(sum.s).toBe(0);
  });

  it('refuses postings that do not balance, at commit, in the database itself', async () => {
    const id = await personWith(10);
    await expect(
      db.transaction(async (m) => {
        const [tx] = await m.query(`INSERT INTO ledger_transaction (kind, status, description, created_by) VALUES ('ADJUSTMENT', 'POSTED', 'x', 'test') RETURNING id`);
        await m.query('INSERT INTO posting (transaction_id, account_id, amount) VALUES ($1, $2, 5)', [tx.id, id]);
      }),
    ).rejects.toThrow(/does not balance/);
  });

  it('keeps postings immutable', async () => {
    const id = await personWith(10);
    await expect(db.query('UPDATE posting SET amount = 1000 WHERE account_id = $1', [id])).rejects.toThrow(/append-only/);
    await expect(db.query('DELETE FROM posting WHERE account_id = $1', [id])).rejects.toThrow(/append-only/);
  });

  it('holds a pending amount, then posts or voids it exactly once', async () => {
    const id = await personWith(30);
    const pending = () =>
      db.transaction((m) =>
        postTransaction(m, { kind: 'REDEMPTION', pending: true, description: 'hold', createdBy: 'test', postings: [{ accountId: id, amount: -20 }, { accountId: sink, amount: 20 }] }),
      );
    const first = await pending();
    expect(await account(id)).toEqual({ balance: 30, reserved: 20 });
    await expect(pending()).rejects.toBeInstanceOf(InsufficientPoints); // only 10 available
    const posts = await Promise.allSettled([1, 2, 3].map(() => db.transaction((m) => postPending(m, first.id))));
    expect(posts.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(await account(id)).toEqual({ balance: 10, reserved: 0 });
    const second = await db.transaction((m) =>
      postTransaction(m, { kind: 'REDEMPTION', pending: true, description: 'hold', createdBy: 'test', postings: [{ accountId: id, amount: -10 }, { accountId: sink, amount: 10 }] }),
    );
    await db.transaction((m) => voidPending(m, second.id));
    await expect(db.transaction((m) => postPending(m, second.id))).rejects.toThrow(/not pending/);
    expect(await account(id)).toEqual({ balance: 10, reserved: 0 });
  });

  it('runs an operation once per idempotency key, however many times it arrives at once', async () => {
    const id = await personWith(100);
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        once(db, { actor: 'p-1', key: 'key-0001-abcdef', operation: 'spend', request: { amount: 7 } }, async (m) => {
          const tx = await postTransaction(m, { kind: 'REDEMPTION', description: 'once', createdBy: 'test', postings: [{ accountId: id, amount: -7 }, { accountId: sink, amount: 7 }] });
          return { transactionId: tx.id };
        }),
      ),
    );
    expect(new Set(results.map((r) => r.result.transactionId)).size).toBe(1);
    expect(results.filter((r) => !r.replayed)).toHaveLength(1);
    expect(await account(id)).toEqual({ balance: 93, reserved: 0 });
    await expect(once(db, { actor: 'p-1', key: 'key-0001-abcdef', operation: 'spend', request: { amount: 8 } }, async () => ({}))).rejects.toThrow(/already used/);
  });
});
