import { upsertUnitRefs, UnitRef } from '@kz/org-replica';
import { errorCodes, eventuallyValue } from '@kz/testing';
import { Platform, startPlatform } from './stack';

/**
 * Leaderboards of verified hours (时长排行) through the gateway and the whole platform: staff verify and correct
 * service records, the boards of a station and of its institute rank the volunteers, a resident reads the public
 * board (names masked, no profiles), 何毅 reads his own line and opts out of public ranking, and the station admin
 * still sees him, marked, with his profile and home station (resolved by the org subgraph). The points board ranks
 * what the verified hours earned once the points service has credited them, with names from the volunteers subgraph,
 * and follows his opt-out through `volunteer.ranking.changed`.
 */
const STATION_ADMIN = '13900230005'; // 迎宾社区
const VOLUNTEER_HE_YI = '13900230007';
const RESIDENT_ZHOU = '13900230008';

const BOARD = `query($id: ID!, $period: LeaderboardPeriod!, $first: Int, $after: String) { unit(id: $id) {
  hoursLeaderboard(period: $period, first: $first, after: $after) {
    period startsOn totalCount pageInfo { hasNextPage endCursor }
    edges { node { rank minutes hours displayName publicRanking volunteer { id person { realName } } homeStation { id name } } }
    viewerRank { rank minutes displayName publicRanking volunteer { id } } } } }`;

type Entry = {
  rank: number;
  minutes: number;
  hours: number;
  displayName: string;
  publicRanking: boolean;
  volunteer: { id: string; person?: { realName: string } } | null;
  homeStation?: { id: string; name: string } | null;
};
type Board = { period: string; startsOn: string | null; totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: { node: Entry }[]; viewerRank: Entry | null };

let platform: Platform;
let yingbin: { id: string; path: string };
let hanfeng: { id: string; path: string };
let stationAdmin: string;
let heYi: { volunteerId: string; token: string };
let resident: string;
const volunteers: Record<string, string> = {};
let liRecord: string;

async function board(unit: { id: string }, period: string, token: string, page: { first?: number; after?: string } = {}): Promise<Board> {
  const result = await platform.query<{ unit: { hoursLeaderboard: Board } }>(BOARD, { id: unit.id, period, ...page }, { token });
  if (result.errors) throw new Error(JSON.stringify(result.errors));
  return result.data!.unit.hoursLeaderboard;
}

/** A pending record of `minutes` at 迎宾, verified by the station admin through the gateway. */
async function verified(volunteerId: string, minutes: number): Promise<string> {
  const [record] = await platform.volunteers.query(
    `INSERT INTO service_record (volunteer_id, unit_id, unit_path, category, title, started_at, minutes, status, source, evidence, created_by)
     VALUES ($1, $2, $3, 'ENVIRONMENT', '腾龙广场环境整治', now() - interval '1 second', $4, 'PENDING', 'OFFLINE', '签到表', 'test') RETURNING id::text`,
    [volunteerId, yingbin.id, yingbin.path, minutes],
  );
  const result = await platform.query(`mutation($input: ServiceRecordIdInput!) { verifyServiceRecord(input: $input) { id status } }`, { input: { recordId: record.id } }, {
    token: stationAdmin,
  });
  if (result.errors) throw new Error(JSON.stringify(result.errors));
  return record.id;
}

beforeAll(async () => {
  platform = await startPlatform({ seed: 'demo' });
  yingbin = await platform.unit('KZ-HANFENG-YINGBIN');
  hanfeng = await platform.unit('KZ-HANFENG');
  // The points replica of the org tree, as the org events would fill it.
  const units: UnitRef[] = await platform.org.query('SELECT id::text, code, path, level, name FROM practice_unit');
  await upsertUnitRefs(platform.points.manager, units, new Date(0).toISOString());
  stationAdmin = await platform.login(STATION_ADMIN);
  resident = await platform.login(RESIDENT_ZHOU);
  const [row] = await platform.volunteers.query(
    'SELECT v.id::text AS volunteer_id FROM volunteer v JOIN person p ON p.id = v.person_id WHERE p.mobile = $1',
    [VOLUNTEER_HE_YI],
  );
  heYi = { volunteerId: row.volunteer_id, token: await platform.login(VOLUNTEER_HE_YI) };
  // Two more active volunteers of 迎宾 for 何毅 to be ranked against.
  for (const [name, mobile] of [
    ['李秀英', '13700460001'],
    ['张伟', '13700460002'],
  ]) {
    const [person] = await platform.volunteers.query(`INSERT INTO person (real_name, mobile, home_unit_id, home_unit_path) VALUES ($1, $2, $3, $4) RETURNING id::text`, [
      name,
      mobile,
      yingbin.id,
      yingbin.path,
    ]);
    const [volunteer] = await platform.volunteers.query(
      `INSERT INTO volunteer (person_id, status, home_station_id, home_station_path) VALUES ($1, 'ACTIVE', $2, $3) RETURNING id::text`,
      [person.id, yingbin.id, yingbin.path],
    );
    volunteers[name!] = volunteer.id;
  }
  liRecord = await verified(volunteers['李秀英']!, 240);
  await verified(volunteers['张伟']!, 120);
  await verified(heYi.volunteerId, 180);
}, 120_000);
afterAll(() => platform?.stop());

describe('leaderboards through the gateway', () => {
  it('a resident reads the public board of the week: ranks, masked names, home stations, no profiles; no line of their own', async () => {
    const week = await board(yingbin, 'WEEK', resident);
    expect(week.period).toBe('WEEK');
    expect(week.startsOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(week.edges.map((edge) => [edge.node.rank, edge.node.displayName, edge.node.minutes, edge.node.hours])).toEqual([
      [1, '李**', 240, 4],
      [2, '何*', 180, 3],
      [3, '张*', 120, 2],
    ]);
    expect(week.edges.every((edge) => edge.node.volunteer === null && edge.node.homeStation?.name === '迎宾社区新时代文明实践站')).toBe(true);
    expect(week.viewerRank).toBeNull();
  });

  it('何毅 reads his own line in clear, on the station board and the institute board, and pages by cursor', async () => {
    const own = await board(yingbin, 'WEEK', heYi.token, { first: 1 });
    expect(own.edges).toHaveLength(1);
    expect(own.viewerRank).toEqual({ rank: 2, minutes: 180, displayName: '何毅', publicRanking: true, volunteer: { id: heYi.volunteerId } });
    const next = await board(yingbin, 'WEEK', heYi.token, { first: 1, after: own.pageInfo.endCursor! });
    expect(next.edges[0]!.node).toMatchObject({ rank: 2, displayName: '何毅', volunteer: { id: heYi.volunteerId } });
    const institute = await board(hanfeng, 'ALL_TIME', heYi.token);
    expect(institute.viewerRank?.minutes).toBeGreaterThanOrEqual(180);
    expect(institute.edges.map((edge) => edge.node.displayName)).toEqual(expect.arrayContaining(['李**', '何毅', '张*']));
  });

  it('何毅 opts out: gone from the public board, still on the staff board, marked, with his profile; back in when he asks', async () => {
    const set = await platform.query<{ setPublicRanking: { id: string; publicRanking: boolean } }>(
      `mutation($input: SetPublicRankingInput!) { setPublicRanking(input: $input) { id publicRanking } }`,
      { input: { publicRanking: false } },
      { token: heYi.token },
    );
    expect(set.data?.setPublicRanking).toEqual({ id: heYi.volunteerId, publicRanking: false });
    const publicBoard = await board(yingbin, 'WEEK', resident);
    expect(publicBoard.edges.map((edge) => [edge.node.rank, edge.node.displayName])).toEqual([
      [1, '李**'],
      [2, '张*'],
    ]);
    const staffBoard = await board(yingbin, 'WEEK', stationAdmin);
    expect(staffBoard.edges.map((edge) => [edge.node.rank, edge.node.displayName, edge.node.publicRanking, edge.node.volunteer?.person?.realName])).toEqual([
      [1, '李秀英', true, '李秀英'],
      [2, '何毅', false, '何毅'],
      [3, '张伟', true, '张伟'],
    ]);
    // His own line stays his: the rank he would have among the public lines.
    expect((await board(yingbin, 'WEEK', heYi.token)).viewerRank).toMatchObject({ rank: 2, publicRanking: false });
    // A resident who is not a volunteer has no choice to make.
    const refused = await platform.query(`mutation { setPublicRanking(input: { publicRanking: false }) { id } }`, {}, { token: resident });
    expect(errorCodes(refused)).toEqual(['FORBIDDEN']);
    await platform.query(`mutation { setPublicRanking(input: { publicRanking: true }) { id } }`, {}, { token: heYi.token });
    expect((await board(yingbin, 'WEEK', resident)).totalCount).toBe(3);
  });

  it('a correction that lowers a record lowers the board: 李秀英 falls below 何毅', async () => {
    const corrected = await platform.query(
      `mutation($input: CorrectServiceMinutesInput!) { correctServiceMinutes(input: $input) { id minutes } }`,
      { input: { recordId: liRecord, minutes: 150, reason: '签退时间录错' } },
      { token: stationAdmin },
    );
    expect(corrected.errors).toBeUndefined();
    for (const period of ['WEEK', 'MONTH', 'YEAR']) {
      const page = await board(yingbin, period, resident);
      expect(page.edges.map((edge) => [edge.node.rank, edge.node.displayName, edge.node.minutes])).toEqual([
        [1, '何*', 180],
        [2, '李**', 150],
        [3, '张*', 120],
      ]);
    }
  });

  it('the points board ranks what the hours earned, names from the volunteers subgraph, and follows an opt-out', async () => {
    const POINTS = `query($id: ID!) { unit(id: $id) { pointsLeaderboard(period: YEAR) {
      totalCount edges { node { rank points publicRanking holder { displayName } person { id } station { name } } } viewerRank { rank points holder { displayName } } } } }`;
    type PointsBoard = { totalCount: number; edges: { node: { rank: number; points: number; publicRanking: boolean; holder: { displayName: string }; person: { id: string } | null } }[]; viewerRank: { rank: number; points: number; holder: { displayName: string } } | null };
    const read = async (token: string) => {
      const result = await platform.query<{ unit: { pointsLeaderboard: PointsBoard } }>(POINTS, { id: yingbin.id }, { token });
      if (result.errors) throw new Error(JSON.stringify(result.errors));
      return result.data!.unit.pointsLeaderboard;
    };
    // The three verifications are credited by the points service's consumer (a read may straddle the last credit).
    const board = await eventuallyValue(async () => {
      const page = await read(resident);
      return page.totalCount === 3 && page.edges.length === 3 ? page : undefined;
    });
    const earned: { real_name: string; earned: number }[] = [];
    for (const [name, mobile] of [
      ['李秀英', '13700460001'],
      ['张伟', '13700460002'],
      ['何毅', VOLUNTEER_HE_YI],
    ]) {
      const [{ id: personId }] = await platform.volunteers.query('SELECT id::text FROM person WHERE mobile = $1', [mobile]);
      const [account] = await platform.points.query(`SELECT lifetime_earned::int AS earned FROM points_account WHERE person_id = $1`, [personId]);
      earned.push({ real_name: name!, earned: account.earned });
    }
    earned.sort((p, q) => q.earned - p.earned);
    const masked = (name: string) => name[0] + '*'.repeat([...name].length - 1);
    expect(board.edges.map((edge) => [edge.node.holder.displayName, edge.node.points, edge.node.person])).toEqual(
      earned.map((row) => [masked(row.real_name), row.earned, null]),
    );
    expect(board.edges[0]!.node.points).toBeGreaterThan(0);
    // 何毅 reads his own line in clear; the station admin reads every name in clear.
    expect((await read(heYi.token)).viewerRank?.holder.displayName).toBe('何毅');
    expect((await read(stationAdmin)).edges.map((edge) => edge.node.holder.displayName).sort()).toEqual(['何毅', '张伟', '李秀英'].sort());
    // His opt-out reaches the points service through its inbox.
    await platform.query(`mutation { setPublicRanking(input: { publicRanking: false }) { id } }`, {}, { token: heYi.token });
    // The page and its count are two statements: a read while the inbox applies the opt-out may see it in one only.
    const without = await eventuallyValue(async () => {
      const page = await read(resident);
      return page.totalCount === 2 && page.edges.length === 2 ? page : undefined;
    });
    expect(without.edges.map((edge) => edge.node.holder.displayName)).toEqual(
      earned.filter((row) => row.real_name !== '何毅').map((row) => masked(row.real_name)),
    );
    expect((await read(stationAdmin)).edges.find((edge) => edge.node.holder.displayName === '何毅')?.node.publicRanking).toBe(false);
    await platform.query(`mutation { setPublicRanking(input: { publicRanking: true }) { id } }`, {}, { token: heYi.token });
    await eventuallyValue(async () => ((await read(resident)).totalCount === 3 ? true : undefined));
  });

  it('refuses a bad cursor and anyone not signed in', async () => {
    const bad = await platform.query(BOARD, { id: yingbin.id, period: 'WEEK', after: 'bm90LWEtY3Vyc29y' }, { token: resident });
    expect(errorCodes(bad)).toEqual(['BAD_USER_INPUT']);
    const anonymous = await platform.query(BOARD, { id: yingbin.id, period: 'WEEK' });
    expect(errorCodes(anonymous)).toEqual(['UNAUTHENTICATED']);
  });
});
