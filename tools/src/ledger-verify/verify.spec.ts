import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import type { DataSource, EntityManager } from 'typeorm';
import { dropDatabase, pgClientConfig } from '@kz/db';
import { upsertUnitRefs } from '@kz/org-replica';
import { ensurePersonAccount, ensureStationPool, postPending, postTransaction, systemAccountId, voidPending } from '@kz/points-subgraph';
import { testConfig, uniqueName } from '@kz/testing';
import { openPointsDatabase } from '../shared/databases';
import { formatReport, verifyLedgerDatabase } from './verify';

const healthy = uniqueName('ledger');
const corrupted = `${healthy}_corrupt`;
const config = testConfig({ POINTS_DATABASE: healthy });
const WORKSPACE = join(__dirname, '..', '..', '..');

/** Runs `npm run ledger:verify -- --database NAME` as a user would, and answers its exit code and output. */
async function runTool(database: string): Promise<{ code: number; stdout: string }> {
  try {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'tools/src/ledger-verify/main.ts', '--database', database], {
      cwd: WORKSPACE,
      env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'silent' },
    });
    return { code: 0, stdout };
  } catch (error) {
    const failed = error as { code: number; stdout: string };
    return { code: failed.code, stdout: failed.stdout };
  }
}

async function withClient<T>(database: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client(pgClientConfig(config, database));
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

let creditId: string;

/** A small ledger with every kind of movement the love bank makes, all through the ledger core. */
async function buildHealthyLedger(db: DataSource): Promise<void> {
  await upsertUnitRefs(db.manager, [{ id: '77', code: 'KZ-T-77', path: '1/7/77', level: 'STATION', name: '测试实践站' }], new Date().toISOString());
  const move = (m: EntityManager, kind: 'CREDIT' | 'TRANSFER' | 'DONATION' | 'ADJUSTMENT', from: string, to: string, amount: number) =>
    postTransaction(m, { kind, description: kind, createdBy: 'test', postings: [{ accountId: from, amount: -amount }, { accountId: to, amount }] });
  await db.transaction(async (m) => {
    const [a, b] = [await ensurePersonAccount(m, '1001'), await ensurePersonAccount(m, '1002')];
    const pool = await ensureStationPool(m, { id: '77', path: '1/7/77' });
    const [issuance, sink, adjustment] = [await systemAccountId(m, 'ISSUANCE'), await systemAccountId(m, 'REDEMPTION'), await systemAccountId(m, 'ADJUSTMENT')];
    creditId = (await move(m, 'CREDIT', issuance, a.id, 100)).id;
    await move(m, 'CREDIT', issuance, b.id, 50);
    const transfer = await move(m, 'TRANSFER', a.id, b.id, 10);
    await move(m, 'DONATION', b.id, pool.id, 5);
    await move(m, 'ADJUSTMENT', adjustment, a.id, 3);
    await postTransaction(m, {
      kind: 'REVERSAL',
      description: 'reversal',
      createdBy: 'test',
      reversesId: transfer.id,
      reversedKind: 'TRANSFER',
      postings: [{ accountId: a.id, amount: 10 }, { accountId: b.id, amount: -10 }],
    });
    const [reward] = await m.query(`INSERT INTO reward (name, kind, price, stock, created_by) VALUES ('大米', 'GOODS', 10, 100, 'test') RETURNING id`);
    for (const [index, status] of (['RESERVED', 'FULFILLED', 'CANCELLED'] as const).entries()) {
      const hold = await postTransaction(m, {
        kind: 'REDEMPTION',
        pending: true,
        description: '兑换 大米 ×1',
        createdBy: 'test',
        postings: [{ accountId: a.id, amount: -10 }, { accountId: sink, amount: 10 }],
      });
      if (status === 'FULFILLED') await postPending(m, hold.id);
      if (status === 'CANCELLED') await voidPending(m, hold.id);
      await m.query(
        `INSERT INTO redemption (reward_id, account_id, person_id, quantity, points, status, pickup_code, transaction_id, expires_at)
         VALUES ($1, $2, 1001, 1, 10, $3, $4, $5, now() + interval '1 day')`,
        [reward.id, a.id, status, `CODE${index}`, hold.id],
      );
    }
    // A partner merchant, and one payment at it: 20 points from person 1002's account into the merchant's.
    const [{ id: merchantAccount }] = await m.query(
      `INSERT INTO points_account (kind, card_number, unit_id, unit_path) VALUES ('MERCHANT', 'KZ-TEST-MERCHANT', 77, '1/7/77') RETURNING id::text`,
    );
    const [merchant] = await m.query(
      `INSERT INTO merchant (name, unit_id, unit_path, account_id, created_by) VALUES ('惠民超市', 77, '1/7/77', $1, 'test') RETURNING id`,
      [merchantAccount],
    );
    const [offer] = await m.query(`INSERT INTO merchant_offer (merchant_id, name, kind, price, created_by) VALUES ($1, '理发八折券', 'DISCOUNT', 20, 'test') RETURNING id`, [
      merchant.id,
    ]);
    const payment = await move(m, 'TRANSFER', b.id, merchantAccount, 20);
    await m.query(`INSERT INTO payment_code_use (nonce, person_id, expires_at, used_by, used_at) VALUES ('nonce-0001', 1002, now(), 'test', now())`);
    await m.query(
      `INSERT INTO merchant_redemption (merchant_id, offer_id, person_id, account_id, quantity, points, payment_nonce, transaction_id, beijing_day, created_by, created_at)
       VALUES ($1, $2, 1002, $3, 1, 20, 'nonce-0001', $4, current_date, 'test', $5)`,
      [merchant.id, offer.id, b.id, payment.id, payment.createdAt],
    );
  });
}

beforeAll(async () => {
  const db = await openPointsDatabase(config);
  try {
    await buildHealthyLedger(db);
  } finally {
    await db.destroy(); // a template database must have no connections
  }
});

afterAll(async () => {
  await dropDatabase(config, corrupted);
  await dropDatabase(config, healthy);
});

describe('ledger:verify', () => {
  it('passes a healthy ledger, with exit code 0', async () => {
    const report = await verifyLedgerDatabase(config, healthy);
    expect(report.violations).toEqual([]);
    expect(report.transactions).toBe(10);
    expect(report.merchantStatements).toBe(1);
    expect(formatReport(report)).toMatch(/^ledger OK: 10 transactions, 20 postings, \d+ accounts, 1 merchant statements/);
    const run = await runTool(healthy);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('ledger OK');
  });

  it('fails a deliberately corrupted copy, naming every broken invariant, with a non-zero exit code', async () => {
    await withClient('postgres', (client) => client.query(`CREATE DATABASE "${corrupted}" TEMPLATE "${healthy}"`));
    await withClient(corrupted, async (client) => {
      // Past the guards a careless hand would have to get around: the append-only triggers and the CHECKs.
      await client.query('SET session_replication_role = replica');
      await client.query(`ALTER TABLE points_account DROP CONSTRAINT points_account_never_negative, DROP CONSTRAINT points_account_lifetime_earned_check`);
      await client.query(`UPDATE points_account SET balance = balance + 7 WHERE person_id = 1001`);
      await client.query(`INSERT INTO posting (transaction_id, account_id, amount) SELECT $1, id, 3 FROM points_account WHERE person_id = 1002`, [creditId]);
      await client.query(`UPDATE points_account SET reserved = balance + 1, lifetime_earned = -5 WHERE kind = 'POOL'`);
      await client.query(`UPDATE redemption SET status = 'FULFILLED' WHERE status = 'RESERVED'`);
      await client.query(`UPDATE posting SET amount = amount * 2 WHERE transaction_id = (SELECT reverses_id FROM ledger_transaction WHERE kind = 'REVERSAL')`);
      // A merchant's statement that claims more than the ledger paid it.
      await client.query(`UPDATE merchant_redemption SET points = points + 5`);
    });
    const report = await verifyLedgerDatabase(config, corrupted);
    expect(new Set(report.violations.map((v) => v.check))).toEqual(
      new Set(['balanced', 'cached-balance', 'cached-reserved', 'never-negative', 'redemption-status', 'lifetime', 'reversal', 'merchant-redemption', 'merchant-statement']),
    );
    expect(report.violations.map((v) => v.detail)).toContainEqual(`transaction ${creditId}: its 3 posting(s) sum to 3, not 0`);
    const run = await runTool(corrupted);
    expect(run.code).not.toBe(0);
    expect(run.stdout).toContain('VIOLATION [redemption-status]');
    expect(run.stdout).toMatch(/VIOLATION \[merchant-statement\] merchant \d+, \d{4}-\d{2}: the statement \(redemptions less refunds\) sums to 25 points, the ledger moved 20/);
    expect(run.stdout).toMatch(/ledger BROKEN: \d+ violation\(s\)/);
    // The healthy original is untouched.
    expect((await verifyLedgerDatabase(config, healthy)).violations).toEqual([]);
  });
});
