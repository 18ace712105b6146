import type { Claims } from '@kz/auth';
import { RunningSubgraph } from '@kz/subgraph';
import { aCaller, errorCodes, startSubgraphAlone, SubgraphAlone } from '@kz/testing';
import { startVolunteersSubgraph } from '../app';
import { upsertUnitRefs } from '../units/unit-ref';
import { CENTER, centerAdmin, INSTITUTE, OTHER_INSTITUTE, OTHER_STATION, STATION } from '../testing/unit-tree';
import { rebuildPeriodMinutes } from './period-minutes';

/** Leaderboards of verified hours (时长排行) in the volunteers subgraph, against its real database. */

const BOARD = `query($representations: [_Any!]!, $period: LeaderboardPeriod!, $on: String, $first: Int, $after: String) {
  _entities(representations: $representations) { ... on PracticeUnit { hoursLeaderboard(period: $period, on: $on, first: $first, after: $after) {
    period startsOn totalCount pageInfo { hasNextPage endCursor }
    edges { cursor node { rank minutes hours displayName publicRanking volunteer { id } homeStation { id } } }
    viewerRank { rank minutes displayName publicRanking volunteer { id } } } } } }`;
const SET_PUBLIC = `mutation($input: SetPublicRankingInput!) { setPublicRanking(input: $input) { id publicRanking } }`;
const VERIFY = `mutation($input: ServiceRecordIdInput!) { verifyServiceRecord(input: $input) { id status } }`;
const CORRECT = `mutation($input: CorrectServiceMinutesInput!) { correctServiceMinutes(input: $input) { id minutes } }`;

type Entry = { rank: number; minutes: number; hours: number; displayName: string; publicRanking: boolean; volunteer: { id: string } | null; homeStation?: { id: string } | null };
type Board = {
  period: string;
  startsOn: string | null;
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: { cursor: string; node: Entry }[];
  viewerRank: Entry | null;
};
type Period = 'WEEK' | 'MONTH' | 'YEAR' | 'ALL_TIME';

const HOUR = 3_600_000;
/** The Beijing wall clock of an instant, read with the UTC getters (Beijing keeps UTC+8 all year). */
const beijing = (at: Date) => new Date(at.getTime() + 8 * HOUR);
/** The instant of 00:00 Beijing on the given Beijing calendar day. */
const beijingMidnight = (year: number, month: number, day: number) => new Date(Date.UTC(year, month, day) - 8 * HOUR);

describe('leaderboards of verified hours', () => {
  let alone: SubgraphAlone<RunningSubgraph>;
  let serial = 0;
  let nextUnit = 100;
  let adminPerson: string;
  const db = () => alone.running.dataSource;

  /** A station of its own under 汉丰街道 (`1/2`), so each test reads a board no other test writes to. */
  async function aStation(parent: { id: string; path: string } = INSTITUTE): Promise<{ id: string; path: string }> {
    nextUnit += 1;
    const station = { id: String(nextUnit), code: `LB${nextUnit}`, path: `${parent.path}/${nextUnit}`, level: 'STATION' as const, name: `排行测试站${nextUnit}` };
    await db().transaction((manager) => upsertUnitRefs(manager, [station], new Date(0).toISOString()));
    return station;
  }

  /** An active volunteer at `station` named `name`; their claims and volunteer id. */
  async function aVolunteer(station: { id: string; path: string }, name: string, status = 'ACTIVE'): Promise<[Claims, string]> {
    serial += 1;
    const [person] = await db().query(`INSERT INTO person (real_name, mobile) VALUES ($1, $2) RETURNING id::text`, [name, `1370045${String(serial).padStart(4, '0')}`]);
    const [row] = await db().query(
      `INSERT INTO volunteer (person_id, status, home_station_id, home_station_path) VALUES ($1, $2, $3, $4) RETURNING id::text`,
      [person.id, status, station.id, station.path],
    );
    return [{ sub: person.id, roles: ['RESIDENT', 'VOLUNTEER'] }, row.id];
  }

  /** A pending record of `minutes` started at `startedAt`, verified through the API as staff do. */
  async function verified(volunteerId: string, station: { id: string; path: string }, minutes: number, startedAt = new Date(Date.now() - 1000)): Promise<string> {
    const [record] = await db().query(
      `INSERT INTO service_record (volunteer_id, unit_id, unit_path, category, title, started_at, minutes, status, source, evidence, created_by)
       VALUES ($1, $2, $3, 'ENVIRONMENT', '滨湖公园环境整治', $4, $5, 'PENDING', 'OFFLINE', '签到表', 'test') RETURNING id::text`,
      [volunteerId, station.id, station.path, startedAt.toISOString(), minutes],
    );
    const result = await alone.ask(VERIFY, { input: { recordId: record.id } }, adminOf(station));
    if (result.errors) throw new Error(JSON.stringify(result.errors));
    return record.id;
  }

  const adminOf = (unit: { id: string; path: string }, role: 'STATION_ADMIN' | 'INSTITUTE_ADMIN' = 'STATION_ADMIN') => aCaller.staff(role, unit, adminPerson);

  async function board(unit: { id: string }, period: Period, caller: Claims | null, page: { first?: number; after?: string; on?: string } = {}) {
    return alone.ask<{ _entities: { hoursLeaderboard: Board | null }[] }>(BOARD, { representations: [{ __typename: 'PracticeUnit', id: unit.id }], period, ...page }, caller);
  }
  async function mustBoard(unit: { id: string }, period: Period, caller: Claims, page: { first?: number; after?: string; on?: string } = {}): Promise<Board> {
    const result = await board(unit, period, caller, page);
    if (result.errors) throw new Error(JSON.stringify(result.errors));
    return result.data!._entities[0]!.hoursLeaderboard!;
  }
  const lines = (page: Board) => page.edges.map((edge) => [edge.node.rank, edge.node.displayName, edge.node.minutes]);

  beforeAll(async () => {
    alone = await startSubgraphAlone('VOLUNTEERS_DATABASE', (config) => startVolunteersSubgraph(config, { port: 0 }), centerAdmin);
    await db().transaction((manager) => upsertUnitRefs(manager, [CENTER, INSTITUTE, STATION, OTHER_INSTITUTE, OTHER_STATION], new Date(0).toISOString()));
    [{ id: adminPerson }] = await db().query(`INSERT INTO person (real_name, mobile) VALUES ('站长', '13700459999') RETURNING id::text`);
  });
  afterAll(() => alone?.stop());

  it('ranks by verified minutes, equal minutes share a rank (1, 2, 2, 4) in id order, and pages keep the ranks across the tie', async () => {
    const station = await aStation();
    const [, a] = await aVolunteer(station, '赵一');
    const [, b] = await aVolunteer(station, '钱二');
    const [, c] = await aVolunteer(station, '孙三');
    const [, d] = await aVolunteer(station, '李四');
    await aVolunteer(station, '周五'); // no minutes: not on the board
    const [, pending] = await aVolunteer(station, '吴六', 'PENDING');
    await verified(a, station, 300);
    await verified(c, station, 120);
    await verified(b, station, 120);
    await verified(d, station, 60);
    await verified(d, station, 30);
    await verified(pending, station, 600); // not an active volunteer: not ranked
    const resident = aCaller.resident('p-reader');
    const whole = await mustBoard(station, 'ALL_TIME', resident);
    expect(lines(whole)).toEqual([
      [1, '赵*', 300],
      [2, '钱*', 120],
      [2, '孙*', 120],
      [4, '李*', 90],
    ]);
    expect(whole.totalCount).toBe(4);
    expect(whole.edges[3]!.node.hours).toBe(1.5);
    expect(whole.edges.every((edge) => edge.node.volunteer === null && edge.node.homeStation?.id === station.id)).toBe(true);

    // One line a page: the tie straddles pages and keeps its rank.
    const seen: (string | number)[][] = [];
    let after: string | undefined;
    for (let guard = 0; guard < 10; guard += 1) {
      const page = await mustBoard(station, 'ALL_TIME', resident, { first: 1, ...(after ? { after } : {}) });
      seen.push(...lines(page));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor!;
    }
    expect(seen).toEqual(lines(whole));
    const second = await mustBoard(station, 'ALL_TIME', resident, { first: 2, after: whole.edges[1]!.cursor });
    expect(lines(second)).toEqual([
      [2, '孙*', 120],
      [4, '李*', 90],
    ]);
    expect(second.pageInfo.hasNextPage).toBe(false);
  });

  it('a volunteer who opts out leaves the public board (the ranks close up) and stays on the staff board, marked; their own line stays theirs', async () => {
    const station = await aStation();
    const [first, firstId] = await aVolunteer(station, '郑一');
    const [, secondId] = await aVolunteer(station, '王二');
    const [, thirdId] = await aVolunteer(station, '冯三');
    await verified(firstId, station, 500);
    await verified(secondId, station, 400);
    await verified(thirdId, station, 300);
    const optedOut = await alone.ask<{ setPublicRanking: { id: string; publicRanking: boolean } }>(SET_PUBLIC, { input: { publicRanking: false } }, first);
    expect(optedOut.data?.setPublicRanking).toEqual({ id: firstId, publicRanking: false });
    // The points service hears of the choice through the outbox, in the same transaction.
    const events = await db().query(`SELECT payload FROM outbox WHERE type = 'volunteer.ranking.changed' AND payload->>'volunteerId' = $1`, [firstId]);
    expect(events.map((row: { payload: unknown }) => row.payload)).toEqual([{ volunteerId: firstId, personId: first.sub, publicRanking: false }]);

    const resident = aCaller.resident('p-reader');
    const publicBoard = await mustBoard(station, 'ALL_TIME', resident);
    expect(lines(publicBoard)).toEqual([
      [1, '王*', 400],
      [2, '冯*', 300],
    ]);
    expect(publicBoard.totalCount).toBe(2);
    expect(publicBoard.viewerRank).toBeNull(); // not a volunteer

    const staffBoard = await mustBoard(station, 'ALL_TIME', adminOf(station));
    expect(staffBoard.edges.map((edge) => [edge.node.rank, edge.node.displayName, edge.node.publicRanking, edge.node.volunteer?.id])).toEqual([
      [1, '郑一', false, firstId],
      [2, '王二', true, secondId],
      [3, '冯三', true, thirdId],
    ]);
    // The institute's admin sees the station's board in full too; the other institute's admin reads the public one.
    expect((await mustBoard(station, 'ALL_TIME', adminOf(INSTITUTE, 'INSTITUTE_ADMIN'))).totalCount).toBe(3);
    expect((await mustBoard(station, 'ALL_TIME', aCaller.staff('INSTITUTE_ADMIN', OTHER_INSTITUTE, 'p-other'))).totalCount).toBe(2);

    // The opted-out volunteer reads the public board: not on it, but their own line, in clear, with the rank they would have.
    const own = await mustBoard(station, 'ALL_TIME', first);
    expect(lines(own)).toEqual(lines(publicBoard));
    expect(own.viewerRank).toEqual({ rank: 1, minutes: 500, displayName: '郑一', publicRanking: false, volunteer: { id: firstId } });

    // Back in: on the public board again.
    await alone.ask(SET_PUBLIC, { input: { publicRanking: true } }, first);
    expect((await mustBoard(station, 'ALL_TIME', resident)).totalCount).toBe(3);
  });

  it("the viewer's own rank: off the page, with no minutes in the period, null outside the subtree", async () => {
    const station = await aStation();
    const ids: string[] = [];
    for (const [index, minutes] of [400, 300, 300, 200].entries()) {
      const [, id] = await aVolunteer(station, `陈${'一二三四'[index]}`);
      await verified(id, station, minutes);
      ids.push(id);
    }
    const [last, lastId] = await aVolunteer(station, '褚五');
    await verified(lastId, station, 200);
    const [idle] = await aVolunteer(station, '卫六');
    const [elsewhere] = await aVolunteer(OTHER_STATION, '蒋七');

    const page = await mustBoard(station, 'ALL_TIME', last, { first: 2 });
    expect(page.edges).toHaveLength(2);
    expect(page.viewerRank).toEqual({ rank: 4, minutes: 200, displayName: '褚五', publicRanking: true, volunteer: { id: lastId } });
    // No minutes: after everyone on the board.
    expect((await mustBoard(station, 'ALL_TIME', idle)).viewerRank).toMatchObject({ rank: 6, minutes: 0, displayName: '卫六' });
    // The institute's board holds the station; the other institute's volunteer has no line on it.
    expect((await mustBoard(INSTITUTE, 'ALL_TIME', last)).viewerRank?.minutes).toBe(200);
    expect((await mustBoard(station, 'ALL_TIME', elsewhere)).viewerRank).toBeNull();
  });

  it('a subtree board holds every station below the unit and nothing beside it', async () => {
    const institute = { id: '90', code: 'LBI', path: '1/90', level: 'INSTITUTE' as const, name: '排行测试所' };
    await db().transaction((manager) => upsertUnitRefs(manager, [institute], new Date(0).toISOString()));
    const north = await aStation(institute);
    const south = await aStation(institute);
    const beside = await aStation();
    const [, n] = await aVolunteer(north, '沈北');
    const [, s] = await aVolunteer(south, '韩南');
    const [, b] = await aVolunteer(beside, '杨旁');
    await verified(n, north, 100);
    await verified(s, south, 200);
    await verified(b, beside, 900);
    const page = await mustBoard(institute, 'ALL_TIME', aCaller.resident());
    expect(lines(page)).toEqual([
      [1, '韩*', 200],
      [2, '沈*', 100],
    ]);
    expect(page.edges.map((edge) => edge.node.homeStation?.id)).toEqual([south.id, north.id]);
  });

  it('periods follow the Beijing calendar: the week from Monday 00:00, the month and the year from their first day', async () => {
    const station = await aStation();
    const now = beijing(new Date());
    const [y, m, d] = [now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()];
    const weekStart = beijingMidnight(y, m, d - ((now.getUTCDay() + 6) % 7));
    const monthStart = beijingMidnight(y, m, 1);
    const yearStart = beijingMidnight(y, 0, 1);
    const second = 1000;
    const instants = [weekStart, new Date(weekStart.getTime() - second), monthStart, new Date(monthStart.getTime() - second), yearStart, new Date(yearStart.getTime() - second)];
    const volunteers: { id: string; name: string; at: Date; minutes: number }[] = [];
    for (const [index, at] of instants.entries()) {
      const name = `秦${'甲乙丙丁戊己'[index]}`;
      const [, id] = await aVolunteer(station, name);
      const minutes = 60 * (index + 1);
      await verified(id, station, minutes, at);
      volunteers.push({ id, name, at, minutes });
    }
    const expected = (from: Date | null) =>
      volunteers
        .filter((v) => !from || v.at >= from)
        .sort((p, q) => q.minutes - p.minutes)
        .map((v, index) => [index + 1, v.name, v.minutes]);
    const staff = adminOf(station);
    const week = await mustBoard(station, 'WEEK', staff);
    expect(week.startsOn).toBe(beijing(weekStart).toISOString().slice(0, 10));
    expect(lines(week)).toEqual(expected(weekStart));
    expect(lines(week)).toContainEqual([expect.any(Number), '秦甲', 60]);
    expect(lines(week)).not.toContainEqual([expect.any(Number), '秦乙', 120]);
    const month = await mustBoard(station, 'MONTH', staff);
    expect(month.startsOn).toBe(`${y}-${String(m + 1).padStart(2, '0')}-01`);
    expect(lines(month)).toEqual(expected(monthStart));
    const year = await mustBoard(station, 'YEAR', staff);
    expect(year.startsOn).toBe(`${y}-01-01`);
    expect(lines(year)).toEqual(expected(yearStart));
    expect(lines(await mustBoard(station, 'ALL_TIME', staff))).toEqual(expected(null));
    // `on`: the month holding a day of the last month, its last second included, this month's first excluded.
    const lastMonth = beijing(new Date(monthStart.getTime() - second));
    const previous = await mustBoard(station, 'MONTH', staff, { on: lastMonth.toISOString().slice(0, 10) });
    const previousStart = beijingMidnight(lastMonth.getUTCFullYear(), lastMonth.getUTCMonth(), 1);
    expect(previous.startsOn).toBe(beijing(previousStart).toISOString().slice(0, 10));
    expect(lines(previous)).toEqual(
      volunteers
        .filter((v) => v.at >= previousStart && v.at < monthStart)
        .sort((p, q) => q.minutes - p.minutes)
        .map((v, index) => [index + 1, v.name, v.minutes]),
    );
    expect(lines(previous)).toContainEqual([expect.any(Number), '秦丁', 240]);
  });

  it('a correction that lowers the minutes lowers the board of every period, and the rank with it', async () => {
    const station = await aStation();
    const [, top] = await aVolunteer(station, '尤上');
    const [, next] = await aVolunteer(station, '许下');
    const recordId = await verified(top, station, 300);
    await verified(next, station, 200);
    const corrected = await alone.ask(CORRECT, { input: { recordId, minutes: 100, reason: '签退时间录错' } }, adminOf(station));
    expect(corrected.errors).toBeUndefined();
    for (const period of ['WEEK', 'MONTH', 'YEAR', 'ALL_TIME'] as const) {
      expect(lines(await mustBoard(station, period, adminOf(station)))).toEqual([
        [1, '许下', 200],
        [2, '尤上', 100],
      ]);
    }
    // To nothing: off the board.
    await alone.ask(CORRECT, { input: { recordId, minutes: 0, reason: '并非志愿服务' } }, adminOf(station));
    expect(lines(await mustBoard(station, 'WEEK', adminOf(station)))).toEqual([[1, '许下', 200]]);
  });

  it('the backfill recomputes from the records what verifying and correcting kept', async () => {
    const kept = await db().query('SELECT period, starts_on::text, volunteer_id::text, minutes FROM volunteer_period_minutes WHERE minutes > 0 ORDER BY 1, 2, 3');
    await db().transaction((manager) => rebuildPeriodMinutes(manager));
    const rebuilt = await db().query('SELECT period, starts_on::text, volunteer_id::text, minutes FROM volunteer_period_minutes ORDER BY 1, 2, 3');
    expect(kept.length).toBeGreaterThan(0);
    expect(rebuilt).toEqual(kept);
  });

  it('refuses a cursor of another list or period, a page too large, a day that does not exist, and a ranking choice from someone who is not a volunteer', async () => {
    const station = await aStation();
    const [, id] = await aVolunteer(station, '何一');
    const [, other] = await aVolunteer(station, '吕二');
    await verified(id, station, 100);
    await verified(other, station, 50);
    const staff = adminOf(station);
    const page = await mustBoard(station, 'WEEK', staff, { first: 1 });
    expect(errorCodes(await board(station, 'MONTH', staff, { after: page.pageInfo.endCursor! }))).toEqual(['BAD_USER_INPUT']);
    expect(errorCodes(await board(station, 'WEEK', staff, { after: Buffer.from('hoursLeaderboard.WEEK:x').toString('base64url') }))).toEqual(['BAD_USER_INPUT']);
    expect(errorCodes(await board(station, 'WEEK', staff, { first: 101 }))).toEqual(['BAD_USER_INPUT']);
    expect(errorCodes(await board(station, 'WEEK', staff, { first: -1 }))).toEqual(['BAD_USER_INPUT']);
    for (const on of ['2026-02-30', '26-01-01', '1999-12-31', 'today']) {
      expect([on, errorCodes(await board(station, 'WEEK', staff, { on }))]).toEqual([on, ['BAD_USER_INPUT']]);
    }
    const refused = await alone.ask(SET_PUBLIC, { input: { publicRanking: false } }, aCaller.resident('p-nobody'));
    expect(errorCodes(refused)).toEqual(['FORBIDDEN']);
    expect(errorCodes(await alone.ask(SET_PUBLIC, { input: { publicRanking: false } }, staff))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await board(station, 'WEEK', null))).toEqual(['UNAUTHENTICATED']);
  });
});
