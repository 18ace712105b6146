import { Pool } from 'pg';
import { signToken } from '@kz/auth';
import { pgClientConfig } from '@kz/db';
import { alternate, Comparison, graphqlCheck } from './load';
import { BenchOptions, BenchTarget, statementsOfCall } from './unit-tree.bench';

/** The goal of the leaderboard rows: the gateway at least this share of the same SQL's req/s (issue 14). */
export const LEADERBOARD_GOAL = 0.6;

/**
 * The seed's service falls in the year before 2026-11-01 (libs/seed-data), so the boards read are of the year holding
 * 2026-10-15: a fixed day keeps the rows the same whenever the bench runs, and the year is the largest period board.
 */
const ON = '2026-10-15';

const BOARD = `query($id: ID!) { unit(id: $id) { hoursLeaderboard(period: YEAR, on: "${ON}", first: 20) {
  totalCount edges { node { rank displayName minutes hours publicRanking homeStation { id } } } viewerRank { rank minutes } } } }`;

/**
 * The year's leaderboard of verified hours (时长排行) of the whole district (73,000 volunteers) and of one institute
 * (汉丰街道), as 何毅 reads them (a volunteer: the public lines, names masked, and his own rank), through the gateway,
 * against the same statements straight from a pg pool: the page with names, the ranks of the page, the total, and
 * the viewer's own line and rank.
 */
export async function leaderboardBenchmarks(target: BenchTarget, options: BenchOptions): Promise<Comparison[]> {
  const { config } = target;
  const pool = new Pool({ ...pgClientConfig(config, config.VOLUNTEERS_DATABASE), max: options.connections });
  try {
    const [viewer] = (await pool.query(`SELECT id::text FROM person WHERE mobile = '13900230007'`)).rows; // 何毅
    const token = await signToken(config, { sub: viewer.id, roles: ['RESIDENT', 'VOLUNTEER'] });
    const comparisons: Comparison[] = [];
    for (const code of ['KZ', 'KZ-HANFENG']) {
      const [unit] = (await pool.query(`SELECT id::text, path, name FROM unit_ref WHERE code = $1`, [code])).rows;
      const body = JSON.stringify({ query: BOARD, variables: { id: unit.id } });
      const send = () => fetch(target.gateway, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body });
      const viaGateway = graphqlCheck(send);
      const [{ starts_on: startsOn }] = (await pool.query(`SELECT date_trunc('year', $1::date)::date::text AS starts_on`, [ON])).rows;
      const base = [unit.path, `${unit.path}/%`, 'YEAR', startsOn];
      const where = `v.status = 'ACTIVE' AND (v.home_station_path = $1 OR v.home_station_path LIKE $2)
                     AND m.period = $3 AND m.starts_on = $4::date AND m.minutes > 0 AND v.public_ranking`;
      const from = 'volunteer_period_minutes m JOIN volunteer v ON v.id = m.volunteer_id';
      const inSql = async () => {
        const page = await pool.query(
          `SELECT v.id::text, v.person_id::text, v.home_station_id::text, v.public_ranking, p.real_name, m.minutes
             FROM ${from} JOIN person p ON p.id = v.person_id WHERE ${where} ORDER BY m.minutes DESC, v.id LIMIT 21`,
          base,
        );
        const first = page.rows[0];
        if (!first) return false;
        const [ranks, total, own] = await Promise.all([
          pool.query(
            `SELECT count(*) FILTER (WHERE m.minutes > $5)::int AS above, count(*) FILTER (WHERE m.minutes = $5 AND v.id < $6::bigint)::int AS tied
               FROM ${from} WHERE ${where} AND m.minutes >= $5`,
            [...base, first.minutes, first.id],
          ),
          pool.query(`SELECT count(*)::int AS n FROM ${from} WHERE ${where}`, base),
          pool.query(
            `SELECT v.id::text, v.public_ranking, p.real_name, coalesce(m.minutes, 0) AS minutes
               FROM volunteer v JOIN person p ON p.id = v.person_id
               LEFT JOIN volunteer_period_minutes m ON m.volunteer_id = v.id AND m.period = $4 AND m.starts_on = $5::date
              WHERE v.person_id = $3 AND v.status = 'ACTIVE' AND (v.home_station_path = $1 OR v.home_station_path LIKE $2)`,
            [unit.path, `${unit.path}/%`, viewer.id, 'YEAR', startsOn],
          ),
        ]);
        const above = await pool.query(`SELECT count(*)::int AS n FROM ${from} WHERE ${where} AND m.minutes > $5`, [...base, own.rows[0]?.minutes ?? 0]);
        return page.rows.length > 0 && ranks.rows.length === 1 && total.rows.length === 1 && above.rows.length === 1;
      };
      const probe = (await (await send()).json()) as { data: { unit: { hoursLeaderboard: { totalCount: number; viewerRank: { rank: number } | null } } } };
      const board = probe.data.unit.hoursLeaderboard;
      const [statements] = await statementsOfCall([target.volunteers], viaGateway);
      const results = await alternate(
        [
          { label: 'gateway', check: viaGateway },
          { label: 'direct SQL', check: inSql },
        ],
        options,
      );
      comparisons.push({
        title: `hours leaderboard of ${code === 'KZ' ? 'the district' : 'an institute'}`,
        note:
          `${unit.name}: the public leaderboard of verified hours of the year holding ${ON} (${board.totalCount} volunteers ranked), first page of 20 with ranks, ` +
          `masked names, home stations and total, and 何毅's own rank (${board.viewerRank?.rank ?? 'none'}). Through the gateway (${statements} SQL ` +
          `statements in the volunteers subgraph per request) against the same 6 SQL statements straight from a pg pool. Goal: the gateway at ` +
          `≥ ${LEADERBOARD_GOAL}× the direct SQL's req/s.`,
        statements,
        goal: LEADERBOARD_GOAL,
        results,
      });
    }
    return comparisons;
  } finally {
    await pool.end();
  }
}
