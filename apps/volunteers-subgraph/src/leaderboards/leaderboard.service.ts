import type { DataSource } from 'typeorm';
import { Actor, maskName } from '@kz/auth';
import { NotFound } from '@kz/errors';
import { recordEvent } from '@kz/events';
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
  parseInput,
  periodStart,
  readPage,
} from '@kz/subgraph';
import type { VolunteersLoaders } from '../loaders';
import { actorOf, PROFILE_STAFF, VolunteerService } from '../volunteers/volunteer.service';
import { Volunteer } from '../volunteers/volunteer.entity';
import { setPublicRankingInput } from './leaderboard.input';

export type { LeaderboardPeriod };

/** One line of a board: the rank, whose it is, and how much. */
export interface HoursLeaderboardEntry {
  rank: number;
  volunteerId: string;
  /** Whether the caller may follow the entry to the volunteer (staff of the board's unit, or the caller's own). */
  showVolunteer: boolean;
  displayName: string;
  homeStationId: string | null;
  minutes: number;
  publicRanking: boolean;
}

export interface HoursLeaderboard {
  period: LeaderboardPeriod;
  startsOn: string | null;
  edges: { cursor: string; node: HoursLeaderboardEntry }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: () => Promise<number>;
  viewerRank: () => Promise<HoursLeaderboardEntry | null>;
}

interface Row {
  id: string;
  person_id: string;
  home_station_id: string | null;
  public_ranking: boolean;
  real_name: string;
  /** The verified minutes that rank the line. */
  value: number | string;
}

/**
 * Leaderboards of verified service hours (时长排行) of a unit's subtree: the active volunteers whose home station lies
 * in it, by the verified minutes of service started in the period (Beijing calendar; all time: the running total),
 * most first. Equal minutes share a rank (1, 2, 2, 4) and are listed by volunteer id; cursors keyset on
 * (minutes, id). Anyone signed in reads a board: the volunteers who chose public ranking, names masked, ranked
 * among themselves. The staff who see the profiles of the unit's subtree (`PROFILE_STAFF` in scope of the unit)
 * read every volunteer, names in clear, the ones who opted out marked, ranked among all.
 */
export class LeaderboardService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly actor: Actor,
    private readonly loaders: VolunteersLoaders,
    private readonly volunteers: VolunteerService,
  ) {}

  async hours(unitId: string, rawPeriod: string, args: PageArgs & { on?: string | null }, now: Date = new Date()): Promise<HoursLeaderboard> {
    const claims = this.actor.requireAuthenticated();
    const period = leaderboardPeriod(rawPeriod);
    const on = args.on === null || args.on === undefined ? null : leaderboardDay(args.on);
    const unit = isBigintId(unitId) ? await this.loaders.unitRefById.load(unitId) : null;
    if (!unit) throw new NotFound('PracticeUnit', unitId, '单位');
    const kind = `hoursLeaderboard.${period}`;
    const page = readPage(args, kind);
    const after = page.afterKey === null ? null : leaderboardKey(page.afterKey);
    const staffView = this.actor.inScope(unit.path, PROFILE_STAFF);

    let startsOn: string | null = null;
    // The period holding the Beijing day `on`, or the current one.
    if (period !== 'ALL_TIME') startsOn = periodStart(period as CalendarPeriod, on, now);
    // The board's rows: `value` is the minutes that rank, `base` the rows that are on the board.
    const params: unknown[] = [unit.path, `${unit.path}/%`];
    const param = (value: unknown) => `$${params.push(value)}`;
    let from: string;
    let value: string;
    const base = [`v.status = 'ACTIVE'`, `(v.home_station_path = $1 OR v.home_station_path LIKE $2)`];
    if (period === 'ALL_TIME') {
      from = 'volunteer v';
      value = 'v.verified_minutes';
    } else {
      from = 'volunteer_period_minutes m JOIN volunteer v ON v.id = m.volunteer_id';
      value = 'm.minutes';
      base.push(`m.period = ${param(period)}`, `m.starts_on = ${param(startsOn)}::date`);
    }
    base.push(`${value} > 0`);
    if (!staffView) base.push('v.public_ranking');
    const board: BoardSql = {
      query: (sql, values) => this.dataSource.query(sql, values),
      from,
      where: base.join(' AND '),
      params,
      value,
      id: 'v.id',
      pageJoins: 'JOIN person p ON p.id = v.person_id',
    };
    const columns = 'v.id::text, v.person_id::text, v.home_station_id::text, v.public_ranking, p.real_name';

    const { lines, hasNextPage } = await boardPage<Row>(board, columns, page.limit, after);
    const edges = lines.map(({ row, rank }) => {
      const node = this.entry(row, rank, staffView, claims.sub);
      return { cursor: encodeCursor(kind, `${node.minutes}:${node.volunteerId}`), node };
    });
    return {
      period,
      startsOn,
      edges,
      pageInfo: { hasNextPage, endCursor: edges.at(-1)?.cursor ?? null },
      totalCount: () => boardCount(board),
      viewerRank: async () => {
        if (!isBigintId(claims.sub)) return null;
        // The caller's own line, on the board or not (opted out, no minutes in the period, off the page).
        const own: Row[] = await this.dataSource.query(
          `SELECT ${columns}, ${period === 'ALL_TIME' ? 'v.verified_minutes' : 'coalesce(m.minutes, 0)'} AS value
             FROM volunteer v JOIN person p ON p.id = v.person_id
             ${period === 'ALL_TIME' ? '' : 'LEFT JOIN volunteer_period_minutes m ON m.volunteer_id = v.id AND m.period = $4 AND m.starts_on = $5::date'}
            WHERE v.person_id = $3 AND v.status = 'ACTIVE' AND (v.home_station_path = $1 OR v.home_station_path LIKE $2)`,
          [unit.path, `${unit.path}/%`, claims.sub, ...(period === 'ALL_TIME' ? [] : [period, startsOn])],
        );
        const mine = own[0];
        return mine ? this.entry(mine, await boardRankOf(board, mine.value), staffView, claims.sub) : null;
      },
    };
  }

  /** The signed-in volunteer chooses whether the public boards show them; staff in scope see them either way. */
  async setPublicRanking(raw: unknown): Promise<Volunteer> {
    const claims = this.actor.requireRole('VOLUNTEER');
    const input = parseInput(setPublicRankingInput, raw);
    const volunteer = await this.dataSource.transaction(async (manager) => {
      // Only their own: a volunteer's choice, not staff's.
      const current = await this.volunteers.lockTarget(manager, null, []);
      await manager.query('UPDATE volunteer SET public_ranking = $2, updated_at = now() WHERE id = $1', [current.id, input.publicRanking]);
      // The points service ranks by points earned and hides the same volunteers (its inbox keeps the latest choice).
      await recordEvent(manager, {
        type: 'volunteer.ranking.changed',
        actor: actorOf(claims),
        unitPath: current.homeStationPath ?? null,
        payload: { volunteerId: current.id, personId: current.personId, publicRanking: input.publicRanking },
      });
      return manager.findOneByOrFail(Volunteer, { id: current.id });
    });
    return this.volunteers.changed(volunteer);
  }

  private entry(row: Row, rank: number, staffView: boolean, viewer: string): HoursLeaderboardEntry {
    const own = row.person_id === viewer;
    return {
      rank,
      volunteerId: row.id,
      showVolunteer: staffView || own,
      displayName: staffView || own ? row.real_name : maskName(row.real_name),
      homeStationId: row.home_station_id,
      minutes: Number(row.value),
      publicRanking: row.public_ranking,
    };
  }
}
