import { randomUUID } from 'node:crypto';
import type { Claims } from '@kz/auth';
import { upsertUnitRefs } from '@kz/org-replica';
import { RunningSubgraph } from '@kz/subgraph';
import { errorCodes, startSubgraphAlone, SubgraphAlone } from '@kz/testing';
import type { DataSource } from 'typeorm';
import { startPointsSubgraph } from '../app';
import { ensurePersonAccount } from '../accounts/account-opening';
import { pointsInboxHandlers } from '../inbox';
import { postTransaction, systemAccountId } from '../ledger/ledger';
import { rebuildPeriodEarned } from './period-earned';

/** Leaderboards of points earned (积分排行) in the points subgraph, against its real database and ledger. */

const BOARD = `query($representations: [_Any!]!, $period: LeaderboardPeriod!, $on: String, $first: Int, $after: String) {
  _entities(representations: $representations) { ... on PracticeUnit { pointsLeaderboard(period: $period, on: $on, first: $first, after: $after) {
    period startsOn totalCount pageInfo { hasNextPage endCursor }
    edges { node { rank points publicRanking holder { id } person { id } station { id } } }
    viewerRank { rank points publicRanking holder { id } person { id } } } } } }`;

type Entry = { rank: number; points: number; publicRanking: boolean; holder: { id: string }; person: { id: string } | null; station?: { id: string } | null };
type Board = { period: string; startsOn: string | null; totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: { node: Entry }[]; viewerRank: Entry | null };

const HOUR = 3_600_000;
const beijing = (at: Date) => new Date(at.getTime() + 8 * HOUR);
const beijingMidnight = (year: number, month: number, day: number) => new Date(Date.UTC(year, month, day) - 8 * HOUR);

describe('leaderboards of points earned', () => {
  let alone: SubgraphAlone<RunningSubgraph>;
  let db: DataSource;
  let issuance: string;
  let nextPerson = 7000;
  let nextStation = 300;

  async function aStation(): Promise<{ id: string; path: string }> {
    nextStation += 1;
    const station = { id: String(nextStation), code: `P${nextStation}`, path: `1/2/${nextStation}`, level: 'STATION' as const, name: `积分站${nextStation}` };
    await upsertUnitRefs(db.manager, [station], new Date(0).toISOString());
    return station;
  }

  /** A person with an account at `station`; their person id and account id. */
  async function aPerson(station: { id: string; path: string }): Promise<{ personId: string; accountId: string; claims: Claims }> {
    nextPerson += 1;
    const personId = String(nextPerson);
    const account = await db.transaction((m) => ensurePersonAccount(m, personId, station));
    return { personId, accountId: account.id, claims: { sub: personId, roles: ['RESIDENT', 'VOLUNTEER'] } };
  }

  async function post(kind: 'CREDIT' | 'TRANSFER' | 'ADJUSTMENT', from: string, to: string, amount: number, at?: Date): Promise<string> {
    const tx = await db.transaction((m) =>
      postTransaction(m, { kind, description: kind, createdBy: 'test', postings: [{ accountId: from, amount: -amount }, { accountId: to, amount }], createdAt: at }),
    );
    return tx.id;
  }
  const earn = (accountId: string, amount: number, at?: Date) => post('CREDIT', issuance, accountId, amount, at);

  async function board(unit: { id: string }, period: string, caller: Claims | null, page: { first?: number; after?: string; on?: string } = {}) {
    return alone.ask<{ _entities: { pointsLeaderboard: Board | null }[] }>(BOARD, { representations: [{ __typename: 'PracticeUnit', id: unit.id }], period, ...page }, caller);
  }
  async function mustBoard(unit: { id: string }, period: string, caller: Claims | null, page: { first?: number; after?: string; on?: string } = {}): Promise<Board> {
    const result = await board(unit, period, caller, page);
    if (result.errors) throw new Error(JSON.stringify(result.errors));
    return result.data!._entities[0]!.pointsLeaderboard!;
  }
  const lines = (page: Board) => page.edges.map((edge) => [edge.node.rank, edge.node.holder.id, edge.node.points]);
  const admin = (unit: { id: string; path: string }) => ({ sub: '1', roles: ['STATION_ADMIN'], unitId: unit.id, unitPath: unit.path }) as Claims;
  const rankingChanged = (personId: string, publicRanking: boolean, occurredAt: string, id: string = randomUUID()) =>
    pointsInboxHandlers(db)['volunteer.ranking.changed']!({
      id,
      type: 'volunteer.ranking.changed',
      version: 1,
      occurredAt,
      actor: { personId, roles: ['VOLUNTEER'] },
      unitPath: null,
      payload: { volunteerId: '1', personId, publicRanking },
    } as never, {} as never);

  beforeAll(async () => {
    alone = await startSubgraphAlone('POINTS_DATABASE', (config) => startPointsSubgraph(config, { port: 0 }));
    db = alone.running.dataSource;
    issuance = await systemAccountId(db.manager, 'ISSUANCE');
    await upsertUnitRefs(db.manager, [{ id: '1', code: 'KZ', path: '1', level: 'CENTER', name: '中心' }, { id: '2', code: 'HF', path: '1/2', level: 'INSTITUTE', name: '汉丰' }], new Date(0).toISOString());
  });
  afterAll(() => alone?.stop());

  it('counts what was earned, not transfers in or adjustments; ties share a rank and pages keep it', async () => {
    const station = await aStation();
    const [a, b, c, d] = [await aPerson(station), await aPerson(station), await aPerson(station), await aPerson(station)];
    await earn(a.accountId, 50);
    await earn(b.accountId, 30);
    await earn(c.accountId, 30);
    await earn(d.accountId, 10);
    await post('TRANSFER', a.accountId, d.accountId, 40); // d receives 40: not earned
    const adjustment = await systemAccountId(db.manager, 'ADJUSTMENT');
    await post('ADJUSTMENT', adjustment, d.accountId, 100); // nor is an adjustment
    const reader = { sub: '99999', roles: ['RESIDENT'] } as Claims;
    for (const period of ['WEEK', 'MONTH', 'YEAR', 'ALL_TIME']) {
      const page = await mustBoard(station, period, reader);
      expect([period, lines(page)]).toEqual([
        period,
        [
          [1, a.personId, 50],
          [2, b.personId, 30],
          [2, c.personId, 30],
          [4, d.personId, 10],
        ],
      ]);
      expect(page.edges.every((edge) => edge.node.person === null && edge.node.station?.id === station.id)).toBe(true);
    }
    const second = await mustBoard(station, 'WEEK', reader, { first: 2, after: (await mustBoard(station, 'WEEK', reader, { first: 2 })).pageInfo.endCursor! });
    expect(lines(second)).toEqual([
      [2, c.personId, 30],
      [4, d.personId, 10],
    ]);
    expect(second.pageInfo.hasNextPage).toBe(false);
  });

  it('a reversed credit is no longer earned, in its period and in all time', async () => {
    const station = await aStation();
    const [a, b] = [await aPerson(station), await aPerson(station)];
    const credit = await earn(a.accountId, 80);
    await earn(b.accountId, 60);
    await db.transaction((m) =>
      postTransaction(m, {
        kind: 'REVERSAL',
        description: '冲正',
        createdBy: 'test',
        reversesId: credit,
        reversedKind: 'CREDIT',
        postings: [{ accountId: a.accountId, amount: -80 }, { accountId: issuance, amount: 80 }],
      }),
    );
    for (const period of ['WEEK', 'ALL_TIME']) {
      expect(lines(await mustBoard(station, period, admin(station)))).toEqual([[1, b.personId, 60]]);
    }
  });

  it('periods follow the Beijing calendar of the ledger date, and `on` reads a past one', async () => {
    const station = await aStation();
    const now = beijing(new Date());
    const weekStart = beijingMidnight(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - ((now.getUTCDay() + 6) % 7));
    const [inWeek, before] = [await aPerson(station), await aPerson(station)];
    await earn(inWeek.accountId, 20, weekStart);
    await earn(before.accountId, 30, new Date(weekStart.getTime() - 1000));
    const week = await mustBoard(station, 'WEEK', admin(station));
    expect(week.startsOn).toBe(beijing(weekStart).toISOString().slice(0, 10));
    expect(lines(week)).toEqual([[1, inWeek.personId, 20]]);
    const lastWeek = await mustBoard(station, 'WEEK', admin(station), { on: beijing(new Date(weekStart.getTime() - 1000)).toISOString().slice(0, 10) });
    expect(lines(lastWeek)).toEqual([[1, before.personId, 30]]);
    expect(lines(await mustBoard(station, 'ALL_TIME', admin(station)))).toEqual([
      [1, before.personId, 30],
      [2, inWeek.personId, 20],
    ]);
  });

  it('hides from the public board those who opted out, once per event and the latest choice winning; staff see them marked; their own line stays', async () => {
    const station = await aStation();
    const [shy, open] = [await aPerson(station), await aPerson(station)];
    await earn(shy.accountId, 90);
    await earn(open.accountId, 40);
    const eventId = randomUUID();
    await rankingChanged(shy.personId, false, '2026-12-01T10:00:00+08:00', eventId);
    await rankingChanged(shy.personId, false, '2026-12-01T10:00:00+08:00', eventId); // redelivered: once
    await rankingChanged(shy.personId, true, '2026-12-01T09:00:00+08:00'); // older, arriving late: changes nothing
    expect(await db.query('SELECT public_ranking FROM ranking_preference WHERE person_id = $1', [shy.personId])).toEqual([{ public_ranking: false }]);
    expect(await db.query(`SELECT count(*)::int AS n FROM processed_event WHERE event_id = $1`, [eventId])).toEqual([{ n: 1 }]);

    const reader = { sub: '99999', roles: ['RESIDENT'] } as Claims;
    const publicBoard = await mustBoard(station, 'ALL_TIME', reader);
    expect(lines(publicBoard)).toEqual([[1, open.personId, 40]]);
    expect(publicBoard.totalCount).toBe(1);
    expect(publicBoard.viewerRank).toBeNull();
    const full = await mustBoard(station, 'ALL_TIME', admin(station));
    expect(full.edges.map((edge) => [edge.node.rank, edge.node.holder.id, edge.node.publicRanking, edge.node.person?.id])).toEqual([
      [1, shy.personId, false, shy.personId],
      [2, open.personId, true, open.personId],
    ]);
    const own = await mustBoard(station, 'ALL_TIME', shy.claims);
    expect(lines(own)).toEqual(lines(publicBoard));
    expect(own.viewerRank).toEqual({ rank: 1, points: 90, publicRanking: false, holder: { id: shy.personId }, person: { id: shy.personId } });
    // Nothing earned this week: after everyone listed.
    const idle = await aPerson(station);
    expect((await mustBoard(station, 'WEEK', idle.claims)).viewerRank).toMatchObject({ rank: 2, points: 0 });
    await rankingChanged(shy.personId, true, '2026-12-02T10:00:00+08:00');
    expect((await mustBoard(station, 'ALL_TIME', reader)).totalCount).toBe(2);
  });

  it('a subtree board holds the stations below the unit; the backfill agrees with what the ledger kept', async () => {
    const north = await aStation();
    const person = await aPerson(north);
    await earn(person.accountId, 5);
    expect(lines(await mustBoard({ id: '2' }, 'ALL_TIME', admin(north))).map((line) => line[1])).toContain(person.personId);
    const kept = await db.query('SELECT period, starts_on::text, account_id::text, points::int FROM points_period_earned WHERE points <> 0 ORDER BY 1, 2, 3');
    await db.transaction((m) => rebuildPeriodEarned(m));
    expect(await db.query('SELECT period, starts_on::text, account_id::text, points::int FROM points_period_earned ORDER BY 1, 2, 3')).toEqual(kept);
  });

  it('refuses bad cursors, days and callers', async () => {
    const station = await aStation();
    expect(errorCodes(await board(station, 'WEEK', admin(station), { after: 'bm9wZQ' }))).toEqual(['BAD_USER_INPUT']);
    expect(errorCodes(await board(station, 'WEEK', admin(station), { on: '2026-13-01' }))).toEqual(['BAD_USER_INPUT']);
    expect(errorCodes(await board(station, 'WEEK', null))).toEqual(['UNAUTHENTICATED']);
  });
});
