import { openAnalyticsDatabase } from '@kz/analytics';
import { dropDatabase } from '@kz/db';
import { testConfig, uniqueName } from '@kz/testing';
import { ordersDataset, peopleDataset, rewardsDataset, verifiedServiceToCredit, volunteeringDataset } from '@kz/seed-data';
import { verifyLedgerDatabase } from '../ledger-verify/verify';
import { openOrdersDatabase, openOrgDatabase, openPointsDatabase, openVolunteersDatabase } from '../shared/databases';
import { devToken } from '../token/token';
import { seed } from './seed';

// Loading the full district (73,000 volunteers) twice is about a minute of CPU, three on a machine loaded by other work,
// so the limit here only catches a seed that hangs; how fast seeding is belongs to `npm run bench`, which times it.
jest.setTimeout(900_000);

const config = testConfig({
  ORG_DATABASE: uniqueName('seed'),
  VOLUNTEERS_DATABASE: uniqueName('seedv'),
  POINTS_DATABASE: uniqueName('seedp'),
  ORDERS_DATABASE: uniqueName('seedo'),
  ANALYTICS_DATABASE: uniqueName('seeda'),
});

afterAll(async () => {
  await dropDatabase(config, config.ORG_DATABASE);
  await dropDatabase(config, config.VOLUNTEERS_DATABASE);
  await dropDatabase(config, config.POINTS_DATABASE);
  await dropDatabase(config, config.ORDERS_DATABASE);
  await dropDatabase(config, config.ANALYTICS_DATABASE);
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

/** What the orders and points databases hold of the order history, and what must hold of it. */
async function historyCounts() {
  const orders = await openOrdersDatabase(config);
  const points = await openPointsDatabase(config);
  try {
    const statuses = await orders.query(`SELECT status, count(*)::int AS n FROM service_order GROUP BY status ORDER BY status`);
    const [row] = await orders.query(
      `SELECT (SELECT count(*)::int FROM order_event) AS timeline,
              (SELECT count(*)::int FROM order_assignee) AS assignees,
              -- a delivered order has one delivery round, with the minutes of its assignees
              (SELECT count(*)::int FROM order_delivery) AS deliveries,
              (SELECT count(*)::int FROM order_delivery_minutes) AS "deliveredMinutes",
              (SELECT count(*)::int FROM service_order o WHERE (o.delivered_at IS NOT NULL)
                 <> EXISTS (SELECT 1 FROM order_delivery d WHERE d.order_id = o.id AND d.round = 1 AND d.delivered_at = o.delivered_at)) AS "roundsAmiss",
              -- the last line of every timeline ends in the order's status
              (SELECT count(*)::int FROM service_order o
                WHERE o.status <> (SELECT e.to_status FROM order_event e WHERE e.order_id = o.id ORDER BY e.at DESC, e.id DESC LIMIT 1)) AS "badTimelines",
              -- every assignee is a volunteer of the order's station
              (SELECT count(*)::int FROM order_assignee a JOIN service_order o ON o.id = a.order_id
                 LEFT JOIN volunteer_ref v ON v.id = a.volunteer_id WHERE v.station_id IS DISTINCT FROM o.station_id) AS "strangers",
              -- a station once dispatched, assignees once started
              (SELECT count(*)::int FROM service_order o WHERE o.status IN ('IN_PROGRESS', 'DELIVERED', 'EVALUATED', 'CLOSED')
                 AND NOT EXISTS (SELECT 1 FROM order_assignee a WHERE a.order_id = o.id)) AS "startedAlone",
              (SELECT count(*)::int FROM service_order WHERE status IN ('SUBMITTED', 'DISPATCHED', 'ACCEPTED', 'IN_PROGRESS')) AS open,
              (SELECT count(*)::int FROM service_order o JOIN order_code_counter c ON c.day = to_date(substr(o.code, 4, 8), 'YYYYMMDD')
                WHERE c.last < substr(o.code, 13)::int) AS "countersBehind"`,
    );
    const [accounts] = await points.query(
      `SELECT count(*)::int AS n, sum(balance)::int AS balance, count(*) FILTER (WHERE unit_path IS NULL)::int AS "withoutStation"
         FROM points_account WHERE kind = 'PERSON'`,
    );
    // Person accounts funded by the order history's migrated credits, and by the demo's verified service records.
    const creditsOf = (which: string) =>
      points.query(
        `SELECT count(DISTINCT a.id)::int AS accounts, coalesce(sum(p.amount), 0)::int AS points
           FROM ledger_transaction t JOIN posting p ON p.transaction_id = t.id JOIN points_account a ON a.id = p.account_id AND a.kind = 'PERSON'
          WHERE t.kind = 'CREDIT' AND ${which}`,
      );
    const [migrated] = await creditsOf(`t.metadata->>'seed' = 'kaizhou'`);
    const [earned] = await creditsOf('t.service_record_id IS NOT NULL');
    return { statuses, ...row, accounts, migrated, earned };
  } finally {
    await orders.destroy();
    await points.destroy();
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
    const heYi = peopleDataset('kaizhou').find((p) => p.realName === '何毅')!.mobile;
    const kaizhouVolunteering = volunteeringDataset('kaizhou', heYi);
    // The demo's verified records, credited by the default earning rule (10 points an hour) in either profile.
    const minutesOf = new Map(kaizhouVolunteering.activities.map((activity) => [activity.key, activity.minutes]));
    const toCredit = verifiedServiceToCredit('kaizhou', kaizhouVolunteering, heYi);
    const earnedPoints = toCredit.reduce((sum, service) => sum + Math.floor((minutesOf.get(service.activityKey)! * 10) / 60), 0);
    expect(toCredit.length).toBeGreaterThan(70); // 何毅's 70 sessions and the demo volunteers'
    const demo = await seed(config, 'demo');
    expect(demo.org.unitsInserted).toBe(15);
    expect(demo.earnings).toEqual({ records: toCredit.length, credited: toCredit.length, points: earnedPoints });
    expect(demo.rewards).toEqual({ rewards: rewardsDataset('demo').length, inserted: rewardsDataset('demo').length });
    expect((await counts()).units.reduce((sum: number, row: { n: number }) => sum + row.n, 0)).toBe(15);
    const first = await seed(config, 'kaizhou');
    expect(first.org).toMatchObject({ unitsInserted: 562, unitsUpdated: 15 });
    expect(first.volunteering).toMatchObject({ volunteers: 73_000, activities: 1_200 });
    const expected = ordersDataset('kaizhou', kaizhouVolunteering);
    const expectedPoints = expected.accounts.reduce((sum, account) => sum + account.points, 0);
    // A demo volunteer who is also an assignee holds one account with both credits.
    const holders = new Set([...expected.accounts.map((account) => account.mobile), ...toCredit.map((service) => service.mobile)]);
    const earners = new Set(toCredit.map((service) => service.mobile));
    expect(first.orders).toMatchObject({ orders: 11_800, inserted: 11_800 });
    const alreadyOpened = expected.accounts.filter((account) => earners.has(account.mobile)).length;
    expect(first.points).toEqual({
      accounts: expected.accounts.length,
      accountsOpened: expected.accounts.length - alreadyOpened,
      credits: expected.accounts.length,
      points: expectedPoints,
    });
    // The demo's records were credited by the demo run; kaizhou finds their credits and the rewards.
    expect(first.earnings).toEqual({ records: toCredit.length, credited: 0, points: 0 });
    expect(first.rewards).toEqual({ rewards: rewardsDataset('kaizhou').length, inserted: 0 });
    const history = await historyCounts();
    const byStatus = new Map<string, number>();
    for (const order of expected.orders) byStatus.set(order.status, (byStatus.get(order.status) ?? 0) + 1);
    expect(history.statuses).toEqual([...byStatus.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([status, n]) => ({ status, n })));
    expect(history).toMatchObject({
      timeline: expected.orders.reduce((sum, order) => sum + order.timeline.length, 0),
      assignees: expected.orders.reduce((sum, order) => sum + order.assignees.length, 0),
      deliveries: expected.orders.filter((order) => order.deliveredAt !== null).length,
      deliveredMinutes: expected.orders.reduce((sum, order) => sum + order.assignees.filter((assignee) => (assignee.minutes ?? 0) > 0).length, 0),
      roundsAmiss: 0,
      badTimelines: 0,
      strangers: 0,
      startedAlone: 0,
      countersBehind: 0,
      accounts: { n: holders.size, balance: expectedPoints + earnedPoints, withoutStation: 0 },
      migrated: { accounts: expected.accounts.length, points: expectedPoints },
      earned: { accounts: earners.size, points: earnedPoints },
    });
    expect(history.open).toBeGreaterThanOrEqual(200); // a few hundred open orders
    expect(history.open).toBeLessThan(600);
    expect((await verifyLedgerDatabase(config, config.POINTS_DATABASE)).violations).toEqual([]);
    const volunteersAfterFirst = await volunteeringCounts();
    const again = await seed(config, 'kaizhou');
    expect(again.orders).toEqual({ orders: 11_800, inserted: 0, timeline: 0, assignees: 0 });
    expect(again.points).toEqual({ accounts: expected.accounts.length, accountsOpened: 0, credits: 0, points: 0 });
    expect(again.earnings).toEqual({ records: toCredit.length, credited: 0, points: 0 });
    await seed(config, 'demo');
    expect(await historyCounts()).toEqual(history);
    expect((await verifyLedgerDatabase(config, config.POINTS_DATABASE)).violations).toEqual([]);
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
      // So does the analytics database, under the org's paths (the analytics subgraph finds a unit's subtree there).
      const analytics = await openAnalyticsDatabase(config);
      const org = await openOrgDatabase(config);
      try {
        const inOrg = await org.query('SELECT id::text, code, path, level, name FROM practice_unit ORDER BY id');
        expect(await analytics.query('SELECT id::text, code, path, level, name FROM unit_ref ORDER BY id')).toEqual(inOrg);
        expect(inOrg.length).toBeGreaterThanOrEqual(15);
      } finally {
        await Promise.all([analytics.destroy(), org.destroy()]);
      }
    } finally {
      await volunteers.destroy();
    }
  });

  it('refuses to load development logins in production', async () => {
    await expect(seed({ ...config, NODE_ENV: 'production' }, 'demo')).rejects.toThrow(/refuses/);
  });
});
