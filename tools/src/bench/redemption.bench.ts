import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { signClaims } from '@kz/auth';
import { pgClientConfig } from '@kz/db';
import { ensurePersonAccount, postTransaction, systemAccountId } from '@kz/points-subgraph';
import { verifyLedgerDatabase } from '../ledger-verify/verify';
import { openPointsDatabase } from '../shared/databases';
import { alternate, Comparison } from './load';
import { BenchOptions, BenchTarget, statementsOfCall } from './unit-tree.bench';

const REDEEM = `mutation($input: RedeemRewardInput!) { redeemReward(input: $input) { id status pickupCode } }`;
const ACCOUNTS = 2000;
const POINTS_EACH = 1_000_000;
const STOCK = 100_000_000;

/**
 * Redemption throughput under contention on one hot reward: every request reserves one item of the same reward for
 * one of 2,000 funded people, straight to the points subgraph (signed as the gateway signs). Each is the whole
 * redemption: idempotency claim, limit and window checks, points hold in the ledger, pickup code, events, and the
 * conditional stock UPDATE, in one autocommitted statement (points_redeem), the stock UPDATE last. The baseline is the floor of that contention: the bare conditional
 * `UPDATE reward SET stock = stock - 1 … WHERE stock >= 1` on one row, autocommitted, from a pg pool of the same size.
 */
export async function redemptionBenchmark(target: BenchTarget & { points: string }, options: BenchOptions): Promise<Comparison> {
  const { config } = target;
  const db = await openPointsDatabase(config);
  const pool = new Pool({ ...pgClientConfig(config, config.POINTS_DATABASE), max: options.connections });
  try {
    const people = Array.from({ length: ACCOUNTS }, (_, i) => String(900_000_000 + i));
    await db.transaction(async (manager) => {
      const issuance = await systemAccountId(manager, 'ISSUANCE');
      const accounts = [];
      for (const personId of people) accounts.push((await ensurePersonAccount(manager, personId)).id);
      await postTransaction(manager, {
        kind: 'CREDIT',
        description: 'bench funding',
        createdBy: 'bench',
        postings: [{ accountId: issuance, amount: -POINTS_EACH * ACCOUNTS }, ...accounts.map((accountId) => ({ accountId, amount: POINTS_EACH }))],
      });
    });
    const insertReward = (name: string) =>
      db.query(
        `INSERT INTO reward (name, kind, price, unit_id, unit_path, stock, created_by) VALUES ($1, 'GOODS', 1, 1, '1', $2, 'bench') RETURNING id::text`,
        [name, STOCK],
      );
    const [[hot], [baseline]] = await Promise.all([insertReward('bench 大米'), insertReward('bench baseline')]);

    let next = 0;
    const redeem = async () => {
      const claims = { sub: people[(next += 1) % people.length]!, roles: ['RESIDENT' as const] };
      const variables = { input: { rewardId: hot.id, quantity: 1, idempotencyKey: randomUUID() } };
      const response = await fetch(`${target.points}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...signClaims(config.CLAIMS_SIGNING_SECRET, claims, { query: REDEEM, variables }) },
        body: JSON.stringify({ query: REDEEM, variables }),
      });
      const body = (await response.json()) as { data?: { redeemReward?: { status: string } }; errors?: unknown[] };
      return response.ok && !body.errors && body.data?.redeemReward?.status === 'RESERVED';
    };
    const decrement = async () => (await pool.query('UPDATE reward SET stock = stock - 1 WHERE id = $1 AND stock >= 1 RETURNING stock', [baseline.id])).rowCount === 1;

    const [statements] = await statementsOfCall([target.points], redeem);
    const results = await alternate(
      [
        { label: 'redeemReward (points subgraph)', check: redeem },
        { label: 'single-row UPDATE (SQL)', check: decrement },
      ],
      options,
    );
    const [{ reserved }] = await db.query(`SELECT count(*)::int AS reserved FROM redemption WHERE reward_id = $1 AND status = 'RESERVED'`, [hot.id]);
    const [{ stock }] = await db.query('SELECT stock FROM reward WHERE id = $1', [hot.id]);
    if (stock !== STOCK - reserved) throw new Error(`redemption bench: stock ${stock} does not match ${reserved} reservations`);
    const ledger = await verifyLedgerDatabase(config, config.POINTS_DATABASE);
    if (ledger.violations.length > 0) throw new Error(`redemption bench: ledger:verify found ${ledger.violations.length} violation(s)`);
    return {
      title: 'redemption under contention on one hot reward',
      note:
        `redeemReward (1 item) by ${ACCOUNTS} funded people of one reward, straight to the points subgraph, against the bare ` +
        `conditional stock UPDATE of one row from a pg pool: the same row lock, without the ledger hold, the redemption row, ` +
        `the events and the idempotency record. ${statements} SQL statements per redemption; ${reserved} reservations made, ` +
        `stock checked equal to them and ledger:verify clean afterwards.`,
      statements,
      results,
      goal: 0.3, // issue 13
    };
  } finally {
    await pool.end();
    await db.destroy();
  }
}
