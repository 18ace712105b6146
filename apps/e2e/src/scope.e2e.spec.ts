import { upsertUnitRefs, UnitRef } from '@kz/org-replica';
import { ensurePersonAccount, postTransaction, systemAccountId } from '@kz/points-subgraph';
import type { GraphQLResult } from '@kz/testing';
import { Platform, startPlatform } from './stack';
import { objectFields } from './supergraph-schema';

/**
 * "Fields outside your scope" (docs/api.md), held on every field of `PracticeUnit`, whichever subgraph serves it: a
 * field the caller may not see answers null with FORBIDDEN at its own path and the rest of the unit stays; the unit's
 * own lists and figures refuse (never an empty list or a zero) for callers whose scope does not cover the unit.
 *
 * - public: the unit's description, the same for anyone signed in.
 * - staff: for any staff member, wherever their unit (a unit's contact details); FORBIDDEN for residents.
 * - scoped: the unit's work, for staff whose subtree holds the unit; FORBIDDEN for anyone else.
 * - deciders: as scoped, for the admins who decide on the unit's records only (not grid workers or analysts).
 */
type Rule = 'public' | 'staff' | 'scoped' | 'deciders';

const FIELDS: Record<string, { select: string; rule: Rule }> = {
  // org
  id: { select: 'id', rule: 'public' },
  name: { select: 'name', rule: 'public' },
  level: { select: 'level', rule: 'public' },
  code: { select: 'code', rule: 'public' },
  parent: { select: 'parent { id }', rule: 'public' },
  children: { select: 'children(first: 5) { totalCount edges { node { id } } }', rule: 'public' },
  ancestors: { select: 'ancestors { id }', rule: 'public' },
  path: { select: 'path', rule: 'public' },
  depth: { select: 'depth', rule: 'public' },
  isDemonstration: { select: 'isDemonstration', rule: 'public' },
  address: { select: 'address', rule: 'public' },
  legal: { select: 'legal { legalName uscc headName }', rule: 'public' },
  location: { select: 'location { lat lng }', rule: 'public' },
  contact: { select: 'contact { name phone }', rule: 'staff' },
  sevenHaves: { select: 'sevenHaves { item met }', rule: 'public' },
  sevenHavesScore: { select: 'sevenHavesScore', rule: 'public' },
  teams: { select: 'teams(first: 5) { totalCount edges { node { id } } }', rule: 'public' },
  createdAt: { select: 'createdAt', rule: 'public' },
  updatedAt: { select: 'updatedAt', rule: 'public' },
  // orders
  orders: { select: 'orders(first: 5) { totalCount edges { node { id } } }', rule: 'scoped' },
  orderStats: { select: 'orderStats { total overdue }', rule: 'scoped' },
  // volunteers
  volunteers: { select: 'volunteers(first: 5) { totalCount edges { node { id } } }', rule: 'scoped' },
  volunteerStats: { select: 'volunteerStats { registered active verifiedHours }', rule: 'scoped' },
  overdueServiceRecords: { select: 'overdueServiceRecords(first: 5) { totalCount asOf edges { node { dueOn record { id } } } }', rule: 'scoped' },
  recordingReport: { select: 'recordingReport(year: 2025) { year created verified overdue }', rule: 'scoped' },
  openServiceRecordCorrections: { select: 'openServiceRecordCorrections(first: 5) { totalCount edges { node { id } } }', rule: 'deciders' },
  serviceCertificates: { select: 'serviceCertificates(first: 5) { totalCount edges { node { number } } }', rule: 'scoped' },
  // A leaderboard is public (its opted-out lines and clear names are for staff in scope: leaderboards.e2e.spec.ts)
  hoursLeaderboard: { select: 'hoursLeaderboard(period: ALL_TIME, first: 5) { totalCount edges { node { rank displayName } } }', rule: 'public' },
  // analytics
  dailyFigures: { select: 'dailyFigures(from: "2026-03-01", to: "2026-03-02") { day verifiedMinutes }', rule: 'scoped' },
  stageTimes: { select: 'stageTimes(from: "2026-03-01", to: "2026-03-31") { stage count }', rule: 'scoped' },
  figuresTrend: { select: 'figuresTrend(metric: VERIFIED_MINUTES, from: "2026-03-01", to: "2026-03-31", interval: WEEK) { from value }', rule: 'scoped' },
  // points: a pool's balance is public (donors see what their gifts made); its statement is scoped (its own test)
  pointsStats: { select: 'pointsStats { issued outstanding }', rule: 'scoped' },
  pointsPool: { select: 'pointsPool { id balance }', rule: 'public' },
  // As hoursLeaderboard: the public board for anyone signed in (opted-out lines and clear names: leaderboards.e2e.spec.ts)
  pointsLeaderboard: { select: 'pointsLeaderboard(period: ALL_TIME, first: 5) { totalCount edges { node { rank points } } }', rule: 'public' },
};

/** Public fields that may be null for a unit without the data; every other field must answer with a value. */
const MAY_BE_NULL = new Set(['address', 'location', 'legal']);

let platform: Platform;
let yingbin: { id: string; path: string };
let yongxian: { id: string; path: string };
let hanfeng: { id: string; path: string };
let tokens: Record<'yingbinAdmin' | 'yongxianAdmin' | 'hanfengAdmin' | 'yingbinGrid' | 'analyst' | 'center' | 'resident', string>;

beforeAll(async () => {
  platform = await startPlatform({ seed: 'demo' });
  yingbin = await platform.unit('KZ-HANFENG-YINGBIN');
  yongxian = await platform.unit('KZ-YUNFENG-YONGXIAN');
  hanfeng = await platform.unit('KZ-HANFENG');
  // The points replica of the org tree, as the org events would fill it.
  const units: UnitRef[] = await platform.org.query('SELECT id::text, code, path, level, name FROM practice_unit');
  await upsertUnitRefs(platform.points.manager, units, new Date(0).toISOString());
  tokens = {
    yingbinAdmin: await platform.tokenAs('STATION_ADMIN', 'KZ-HANFENG-YINGBIN', '900001'),
    yongxianAdmin: await platform.tokenAs('STATION_ADMIN', 'KZ-YUNFENG-YONGXIAN', '900002'),
    hanfengAdmin: await platform.tokenAs('INSTITUTE_ADMIN', 'KZ-HANFENG', '900003'),
    yingbinGrid: await platform.tokenAs('GRID_WORKER', 'KZ-HANFENG-YINGBIN', '900004'),
    analyst: await platform.tokenAs('ANALYST', 'KZ-HANFENG', '900005'),
    center: await platform.tokenAs('CENTER_ADMIN', 'KZ', '900006'),
    resident: await platform.token({ sub: '900007', roles: ['RESIDENT'] }),
  };
  // A donor gives to both stations' pools, so that every pool field has something to show.
  await platform.points.transaction(async (manager) => {
    const account = await ensurePersonAccount(manager, '900007', yingbin);
    const issuance = await systemAccountId(manager, 'ISSUANCE');
    await postTransaction(manager, { kind: 'CREDIT', description: '测试入账', createdBy: 'test', postings: [{ accountId: issuance, amount: -100 }, { accountId: account.id, amount: 100 }] });
  });
  for (const [station, key] of [[yingbin, 'scope-pool-yingbin'], [yongxian, 'scope-pool-yongxian']] as const) {
    const gift = await platform.query(
      `mutation($input: TransferPointsInput!) { transferPoints(input: $input) { id } }`,
      { input: { toStationId: station.id, amount: 10, idempotencyKey: `${key}-${process.pid}` } },
      { token: tokens.resident },
    );
    if (gift.errors) throw new Error(`donation failed: ${JSON.stringify(gift.errors)}`);
  }
  // An order dispatched to each station, so that both have orders to list and count.
  const [{ id: zhou }] = await platform.volunteers.query(`SELECT id::text FROM person WHERE mobile = '13900230008'`);
  const zhouToken = await platform.token({ sub: zhou, roles: ['RESIDENT'] });
  for (const station of [yingbin, yongxian]) {
    const placed = await platform.query<{ placeOrder: { id: string } }>(
      `mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }`,
      { input: { title: '健身器材损坏', category: 'SAFETY_FACILITIES', channel: 'APP', stationHintId: station.id } },
      { token: zhouToken },
    );
    if (!placed.data?.placeOrder) throw new Error(`placeOrder failed: ${JSON.stringify(placed.errors)}`);
    const dispatched = await platform.query(
      `mutation($input: DispatchOrderInput!) { dispatchOrder(input: $input) { id } }`,
      { input: { orderId: placed.data.placeOrder.id, stationId: station.id } },
      { token: tokens.center },
    );
    if (dispatched.errors) throw new Error(`dispatchOrder failed: ${JSON.stringify(dispatched.errors)}`);
  }
}, 120_000);
afterAll(() => platform?.stop());

type UnitAnswer = GraphQLResult<{ unit: Record<string, unknown> | null }>;

function askUnit(unitId: string, fields: string[], token: string): Promise<UnitAnswer> {
  const selection = fields.map((field) => FIELDS[field]!.select).join(' ');
  return platform.query<{ unit: Record<string, unknown> | null }>(`query($id: ID!) { unit(id: $id) { ${selection} } }`, { id: unitId }, { token });
}

/** Each error as `code at path`, sorted, for compact comparison. */
function errorsAt(result: UnitAnswer): string[] {
  return (result.errors ?? []).map((error) => `${String(error.extensions?.code)} at ${(error.path ?? []).join('.')}`).sort();
}

const ALL = Object.keys(FIELDS);
const byRule = (...rules: Rule[]) => ALL.filter((field) => rules.includes(FIELDS[field]!.rule));

describe('fields of PracticeUnit outside the caller’s scope', () => {
  it('has a rule for every field of PracticeUnit in the supergraph, and none for a field that does not exist', () => {
    expect(ALL.slice().sort()).toEqual(objectFields('PracticeUnit').sort());
  });

  it.each(ALL)('%s: a station admin on another station gets it if public, else null with FORBIDDEN at its path; id and name stay', async (field) => {
    const result = await askUnit(yingbin.id, ['id', 'name', field], tokens.yongxianAdmin);
    expect(result.status).toBe(200);
    expect(result.data?.unit).toMatchObject({ id: yingbin.id, name: '迎宾社区新时代文明实践站' });
    if (FIELDS[field]!.rule === 'scoped' || FIELDS[field]!.rule === 'deciders') {
      expect(result.data!.unit![field]).toBeNull();
      expect(errorsAt(result)).toEqual([`FORBIDDEN at unit.${field}`]);
    } else {
      expect(errorsAt(result)).toEqual([]);
      if (!MAY_BE_NULL.has(field)) expect(result.data!.unit![field]).not.toBeNull();
    }
  });

  it.each(ALL)('%s: the same station admin on their own station gets it', async (field) => {
    const result = await askUnit(yongxian.id, ['id', 'name', field], tokens.yongxianAdmin);
    expect(errorsAt(result)).toEqual([]);
    expect(result.data?.unit).toMatchObject({ id: yongxian.id });
    if (!MAY_BE_NULL.has(field)) expect(result.data!.unit![field]).not.toBeNull();
  });

  it('answers every field at once: each refused field null at its own path, everything else there', async () => {
    const outside = await askUnit(yingbin.id, ALL, tokens.yongxianAdmin);
    expect(errorsAt(outside)).toEqual(byRule('scoped', 'deciders').map((field) => `FORBIDDEN at unit.${field}`).sort());
    for (const field of byRule('scoped', 'deciders')) expect(outside.data!.unit![field]).toBeNull();
    for (const field of byRule('public', 'staff').filter((f) => !MAY_BE_NULL.has(f))) expect([field, outside.data!.unit![field]]).not.toEqual([field, null]);

    const inside = await askUnit(yingbin.id, ALL, tokens.yingbinAdmin);
    expect(errorsAt(inside)).toEqual([]);
    for (const field of ALL.filter((f) => !MAY_BE_NULL.has(f))) expect([field, inside.data!.unit![field]]).not.toEqual([field, null]);
    // The lists and the figures agree: the station's admin sees its volunteers and orders, and counts them.
    const unit = inside.data!.unit as { volunteers: { totalCount: number }; volunteerStats: { registered: number }; orders: { totalCount: number }; orderStats: { total: number } };
    expect(unit.volunteers.totalCount).toBeGreaterThan(0);
    expect(unit.volunteerStats.registered).toBeGreaterThanOrEqual(unit.volunteers.totalCount);
    expect(unit.orders.totalCount).toBeGreaterThan(0);
    expect(unit.orderStats.total).toBe(unit.orders.totalCount);
  });

  it('refuses the unit’s lists and figures to staff of a unit below it, to residents, and gives them to staff above it', async () => {
    // A station admin asking about their own institute: the institute is not inside the station's subtree.
    const upward = await askUnit(hanfeng.id, ALL, tokens.yingbinAdmin);
    expect(errorsAt(upward)).toEqual(byRule('scoped', 'deciders').map((field) => `FORBIDDEN at unit.${field}`).sort());
    // A resident has no unit scope: the staff-only contact is refused too.
    const resident = await askUnit(yingbin.id, ALL, tokens.resident);
    expect(errorsAt(resident)).toEqual(byRule('scoped', 'deciders', 'staff').map((field) => `FORBIDDEN at unit.${field}`).sort());
    expect(resident.data!.unit).toMatchObject({ id: yingbin.id, name: '迎宾社区新时代文明实践站' });
    // The institute admin above the station and the center read it all; the grid worker of the station and an analyst
    // of the institute all but what only the record deciders see.
    for (const token of [tokens.hanfengAdmin, tokens.center]) {
      expect(errorsAt(await askUnit(yingbin.id, ALL, token))).toEqual([]);
    }
    for (const token of [tokens.yingbinGrid, tokens.analyst]) {
      expect(errorsAt(await askUnit(yingbin.id, ALL, token))).toEqual(byRule('deciders').map((field) => `FORBIDDEN at unit.${field}`).sort());
    }
  });

  it('keeps a pool’s balance public and refuses its statement at its path outside the station’s scope', async () => {
    const POOL = `query($id: ID!) { unit(id: $id) { id pointsPool { balance transactions(first: 5) { totalCount } } } }`;
    const outside = await platform.query<{ unit: { pointsPool: { balance: number; transactions: { totalCount: number } | null } } }>(POOL, { id: yingbin.id }, { token: tokens.yongxianAdmin });
    expect(errorsAt(outside)).toEqual(['FORBIDDEN at unit.pointsPool.transactions']);
    expect(outside.data!.unit.pointsPool).toEqual({ balance: 10, transactions: null });
    const inside = await platform.query<{ unit: { pointsPool: { balance: number; transactions: { totalCount: number } } } }>(POOL, { id: yingbin.id }, { token: tokens.yingbinAdmin });
    expect(inside.errors).toBeUndefined();
    expect(inside.data!.unit.pointsPool).toEqual({ balance: 10, transactions: { totalCount: 1 } });
  });
});
