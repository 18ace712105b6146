import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { Claims } from '@kz/auth';
import type { RunningSubgraph } from '@kz/subgraph';
import { aCaller, errorCodes, GraphQLResult, startSubgraphAlone, SubgraphAlone } from '@kz/testing';
import { ensurePersonAccount } from '../accounts/account-opening';
import { startPointsSubgraph } from '../app';
import { postTransaction, systemAccountId } from '../ledger/ledger';

/**
 * `redemptionExpiries` (issue 22): the expiry timers of reserved redemptions read back from `redemption.expires_at`,
 * so the dispatch worker can rebuild the delayed jobs Redis lost. For the SERVICE role only.
 */
let alone: SubgraphAlone<RunningSubgraph>;
let db: DataSource;
const STATION = { id: '3', path: '1/2/3' };
const stationAdmin = aCaller.staff('STATION_ADMIN', STATION, '9001');
const service: Claims = { sub: 'dispatch-worker', roles: ['SERVICE'] };

beforeAll(async () => {
  alone = await startSubgraphAlone('POINTS_DATABASE', (config) => startPointsSubgraph(config, { port: 0 }));
  db = alone.running.dataSource;
  await db.query(`INSERT INTO unit_ref (id, code, path, level, name, version) VALUES
    (1, 'C', '1', 'CENTER', '开州区新时代文明实践中心', now()), (2, 'I', '1/2', 'INSTITUTE', '汉丰街道新时代文明实践所', now()),
    (3, 'S3', '1/2/3', 'STATION', '迎宾社区新时代文明实践站', now())`);
});
afterAll(() => alone?.stop());

const EXPIRIES = `query($before: DateTime, $after: String, $first: Int) {
  redemptionExpiries(before: $before, after: $after, first: $first) { items { redemptionId expiresAt unitPath } nextCursor }
}`;
type Expiry = { redemptionId: string; expiresAt: string; unitPath: string | null };

async function allExpiries(before: string | null = null): Promise<Expiry[]> {
  const items: Expiry[] = [];
  let after: string | null = null;
  do {
    const result: GraphQLResult<{ redemptionExpiries: { items: Expiry[]; nextCursor: string | null } }> = await alone.ask(EXPIRIES, { before, after, first: 2 }, service);
    if (!result.data?.redemptionExpiries) throw new Error(JSON.stringify(result.errors));
    items.push(...result.data.redemptionExpiries.items);
    after = result.data.redemptionExpiries.nextCursor;
  } while (after);
  return items;
}

const holder: Claims = { sub: '6001', roles: ['RESIDENT'] };

async function redemptions(count: number): Promise<string[]> {
  const personId = holder.sub;
  await db.transaction(async (manager) => {
    const account = await ensurePersonAccount(manager, personId);
    await postTransaction(manager, {
      kind: 'CREDIT',
      description: 'test credit',
      createdBy: 'test',
      postings: [
        { accountId: await systemAccountId(manager, 'ISSUANCE'), amount: -1000 },
        { accountId: account.id, amount: 1000 },
      ],
    });
  });
  const created = await alone.ask<{ createReward: { id: string } }>(
    `mutation($input: CreateRewardInput!) { createReward(input: $input) { id } }`,
    { input: { name: '大米（5公斤）', kind: 'GOODS', price: 10, stationId: STATION.id, stock: 50 } },
    stationAdmin,
  );
  const rewardId = created.data!.createReward.id;
  const ids: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const result = await alone.ask<{ redeemReward: { id: string } }>(
      `mutation($input: RedeemRewardInput!) { redeemReward(input: $input) { id } }`,
      { input: { rewardId, quantity: 1, idempotencyKey: randomUUID() } },
      holder,
    );
    if (!result.data?.redeemReward) throw new Error(JSON.stringify(result.errors));
    ids.push(result.data.redeemReward.id);
  }
  return ids;
}

describe('the redemption expiries the points tables define', () => {
  it('lists every reserved redemption with its expiry, soonest first, and none that is settled', async () => {
    const [soon, later, settled] = (await redemptions(3)) as [string, string, string];
    await db.query(`UPDATE redemption SET expires_at = now() + interval '1 hour' WHERE id = $1`, [soon]);
    const cancelled = await alone.ask(`mutation($input: CancelRedemptionInput!) { cancelRedemption(input: $input) { id } }`, { input: { redemptionId: settled } }, holder);
    expect(cancelled.errors).toBeUndefined();
    const rows: { id: string; expires_at: Date }[] = await db.query('SELECT id::text, expires_at FROM redemption WHERE id = ANY($1::bigint[])', [[soon, later]]);
    const expiresAt = new Map(rows.map((row) => [row.id, row.expires_at.toISOString()]));

    const all = await allExpiries();
    expect(all).toEqual([
      { redemptionId: soon, expiresAt: expiresAt.get(soon), unitPath: STATION.path },
      { redemptionId: later, expiresAt: expiresAt.get(later), unitPath: STATION.path },
    ]);
    const before = new Date(Date.parse(expiresAt.get(soon)!) + 1).toISOString();
    expect((await allExpiries(before)).map((expiry) => expiry.redemptionId)).toEqual([soon]);
  });

  it('answers only the SERVICE role', async () => {
    const result = await alone.ask(EXPIRIES, { before: null, after: null, first: 10 }, aCaller.staff('CENTER_ADMIN', { id: '1', path: '1' }, '9003'));
    expect(errorCodes(result)).toEqual(['FORBIDDEN']);
  });
});
