import type { Claims } from '@kz/auth';
import { RunningSubgraph, SQL_STATEMENTS_HEADER } from '@kz/subgraph';
import { aCaller, errorCodes, GraphQLResult, startSubgraphAlone, SubgraphAlone } from '@kz/testing';
import { startVolunteersSubgraph } from '../app';
import { upsertUnitRefs } from '../units/unit-ref';

const CENTER = { id: '1', code: 'C', path: '1', level: 'CENTER' as const, name: '开州区新时代文明实践中心' };
const HANFENG = { id: '2', code: 'I2', path: '1/2', level: 'INSTITUTE' as const, name: '汉丰街道新时代文明实践所' };
const YUNFENG = { id: '3', code: 'I3', path: '1/3', level: 'INSTITUTE' as const, name: '云枫街道新时代文明实践所' };
const YINGBIN = { id: '5', code: 'S5', path: '1/2/5', level: 'STATION' as const, name: '迎宾社区新时代文明实践站' };
const DONGHUA = { id: '6', code: 'S6', path: '1/2/6', level: 'STATION' as const, name: '东华社区新时代文明实践站' };
// Its path starts with 迎宾's path as text ('1/2/5' ⊂ '1/2/50'), yet 迎宾 is not its ancestor.
const FIFTY = { id: '50', code: 'S50', path: '1/2/50', level: 'STATION' as const, name: '五十社区新时代文明实践站' };
const YINGBIN_POINT = { id: '9', code: 'P9', path: '1/2/5/9', level: 'POINT' as const, name: '迎宾小区实践点' };
const UNITS = [CENTER, HANFENG, YUNFENG, YINGBIN, DONGHUA, FIFTY, YINGBIN_POINT];

const worker: Claims = { sub: 'notification-worker', roles: ['SERVICE'] };
const OTHERS: [string, Claims][] = [
  ['a resident', aCaller.resident('1')],
  ['a station admin', aCaller.staff('STATION_ADMIN', YINGBIN)],
  ['the center admin', aCaller.staff('CENTER_ADMIN', CENTER)],
];

const STAFF_ABOVE = `query ($unitId: ID!, $roles: [Role!]!) { staffAbove(unitId: $unitId, roles: $roles) { personId role unitId } }`;
const VOLUNTEER_PERSONS = `query ($ids: [ID!]!) { volunteerPersons(volunteerIds: $ids) { volunteerId personId } }`;
const CONTACTS = `query ($ids: [ID!]!) { notificationContacts(personIds: $ids) { personId mobile displayName } }`;
const ADMINS = ['STATION_ADMIN', 'INSTITUTE_ADMIN', 'CENTER_ADMIN'];

type Staff = { personId: string; role: string; unitId: string };

let alone: SubgraphAlone<RunningSubgraph>;
/** Person ids by name, volunteer ids by name. */
const people: Record<string, string> = {};
const volunteers: Record<string, string> = {};

const statementsOf = (result: GraphQLResult) => Number(result.headers.get(SQL_STATEMENTS_HEADER));

async function staffAbove(unitId: string, roles: string[]): Promise<Staff[]> {
  const result = await alone.ask<{ staffAbove: Staff[] }>(STAFF_ABOVE, { unitId, roles }, worker);
  expect(result.errors).toBeUndefined();
  return result.data!.staffAbove;
}

const as = (name: string, role: string, unit: { id: string }) => ({ personId: people[name], role, unitId: unit.id });

beforeAll(async () => {
  alone = await startSubgraphAlone('VOLUNTEERS_DATABASE', (config) => startVolunteersSubgraph(config, { port: 0 }), worker);
  const db = alone.running.dataSource;
  await db.transaction((manager) => upsertUnitRefs(manager, UNITS, new Date(0).toISOString()));
  const seed: [string, string | null, string[], { id: string; path: string } | null][] = [
    // name, mobile, roles, staff unit
    ['王中心', '13900000001', ['RESIDENT', 'CENTER_ADMIN'], CENTER],
    ['李调度', '13900000002', ['RESIDENT', 'DISPATCHER'], CENTER],
    ['赵汉丰', '13900000003', ['RESIDENT', 'INSTITUTE_ADMIN'], HANFENG],
    ['钱云枫', '13900000004', ['RESIDENT', 'INSTITUTE_ADMIN'], YUNFENG],
    ['孙迎宾', '13900000005', ['RESIDENT', 'STATION_ADMIN', 'GRID_WORKER'], YINGBIN],
    ['周网格', '13900000006', ['RESIDENT', 'GRID_WORKER'], YINGBIN],
    ['吴东华', '13900000007', ['RESIDENT', 'STATION_ADMIN'], DONGHUA],
    ['郑五十', '13900000008', ['RESIDENT', 'STATION_ADMIN'], FIFTY],
    ['冯居民', '13900000009', ['RESIDENT', 'VOLUNTEER'], null],
    ['陈无机', null, ['RESIDENT', 'VOLUNTEER'], null],
  ];
  for (const [name, mobile, roles, unit] of seed) {
    const [row] = await db.query(
      `INSERT INTO person (real_name, mobile, roles, staff_unit_id, staff_unit_path, home_unit_id, home_unit_path)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id::text`,
      [name, mobile, roles, unit?.id ?? null, unit?.path ?? null, unit?.id ?? YINGBIN.id, unit?.path ?? YINGBIN.path],
    );
    people[name] = row.id;
  }
  for (const name of ['冯居民', '陈无机']) {
    const [row] = await db.query(
      `INSERT INTO volunteer (person_id, status, home_station_id, home_station_path) VALUES ($1, 'ACTIVE', $2, $3) RETURNING id::text`,
      [people[name], YINGBIN.id, YINGBIN.path],
    );
    volunteers[name] = row.id;
  }
});

afterAll(() => alone?.stop());

describe('staffAbove', () => {
  it("finds the admins of a station, of its institute and of the center, nearest first", async () => {
    expect(await staffAbove(YINGBIN.id, ADMINS)).toEqual([
      as('孙迎宾', 'STATION_ADMIN', YINGBIN),
      as('赵汉丰', 'INSTITUTE_ADMIN', HANFENG),
      as('王中心', 'CENTER_ADMIN', CENTER),
    ]);
    // A point below the station has the same ancestors, and no staff of its own.
    expect(await staffAbove(YINGBIN_POINT.id, ADMINS)).toEqual(await staffAbove(YINGBIN.id, ADMINS));
  });

  it('matches ancestors by whole path segments, never staff of a sibling or a descendant', async () => {
    expect(await staffAbove(FIFTY.id, ['STATION_ADMIN'])).toEqual([as('郑五十', 'STATION_ADMIN', FIFTY)]);
    expect(await staffAbove(HANFENG.id, ADMINS)).toEqual([as('赵汉丰', 'INSTITUTE_ADMIN', HANFENG), as('王中心', 'CENTER_ADMIN', CENTER)]);
    expect(await staffAbove(CENTER.id, ['STATION_ADMIN', 'INSTITUTE_ADMIN'])).toEqual([]);
  });

  it('returns one row per role held, only for the roles asked', async () => {
    expect(await staffAbove(YINGBIN.id, ['GRID_WORKER'])).toEqual([
      as('孙迎宾', 'GRID_WORKER', YINGBIN),
      as('周网格', 'GRID_WORKER', YINGBIN),
    ]);
    expect(await staffAbove(YINGBIN.id, ['GRID_WORKER', 'STATION_ADMIN'])).toEqual([
      as('孙迎宾', 'GRID_WORKER', YINGBIN),
      as('孙迎宾', 'STATION_ADMIN', YINGBIN),
      as('周网格', 'GRID_WORKER', YINGBIN),
    ]);
    expect(await staffAbove(DONGHUA.id, ['DISPATCHER'])).toEqual([as('李调度', 'DISPATCHER', CENTER)]);
    // Non-staff roles have no staff unit: nobody.
    expect(await staffAbove(YINGBIN.id, ['RESIDENT', 'VOLUNTEER'])).toEqual([]);
    expect(await staffAbove(YINGBIN.id, [])).toEqual([]);
  });

  it('is empty for a unit it does not know', async () => {
    expect(await staffAbove('999999', ADMINS)).toEqual([]);
    expect(await staffAbove('not-an-id', ADMINS)).toEqual([]);
  });

  it('answers many units in one request with one statement', async () => {
    const one = await alone.ask(`{ a: staffAbove(unitId: "5", roles: [STATION_ADMIN]) { personId } }`, {}, worker);
    const many = await alone.ask<Record<string, { personId: string }[]>>(
      `{
        a: staffAbove(unitId: "5", roles: [STATION_ADMIN]) { personId }
        b: staffAbove(unitId: "6", roles: [STATION_ADMIN, INSTITUTE_ADMIN]) { personId }
        c: staffAbove(unitId: "3", roles: [INSTITUTE_ADMIN]) { personId }
        d: staffAbove(unitId: "50", roles: [CENTER_ADMIN]) { personId }
      }`,
      {},
      worker,
    );
    expect(many.errors).toBeUndefined();
    expect(many.data).toEqual({
      a: [{ personId: people['孙迎宾'] }],
      b: [{ personId: people['吴东华'] }, { personId: people['赵汉丰'] }],
      c: [{ personId: people['钱云枫'] }],
      d: [{ personId: people['王中心'] }],
    });
    expect(statementsOf(one)).toBe(1);
    expect(statementsOf(many)).toBe(statementsOf(one));
  });
});

describe('volunteerPersons', () => {
  it('maps volunteer ids to person ids in the order asked, leaving out unknown ids, in one statement', async () => {
    const ids = [volunteers['陈无机'], 'bogus', '999999', volunteers['冯居民'], volunteers['陈无机']];
    const result = await alone.ask<{ volunteerPersons: unknown[] }>(VOLUNTEER_PERSONS, { ids }, worker);
    expect(result.errors).toBeUndefined();
    expect(result.data!.volunteerPersons).toEqual([
      { volunteerId: volunteers['陈无机'], personId: people['陈无机'] },
      { volunteerId: volunteers['冯居民'], personId: people['冯居民'] },
    ]);
    expect(statementsOf(result)).toBe(1);
    const none = await alone.ask<{ volunteerPersons: unknown[] }>(VOLUNTEER_PERSONS, { ids: [] }, worker);
    expect(none.data!.volunteerPersons).toEqual([]);
  });

  it('takes at most 500 ids', async () => {
    const many = Array.from({ length: 500 }, (_, index) => String(1_000_000 + index));
    const ok = await alone.ask<{ volunteerPersons: unknown[] }>(VOLUNTEER_PERSONS, { ids: [...many.slice(1), volunteers['冯居民']] }, worker);
    expect(ok.errors).toBeUndefined();
    expect(ok.data!.volunteerPersons).toHaveLength(1);
    const tooMany = await alone.ask(VOLUNTEER_PERSONS, { ids: [...many, '1'] }, worker);
    expect(errorCodes(tooMany)).toEqual(['BAD_USER_INPUT']);
    expect(tooMany.errors![0]!.extensions).toMatchObject({ field: 'volunteerIds' });
  });
});

describe('notificationContacts', () => {
  it('gives the mobile in clear and the name masked as everywhere (first character kept), in the order asked, leaving out unknown ids', async () => {
    const ids = [people['陈无机'], people['孙迎宾'], '999999', 'x'];
    const result = await alone.ask<{ notificationContacts: unknown[] }>(CONTACTS, { ids }, worker);
    expect(result.errors).toBeUndefined();
    expect(result.data!.notificationContacts).toEqual([
      { personId: people['陈无机'], mobile: null, displayName: '陈**' },
      { personId: people['孙迎宾'], mobile: '13900000005', displayName: '孙**' },
    ]);
    expect(statementsOf(result)).toBe(1);
  });

  it('takes at most 500 ids', async () => {
    const tooMany = await alone.ask(CONTACTS, { ids: Array.from({ length: 501 }, (_, index) => String(index + 1)) }, worker);
    expect(errorCodes(tooMany)).toEqual(['BAD_USER_INPUT']);
    expect(tooMany.errors![0]!.extensions).toMatchObject({ field: 'personIds' });
  });
});

describe('who may call them', () => {
  const calls: [string, string, Record<string, unknown>][] = [
    ['staffAbove', STAFF_ABOVE, { unitId: YINGBIN.id, roles: ADMINS }],
    ['volunteerPersons', VOLUNTEER_PERSONS, { ids: ['1'] }],
    ['notificationContacts', CONTACTS, { ids: ['1'] }],
  ];

  it.each(calls)('%s: FORBIDDEN to people, whatever their role', async (_, query, variables) => {
    for (const [, claims] of OTHERS) {
      const result = await alone.ask(query, variables, claims);
      expect(errorCodes(result)).toEqual(['FORBIDDEN']);
      expect(result.data ?? null).toBeNull();
    }
    // Even an oversized list: the caller is refused before the input is looked at.
    if (variables.ids) expect(errorCodes(await alone.ask(query, { ids: Array.from({ length: 501 }, () => '1') }, OTHERS[0]![1]))).toEqual(['FORBIDDEN']);
  });

  it.each(calls)('%s: UNAUTHENTICATED to an anonymous caller', async (_, query, variables) => {
    expect(errorCodes(await alone.ask(query, variables, null))).toEqual(['UNAUTHENTICATED']);
  });
});
