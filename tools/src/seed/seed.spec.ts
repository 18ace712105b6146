import { dropDatabase } from '@kz/db';
import { testConfig, uniqueName } from '@kz/testing';
import { openOrgDatabase } from '../shared/databases';
import { devToken } from '../token/token';
import { seed } from './seed';

const config = testConfig({ ORG_DATABASE: uniqueName('seed') });

afterAll(() => dropDatabase(config, config.ORG_DATABASE));

async function counts() {
  const org = await openOrgDatabase(config);
  try {
    const units = await org.query(`SELECT level, count(*)::int AS n, count(*) FILTER (WHERE is_demonstration)::int AS demo FROM practice_unit GROUP BY level ORDER BY level`);
    const teams = await org.query(`SELECT kind, count(*)::int AS n FROM team GROUP BY kind ORDER BY kind`);
    const [checks] = await org.query(`SELECT count(*)::int AS n FROM seven_haves_check`);
    const [paths] = await org.query(
      `SELECT count(*)::int AS n FROM practice_unit c LEFT JOIN practice_unit p ON p.id = c.parent_id
        WHERE c.path <> coalesce(p.path || '/', '') || c.id`,
    );
    return { units, teams, checks: checks.n, badPaths: paths.n };
  } finally {
    await org.destroy();
  }
}

const KAIZHOU = {
  units: [
    { level: 'CENTER', n: 1, demo: 0 },
    { level: 'INSTITUTE', n: 40, demo: 1 },
    { level: 'POINT', n: 1, demo: 1 },
    { level: 'STATION', n: 535, demo: 12 },
  ],
  teams: [
    { kind: 'BRANCH', n: 40 },
    { kind: 'CORPS', n: 1 },
    { kind: 'DIRECT', n: 17 },
    { kind: 'LECTURE', n: 6 },
    { kind: 'SQUAD', n: 535 },
  ],
  checks: 577 * 7,
  badPaths: 0,
};

describe('seeding', () => {
  it('converges on the kaizhou counts whatever the order and however often it runs', async () => {
    const demo = await seed(config, 'demo');
    expect(demo.org.unitsInserted).toBe(15);
    expect((await counts()).units.reduce((sum: number, row: { n: number }) => sum + row.n, 0)).toBe(15);
    const first = await seed(config, 'kaizhou');
    expect(first.org).toMatchObject({ unitsInserted: 562, unitsUpdated: 15 });
    await seed(config, 'kaizhou');
    await seed(config, 'demo');
    expect(await counts()).toEqual(KAIZHOU);
  });

  it('signs development tokens scoped to a seeded unit, and never in production', async () => {
    const { claims } = await devToken(config, { role: 'STATION_ADMIN', unit: 'KZ-HANFENG-YINGBIN' });
    expect(claims.unitPath).toMatch(/^1\/\d+\/\d+$/);
    await expect(devToken(config, { role: 'STATION_ADMIN' })).rejects.toThrow(/--unit/);
    await expect(devToken(config, { role: 'KING' })).rejects.toThrow(/--role must be one of/);
    await expect(devToken({ ...config, NODE_ENV: 'production' }, { role: 'RESIDENT' })).rejects.toThrow(/refuses/);
  });
});
