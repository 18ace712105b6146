import { dropDatabase } from '@kz/db';
import { testConfig, uniqueName } from '@kz/testing';
import { openOrdersDatabase, openOrgDatabase, openVolunteersDatabase } from '../shared/databases';
import { devToken } from '../token/token';
import { seed } from './seed';

// Loading the full district (73,000 volunteers) twice takes tens of seconds on a busy machine.
jest.setTimeout(180_000);

const config = testConfig({
  ORG_DATABASE: uniqueName('seed'),
  VOLUNTEERS_DATABASE: uniqueName('seedv'),
  POINTS_DATABASE: uniqueName('seedp'),
  ORDERS_DATABASE: uniqueName('seedo'),
});

afterAll(async () => {
  await dropDatabase(config, config.ORG_DATABASE);
  await dropDatabase(config, config.VOLUNTEERS_DATABASE);
  await dropDatabase(config, config.POINTS_DATABASE);
  await dropDatabase(config, config.ORDERS_DATABASE);
});

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

async function volunteeringCounts() {
  const volunteers = await openVolunteersDatabase(config);
  try {
    const [row] = await volunteers.query(
      `SELECT (SELECT count(*)::int FROM volunteer) AS volunteers,
              (SELECT count(*)::int FROM activity) AS activities,
              (SELECT count(*)::int FROM service_record) AS records,
              (SELECT count(*)::int FROM team_membership) AS memberships,
              (SELECT sum(verified_minutes)::int FROM volunteer) AS minutes,
              (SELECT v.verified_minutes / 60 FROM volunteer v JOIN person p ON p.id = v.person_id WHERE p.real_name = '何毅') AS "heYiHours",
              (SELECT count(*)::int FROM volunteer v
                 WHERE v.verified_minutes <> coalesce((SELECT sum(minutes) FROM service_record r WHERE r.volunteer_id = v.id AND r.status = 'VERIFIED'), 0)) AS "wrongTotals"`,
    );
    expect(row.wrongTotals).toBe(0);
    return row;
  } finally {
    await volunteers.destroy();
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
    expect(first.volunteering).toMatchObject({ volunteers: 73_000, activities: 1_200 });
    const volunteersAfterFirst = await volunteeringCounts();
    await seed(config, 'kaizhou');
    await seed(config, 'demo');
    expect(await counts()).toEqual(KAIZHOU);
    const volunteering = await volunteeringCounts();
    // 73,000 bulk volunteers plus 何毅, a demo login; the demo records are a subset of the kaizhou ones.
    expect(volunteering).toMatchObject({ volunteers: 73_001, activities: 1_200, heYiHours: 210 });
    expect(volunteering).toEqual(volunteersAfterFirst);
  });

  it('signs development tokens scoped to a seeded unit, and never in production', async () => {
    const { claims } = await devToken(config, { role: 'STATION_ADMIN', unit: 'KZ-HANFENG-YINGBIN' });
    expect(claims.unitPath).toMatch(/^1\/\d+\/\d+$/);
    await expect(devToken(config, { role: 'STATION_ADMIN' })).rejects.toThrow(/--unit/);
    await expect(devToken(config, { role: 'KING' })).rejects.toThrow(/--role must be one of/);
    await expect(devToken({ ...config, NODE_ENV: 'production' }, { role: 'RESIDENT' })).rejects.toThrow(/refuses/);
  });

  it('gives every demo login a home, a sealed ID number and the same rows on every run', async () => {
    await seed(config, 'demo');
    const volunteers = await openVolunteersDatabase(config);
    try {
      const people = await volunteers.query(
        `SELECT p.mobile, p.roles, p.id_number_masked, p.id_number_sealed, u.code AS home, s.code AS staff
           FROM person p JOIN unit_ref u ON u.id = p.home_unit_id LEFT JOIN unit_ref s ON s.id = p.staff_unit_id
          WHERE p.mobile LIKE '1390023%' ORDER BY p.mobile`,
      );
      expect(people).toHaveLength(8);
      expect(people.find((p: { roles: string[] }) => p.roles.includes('STATION_ADMIN'))).toMatchObject({ home: 'KZ-HANFENG-YINGBIN', staff: 'KZ-HANFENG-YINGBIN' });
      for (const person of people) {
        expect(person.id_number_masked).toMatch(/^500234\*{8}\d{3}[\dX]$/);
        expect(person.id_number_sealed).not.toMatch(/500234/);
      }
      const [units] = await volunteers.query('SELECT count(*)::int AS n FROM unit_ref');
      expect(units.n).toBe(577);
      const [volunteer] = await volunteers.query(
        `SELECT v.id::text, v.person_id::text AS person, status FROM volunteer v JOIN person p ON p.id = v.person_id WHERE p.real_name = '何毅'`,
      );
      expect(volunteer.status).toBe('ACTIVE');
      // The orders service knows the units and who 何毅's volunteer profile belongs to.
      const orders = await openOrdersDatabase(config);
      try {
        const [replica] = await orders.query('SELECT (SELECT count(*)::int FROM unit_ref) AS units, (SELECT person_id FROM volunteer_ref WHERE id = $1) AS person', [
          volunteer.id,
        ]);
        expect(replica).toEqual({ units: 577, person: volunteer.person });
      } finally {
        await orders.destroy();
      }
    } finally {
      await volunteers.destroy();
    }
  });

  it('refuses to load development logins in production', async () => {
    await expect(seed({ ...config, NODE_ENV: 'production' }, 'demo')).rejects.toThrow(/refuses/);
  });
});
