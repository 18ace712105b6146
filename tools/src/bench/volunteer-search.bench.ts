import { Pool } from 'pg';
import { signToken } from '@kz/auth';
import { pgClientConfig } from '@kz/db';
import { alternate, Comparison, graphqlCheck } from './load';
import { BenchOptions, BenchTarget, statementsOfCall } from './unit-tree.bench';

const SEARCH = `query($filter: VolunteerFilter) { volunteers(filter: $filter, first: 20) {
  totalCount edges { node { id status verifiedHours person { displayName } skills { name } } } } }`;

/**
 * Volunteer search over the 73,000 kaizhou volunteers, as an institute admin of 汉丰街道 filters them (active, with
 * a skill, name containing a character), through the gateway, against the same search done directly in SQL by one
 * client: the page, its total, and the people and skill names of the page.
 */
export async function volunteerSearchBenchmark(target: BenchTarget, options: BenchOptions): Promise<Comparison> {
  const { config } = target;
  const pool = new Pool({ ...pgClientConfig(config, config.VOLUNTEERS_DATABASE), max: options.connections });
  try {
    const [hanfeng] = (await pool.query(`SELECT id::text, path FROM unit_ref WHERE code = 'KZ-HANFENG'`)).rows;
    const token = await signToken(config, { sub: 'bench-admin', roles: ['INSTITUTE_ADMIN'], unitId: hanfeng.id, unitPath: hanfeng.path });
    const filter = { withinUnitId: hanfeng.id, status: 'ACTIVE', skills: ['MEDICAL'], search: '王' };
    const body = JSON.stringify({ query: SEARCH, variables: { filter } });
    const viaGateway = graphqlCheck(() =>
      fetch(target.gateway, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body }),
    );
    const where = `(v.home_station_path = $1 OR v.home_station_path LIKE $1 || '/%') AND v.status = 'ACTIVE' AND v.skills @> $2::text[]
                   AND EXISTS (SELECT 1 FROM person p WHERE p.id = v.person_id AND p.real_name ILIKE $3)`;
    const params = [hanfeng.path, ['MEDICAL'], '%王%'];
    const inSql = async () => {
      const [page, total] = await Promise.all([
        pool.query(`SELECT v.id, v.status, v.verified_minutes, v.skills, v.person_id FROM volunteer v WHERE ${where} ORDER BY v.id LIMIT 21`, params),
        pool.query(`SELECT count(*)::int AS n FROM volunteer v WHERE ${where}`, params),
      ]);
      const [people, skills] = await Promise.all([
        pool.query('SELECT id, real_name FROM person WHERE id = ANY($1::bigint[])', [page.rows.map((row) => row.person_id)]),
        pool.query('SELECT code, name FROM skill WHERE code = ANY($1::text[])', [[...new Set(page.rows.flatMap((row) => row.skills as string[]))]]),
      ]);
      return total.rows.length === 1 && people.rowCount === page.rows.length && skills.rowCount! >= 0;
    };
    const probe = await (await fetch(target.gateway, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body })).json() as { data: { volunteers: { totalCount: number } } };
    const [statements] = await statementsOfCall([target.volunteers], viaGateway);
    const results = await alternate(
      [
        { label: 'gateway', check: viaGateway },
        ...(target.bare ? [{ label: target.bare.label, check: graphqlCheck(() => fetch(target.bare!.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body })) }] : []),
        { label: 'direct SQL', check: inSql },
      ],
      options,
    );
    return {
      title: 'volunteer search over 73,000 volunteers',
      note:
        `An institute admin of 汉丰街道: active volunteers with skill MEDICAL whose name contains 王 (${probe.data.volunteers.totalCount} match), ` +
        `first page of 20 with total, names and skills. Through the gateway (${statements} SQL statements in the volunteers subgraph per request) ` +
        `against the same search as 4 SQL statements straight from a pg pool.`,
      statements,
      results,
      goal: 0.6, // issue 13
    };
  } finally {
    await pool.end();
  }
}
