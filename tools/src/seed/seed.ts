import { PiiVault } from '@kz/auth';
import type { Config } from '@kz/config';
import { seedOrg, SeedCounts } from '@kz/org-subgraph';
import {
  DEMO_PASSWORD,
  ordersDataset,
  orgDataset,
  peopleDataset,
  rewardsDataset,
  SeedProfile,
  verifiedServiceToCredit,
  volunteeringDataset,
} from '@kz/seed-data';
import { seedPeople, seedVolunteering, TeamRefSeed, VolunteeringCounts } from '@kz/volunteers-subgraph';
import { upsertVolunteerRefs, VolunteerRef } from '@kz/orders-subgraph';
import { upsertUnitRefs } from '@kz/org-replica';
import { openAnalyticsDatabase } from '@kz/analytics';
import { openOrdersDatabase, openOrgDatabase, openPointsDatabase, openVolunteersDatabase } from '../shared/databases';
import { EarningsSeedCounts, RewardsSeedCounts, seedEarnings, seedRewards, VerifiedRecord, verifiedRecords } from './love-bank-seed';
import { OrdersSeedCounts, PersonByMobile, PointsSeedCounts, seedOrders, seedPointsAccounts, UnitRow } from './orders-seed';

export const PROFILES: SeedProfile[] = ['demo', 'kaizhou'];

export interface SeedReport {
  org: SeedCounts;
  people: number;
  volunteering: VolunteeringCounts;
  orders: OrdersSeedCounts;
  points: PointsSeedCounts;
  /** The demo's verified service records, credited through the earning rules. */
  earnings: EarningsSeedCounts;
  /** The stations' rewards (rice, oil…). */
  rewards: RewardsSeedCounts;
  /** Of `ms`, the time spent generating and loading the orders and points accounts. */
  historyMs: number;
  ms: number;
}

/**
 * Loads a profile into every service database that has seed data: the org hierarchy and teams, then the volunteers
 * database (its replica of the units, and the people with logins), then the replicas the points, analytics and orders
 * databases keep; then the order history (kaizhou: 11,800 orders with their timelines and assignees) and the points accounts
 * of the assignees, each credited once through a balanced ledger transaction; then the love bank's side of the
 * demo: the stations' rewards, and the demo's verified hours credited through the earning path (so 何毅's 210 hours
 * are his points). Development logins are refused in production.
 */
export async function seed(config: Config, profile: SeedProfile): Promise<SeedReport> {
  if (config.NODE_ENV === 'production') throw new Error('npm run seed loads development logins and refuses to run when NODE_ENV=production');
  const started = Date.now();
  const org = await openOrgDatabase(config);
  let counts: SeedCounts;
  let units: { id: string; code: string; path: string; level: 'CENTER' | 'INSTITUTE' | 'STATION' | 'POINT'; name: string }[];
  let teams: TeamRefSeed[];
  const dataset = orgDataset(profile);
  try {
    counts = await seedOrg(org, dataset);
    units = await org.query('SELECT id::text, code, path, level, name FROM practice_unit ORDER BY id');
    teams = await org.query(
      `SELECT id::text, code, name, kind, home_unit_id::text AS "homeUnitId", home_unit_path AS "homeUnitPath" FROM team ORDER BY id`,
    );
  } finally {
    await org.destroy();
  }
  // The points service's replica of the units (seeding writes no org events for it to follow).
  const points = await openPointsDatabase(config);
  try {
    await points.transaction((manager) => upsertUnitRefs(manager, units, new Date(0).toISOString()));
  } finally {
    await points.destroy();
  }
  // The analytics database's replica too (the analytics subgraph finds a unit's subtree there).
  const analytics = await openAnalyticsDatabase(config);
  try {
    await analytics.transaction((manager) => upsertUnitRefs(manager, units, new Date(0).toISOString()));
  } finally {
    await analytics.destroy();
  }
  const volunteers = await openVolunteersDatabase(config);
  let report: Omit<SeedReport, 'orders' | 'points' | 'earnings' | 'rewards' | 'historyMs'>;
  let historyMs = 0;
  let volunteerRefs: VolunteerRef[];
  let history: ReturnType<typeof ordersDataset>;
  let toCredit: VerifiedRecord[];
  const byMobile = new Map<string, PersonByMobile>();
  try {
    const vault = new PiiVault(config.PII_ENCRYPTION_KEY);
    const people = peopleDataset(profile);
    const peopleCount = await seedPeople(volunteers, vault, units, people, DEMO_PASSWORD, config.PASSWORD_HASH_COST);
    const heYi = people.find((person) => person.realName === '何毅')!.mobile;
    const volunteeringData = volunteeringDataset(profile, heYi);
    const volunteering = await seedVolunteering(volunteers, vault, units, teams, volunteeringData);
    report = { org: counts, people: peopleCount.people, volunteering, ms: 0 };
    // The demo's verified records (kaizhou holds them too, so either profile credits the same ones).
    toCredit = await verifiedRecords(volunteers, verifiedServiceToCredit(profile, volunteeringData, heYi));
    const historyStarted = Date.now();
    history = ordersDataset(profile, volunteeringData);
    if (history.orders.length > 0) {
      const rows: { mobile: string; personId: string; volunteerId: string | null }[] = await volunteers.query(
        `SELECT p.mobile, p.id::text AS "personId", v.id::text AS "volunteerId" FROM person p LEFT JOIN volunteer v ON v.person_id = p.id
          WHERE p.mobile = ANY($1::text[])`,
        [volunteeringData.volunteers.map((volunteer) => volunteer.mobile)],
      );
      for (const { mobile, ...who } of rows) byMobile.set(mobile, who);
    }
    historyMs += Date.now() - historyStarted;
    volunteerRefs = await volunteers.query(
      `SELECT id::text, person_id::text AS "personId", status, home_station_id::text AS "stationId" FROM volunteer ORDER BY id`,
    );
  } finally {
    await volunteers.destroy();
  }
  // The orders service's replicas: the units, and who each volunteer is (so volunteers see the orders assigned to them).
  const unitsByCode = new Map<string, UnitRow>(units.map((unit) => [unit.code, unit]));
  const orders = await openOrdersDatabase(config);
  let orderCounts: OrdersSeedCounts;
  try {
    await orders.transaction(async (manager) => {
      await upsertUnitRefs(manager, units, new Date(0).toISOString());
      for (let i = 0; i < volunteerRefs.length; i += 5_000) {
        await upsertVolunteerRefs(manager, volunteerRefs.slice(i, i + 5_000), new Date(0).toISOString());
      }
    });
    const ordersStarted = Date.now();
    orderCounts = await seedOrders(orders, history.orders, unitsByCode, byMobile);
    historyMs += Date.now() - ordersStarted;
  } finally {
    await orders.destroy();
  }
  const pointsStarted = Date.now();
  const pointsDb = await openPointsDatabase(config);
  let pointsCounts: PointsSeedCounts;
  let rewards: RewardsSeedCounts;
  let earnings: EarningsSeedCounts;
  try {
    pointsCounts = await seedPointsAccounts(pointsDb, history.accounts, unitsByCode, byMobile);
    historyMs += Date.now() - pointsStarted;
    rewards = await seedRewards(pointsDb, rewardsDataset(profile), unitsByCode);
    earnings = await seedEarnings(pointsDb, toCredit);
  } finally {
    await pointsDb.destroy();
  }
  return { ...report, orders: orderCounts, points: pointsCounts, earnings, rewards, historyMs, ms: Date.now() - started };
}
