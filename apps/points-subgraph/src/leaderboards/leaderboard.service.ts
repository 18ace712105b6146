import type { DataSource } from 'typeorm';
import { Actor, Role } from '@kz/auth';
import { NotFound } from '@kz/errors';
import {
  boardCount,
  boardPage,
  boardRankOf,
  BoardSql,
  CalendarPeriod,
  encodeCursor,
  isBigintId,
  leaderboardDay,
  leaderboardKey,
  LeaderboardPeriod,
  leaderboardPeriod,
  PageArgs,
  periodStart,
  readPage,
} from '@kz/subgraph';
import type { PointsLoaders } from '../loaders';

/** Staff who read a board in full (every holder, the opted-out marked): as the volunteers' board, in scope of the unit. */
const FULL_BOARD: Role[] = ['CENTER_ADMIN', 'INSTITUTE_ADMIN', 'STATION_ADMIN', 'GRID_WORKER'];

/** One line of the points board. */
export interface PointsLeaderboardEntry {
  rank: number;
  accountId: string;
  personId: string;
  stationId: string | null;
  points: number;
  publicRanking: boolean;
  /** Whether the caller may follow the line to the person (staff who read the board in full, or the caller's own). */
  showPerson: boolean;
}

export interface PointsLeaderboard {
  period: LeaderboardPeriod;
  startsOn: string | null;
  edges: { cursor: string; node: PointsLeaderboardEntry }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: () => Promise<number>;
  viewerRank: () => Promise<PointsLeaderboardEntry | null>;
}

interface Row {
  id: string;
  person_id: string;
  unit_id: string | null;
  public_ranking: boolean;
  /** The points earned that rank the line. */
  value: string | number;
}

/**
 * Leaderboards of points earned (积分排行) of a unit's subtree: the person accounts whose station lies in it, by the
 * points earned in the period (what `lifetimeEarned` counts: credits from verified service and their corrections
 * upward, less reversals of them; not transfers in, refunds or adjustments) on the Beijing calendar, the ledger
 * transaction's date deciding the period; all time: `lifetime_earned`. The same rules as the hours board
 * (volunteers subgraph): ranks 1, 2, 2, 4 by account id, keyset cursors, the public board for anyone signed in
 * (without the volunteers who opted out, `ranking_preference`), the full board for staff in scope of the unit.
 */
export class LeaderboardService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly actor: Actor,
    private readonly loaders: PointsLoaders,
  ) {}

  async points(unitId: string, rawPeriod: string, args: PageArgs & { on?: string | null }, now: Date = new Date()): Promise<PointsLeaderboard> {
    const claims = this.actor.requireAuthenticated();
    const period = leaderboardPeriod(rawPeriod);
    const on = args.on === null || args.on === undefined ? null : leaderboardDay(args.on);
    const unit = isBigintId(unitId) ? await this.loaders.unitRefById.load(unitId) : null;
    if (!unit) throw new NotFound('PracticeUnit', unitId, '单位');
    const kind = `pointsLeaderboard.${period}`;
    const page = readPage(args, kind);
    const after = page.afterKey === null ? null : leaderboardKey(page.afterKey);
    const fullBoard = this.actor.inScope(unit.path, FULL_BOARD);

    let startsOn: string | null = null;
    // The period holding the Beijing day `on`, or the current one.
    if (period !== 'ALL_TIME') startsOn = periodStart(period as CalendarPeriod, on, now);
    const params: unknown[] = [unit.path, `${unit.path}/%`];
    const param = (item: unknown) => `$${params.push(item)}`;
    const periodRows = period === 'ALL_TIME' ? null : { period, startsOn };
    const from =
      (periodRows ? 'points_period_earned e JOIN points_account a ON a.id = e.account_id' : 'points_account a') +
      ' LEFT JOIN ranking_preference r ON r.person_id = a.person_id';
    const value = periodRows ? 'e.points' : 'a.lifetime_earned';
    const base = [`a.kind = 'PERSON'`, `(a.unit_path = $1 OR a.unit_path LIKE $2)`];
    if (periodRows) base.push(`e.period = ${param(periodRows.period)}`, `e.starts_on = ${param(periodRows.startsOn)}::date`);
    base.push(`${value} > 0`);
    if (!fullBoard) base.push('r.public_ranking IS NOT FALSE');
    const board: BoardSql = { query: (sql, values) => this.dataSource.query(sql, values), from, where: base.join(' AND '), params, value, id: 'a.id' };
    const columns = `a.id::text, a.person_id::text, a.unit_id::text, coalesce(r.public_ranking, true) AS public_ranking`;

    const { lines, hasNextPage } = await boardPage<Row>(board, columns, page.limit, after);
    const edges = lines.map(({ row, rank }) => {
      const node = this.entry(row, rank, fullBoard, claims.sub);
      return { cursor: encodeCursor(kind, `${node.points}:${node.accountId}`), node };
    });
    return {
      period,
      startsOn,
      edges,
      pageInfo: { hasNextPage, endCursor: edges.at(-1)?.cursor ?? null },
      totalCount: () => boardCount(board),
      viewerRank: async () => {
        if (!isBigintId(claims.sub)) return null;
        // The caller's own account, on the board or not (opted out, nothing earned in the period, off the page).
        const own: Row[] = await this.dataSource.query(
          `SELECT ${columns}, ${periodRows ? 'coalesce(e.points, 0)' : 'a.lifetime_earned'} AS value
             FROM points_account a LEFT JOIN ranking_preference r ON r.person_id = a.person_id
             ${periodRows ? 'LEFT JOIN points_period_earned e ON e.account_id = a.id AND e.period = $4 AND e.starts_on = $5::date' : ''}
            WHERE a.kind = 'PERSON' AND a.person_id = $3 AND (a.unit_path = $1 OR a.unit_path LIKE $2)`,
          [unit.path, `${unit.path}/%`, claims.sub, ...(periodRows ? [periodRows.period, periodRows.startsOn] : [])],
        );
        const mine = own[0];
        return mine ? this.entry(mine, await boardRankOf(board, mine.value), fullBoard, claims.sub) : null;
      },
    };
  }

  private entry(row: Row, rank: number, fullBoard: boolean, viewer: string): PointsLeaderboardEntry {
    return {
      rank,
      accountId: row.id,
      personId: row.person_id,
      stationId: row.unit_id,
      points: Number(row.value),
      publicRanking: row.public_ranking,
      showPerson: fullBoard || row.person_id === viewer,
    };
  }
}
