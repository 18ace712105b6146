import type { Claims } from '@kz/auth';
import { RunningSubgraph, SQL_STATEMENTS_HEADER } from '@kz/subgraph';
import { aCaller, errorCodes, GraphQLResult, startSubgraphAlone, SubgraphAlone } from '@kz/testing';
import { startVolunteersSubgraph } from '../app';
import { upsertUnitRefs } from '../units/unit-ref';
import { isAvailableAt, scoreSuggestion, shanghaiClock } from './suggestion-score';

const CENTER = { id: '1', code: 'C', path: '1', level: 'CENTER' as const, name: '开州区新时代文明实践中心' };
const HANFENG = { id: '2', code: 'I2', path: '1/2', level: 'INSTITUTE' as const, name: '汉丰街道新时代文明实践所' };
const YUNFENG = { id: '3', code: 'I3', path: '1/3', level: 'INSTITUTE' as const, name: '云枫街道新时代文明实践所' };
const YINGBIN = { id: '5', code: 'S5', path: '1/2/5', level: 'STATION' as const, name: '迎宾社区新时代文明实践站' };
const LONGTAN = { id: '6', code: 'S6', path: '1/2/6', level: 'STATION' as const, name: '龙潭社区新时代文明实践站' };

const stationAdmin = aCaller.staff('STATION_ADMIN', YINGBIN);

const SUGGESTIONS = `query ($representations: [_Any!]!, $first: Int) {
  _entities(representations: $representations) {
    ... on ServiceOrder { id suggestedVolunteers(first: $first) { score reasons volunteer { id status person { displayName } } } }
  }
}`;

type Suggestion = { score: number; reasons: string[]; volunteer: { id: string; status: string; person: { displayName: string } } };
type Entities = { _entities: ({ id: string; suggestedVolunteers: Suggestion[] } | null)[] };

const ALL_WEEK = Array.from({ length: 7 }, (_, day) => ({ dayOfWeek: day + 1, start: '00:00', end: '24:00' }));
const SAME_STATION = '本站志愿者（志愿者无坐标，距离按 0 计）';

let alone: SubgraphAlone<RunningSubgraph>;
let ids: Record<string, string>;
let serial = 0;

function anOrder(station: { id: string } | null, category: string) {
  serial += 1;
  return { __typename: 'ServiceOrder', id: `order-${serial}`, station, category, location: { lat: 31.16, lng: 108.39 } };
}

function ask(representations: unknown[], claims: Claims | null = stationAdmin, first?: number): Promise<GraphQLResult<Entities>> {
  return alone.ask<Entities>(SUGGESTIONS, { representations, ...(first === undefined ? {} : { first }) }, claims);
}

const statementsOf = (result: GraphQLResult) => Number(result.headers.get(SQL_STATEMENTS_HEADER));

beforeAll(async () => {
  alone = await startSubgraphAlone('VOLUNTEERS_DATABASE', (config) => startVolunteersSubgraph(config, { port: 0 }), stationAdmin);
  const db = alone.running.dataSource;
  await db.transaction((manager) => upsertUnitRefs(manager, [CENTER, HANFENG, YUNFENG, YINGBIN, LONGTAN], new Date(0).toISOString()));
  const volunteers = [
    // name, station, status, skills, availability
    ['维修好手', YINGBIN, 'ACTIVE', ['REPAIR'], ALL_WEEK],
    ['忙碌师傅', YINGBIN, 'ACTIVE', ['REPAIR', 'SAFETY'], ALL_WEEK],
    ['巡防队员', YINGBIN, 'ACTIVE', ['SAFETY'], []],
    ['文艺骨干', YINGBIN, 'ACTIVE', ['ARTS'], ALL_WEEK],
    ['停用师傅', YINGBIN, 'SUSPENDED', ['REPAIR'], ALL_WEEK],
    ['待审师傅', YINGBIN, 'PENDING', ['REPAIR'], ALL_WEEK],
    ['龙潭师傅', LONGTAN, 'ACTIVE', ['REPAIR'], ALL_WEEK],
  ] as const;
  ids = {};
  for (const [index, [name, station, status, skills, availability]] of volunteers.entries()) {
    const [person] = await db.query(`INSERT INTO person (real_name, mobile) VALUES ($1, $2) RETURNING id::text`, [name, `1380000${String(index).padStart(4, '0')}`]);
    const [volunteer] = await db.query(
      `INSERT INTO volunteer (person_id, status, home_station_id, home_station_path, skills, availability) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id::text`,
      [person.id, status, station.id, station.path, skills, JSON.stringify(availability)],
    );
    ids[name] = volunteer.id;
  }
  // 忙碌师傅 served twice in the last 30 days (one pending, one verified); a rejected record and an older one do not count.
  await db.query(
    `INSERT INTO service_record (volunteer_id, order_id, order_round, unit_id, unit_path, category, title, started_at, minutes, status, source, created_by)
     SELECT $1, 'past-' || n, 1, 5, '1/2/5', 'SAFETY', '维修', now() - ago, 60, status, 'ORDER', 'test'
       FROM (VALUES (1, interval '2 days', 'PENDING'), (2, interval '10 days', 'VERIFIED'), (3, interval '3 days', 'REJECTED'),
                    (4, interval '45 days', 'VERIFIED')) AS r(n, ago, status)`,
    [ids['忙碌师傅']],
  );
});

afterAll(() => alone?.stop());

describe('the score of a suggestion', () => {
  it('weighs skill over availability over a light load, and stays between 0 and 1', () => {
    const base = { matchedSkills: [] as string[], availableNow: false, distanceKm: 0, recentServices: 0 };
    expect(scoreSuggestion({ ...base, matchedSkills: ['维修'], availableNow: true })).toBe(1);
    expect(scoreSuggestion({ ...base, recentServices: 1_000_000, distanceKm: 1_000_000 })).toBe(0);
    expect(scoreSuggestion({ ...base, matchedSkills: ['维修'] })).toBeGreaterThan(scoreSuggestion({ ...base, availableNow: true }));
    expect(scoreSuggestion({ ...base, availableNow: true, recentServices: 5 })).toBeGreaterThan(scoreSuggestion(base));
    expect(scoreSuggestion({ ...base, recentServices: 1 })).toBeGreaterThan(scoreSuggestion({ ...base, recentServices: 2 }));
    expect(scoreSuggestion({ ...base, distanceKm: 1 })).toBeLessThan(scoreSuggestion(base));
  });

  it('reads availability on the Asia/Shanghai clock, end excluded', () => {
    // 2026-11-29 16:30 UTC is Monday 2026-11-30 00:30 in Kaizhou.
    expect(shanghaiClock(new Date('2026-11-29T16:30:00Z'))).toEqual({ dayOfWeek: 1, time: '00:30' });
    expect(shanghaiClock(new Date('2026-11-29T15:59:00Z'))).toEqual({ dayOfWeek: 7, time: '23:59' });
    const saturdayMorning = [{ dayOfWeek: 6, start: '08:00', end: '12:00' }];
    expect(isAvailableAt(saturdayMorning, shanghaiClock(new Date('2026-11-28T01:00:00Z')))).toBe(true); // Sat 09:00
    expect(isAvailableAt(saturdayMorning, shanghaiClock(new Date('2026-11-28T04:00:00Z')))).toBe(false); // Sat 12:00
    expect(isAvailableAt(saturdayMorning, shanghaiClock(new Date('2026-11-29T01:00:00Z')))).toBe(false); // Sun 09:00
    expect(isAvailableAt([{ dayOfWeek: 7, start: '20:00', end: '24:00' }], { dayOfWeek: 7, time: '23:59' })).toBe(true);
  });
});

describe('ServiceOrder.suggestedVolunteers', () => {
  it("ranks the station's active volunteers by skill, availability and recent load, and says why in Chinese", async () => {
    const result = await ask([anOrder({ id: YINGBIN.id }, 'SAFETY_FACILITIES')]);
    expect(result.errors).toBeUndefined();
    const suggestions = result.data!._entities[0]!.suggestedVolunteers;
    expect(suggestions.map((suggestion) => suggestion.volunteer.id)).toEqual([ids['维修好手'], ids['忙碌师傅'], ids['巡防队员'], ids['文艺骨干']]);
    expect(suggestions.map((suggestion) => suggestion.score)).toEqual([1, 0.833, 0.75, 0.6]);
    expect(suggestions.map((suggestion) => suggestion.reasons)).toEqual([
      ['技能匹配：维修', '当前有空', SAME_STATION, '近30天服务 0 次'],
      ['技能匹配：维修、平安巡防', '当前有空', SAME_STATION, '近30天服务 2 次'],
      ['技能匹配：平安巡防', '当前不在空闲时段', SAME_STATION, '近30天服务 0 次'],
      ['无匹配技能', '当前有空', SAME_STATION, '近30天服务 0 次'],
    ]);
    // Staff in scope read the volunteer through the usual rules.
    expect(suggestions[0]!.volunteer).toMatchObject({ status: 'ACTIVE', person: { displayName: '维***' } });
  });

  it("follows the order's category and honours `first`", async () => {
    const culture = await ask([anOrder({ id: YINGBIN.id }, 'CULTURE_EDUCATION')], stationAdmin, 2);
    expect(culture.errors).toBeUndefined();
    expect(culture.data!._entities[0]!.suggestedVolunteers.map((suggestion) => [suggestion.volunteer.id, suggestion.reasons[0]])).toEqual([
      [ids['文艺骨干'], '技能匹配：文艺'],
      [ids['维修好手'], '无匹配技能'],
    ]);
    const none = await ask([anOrder({ id: YINGBIN.id }, 'LEGAL')], stationAdmin, 0);
    expect(none.data!._entities[0]!.suggestedVolunteers).toEqual([]);
    const tooMany = await ask([anOrder({ id: YINGBIN.id }, 'LEGAL')], stationAdmin, 51);
    expect(tooMany.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
  });

  it('suggests no one for an order not dispatched yet', async () => {
    const result = await ask([anOrder(null, 'HEALTH')], aCaller.staff('DISPATCHER', CENTER));
    expect(result.errors).toBeUndefined();
    expect(result.data!._entities[0]!.suggestedVolunteers).toEqual([]);
  });

  it('answers staff in scope of the station, from the station up to the center', async () => {
    const callers = [
      aCaller.staff('INSTITUTE_ADMIN', HANFENG),
      aCaller.staff('DISPATCHER', CENTER),
      aCaller.staff('CENTER_ADMIN', CENTER),
    ];
    for (const claims of callers) {
      const result = await ask([anOrder({ id: YINGBIN.id }, 'SAFETY_FACILITIES')], claims);
      expect(result.errors).toBeUndefined();
      expect(result.data!._entities[0]!.suggestedVolunteers).toHaveLength(4);
    }
  });

  it('is FORBIDDEN to anyone else, without a hint of who volunteers there', async () => {
    const callers: (Claims | null)[] = [
      aCaller.staff('STATION_ADMIN', LONGTAN),
      aCaller.staff('INSTITUTE_ADMIN', YUNFENG),
      aCaller.staff('GRID_WORKER', YINGBIN),
      aCaller.staff('ANALYST', YINGBIN),
      { sub: '999999', roles: ['RESIDENT', 'VOLUNTEER'] },
      aCaller.resident(),
    ];
    for (const claims of callers) {
      const result = await ask([anOrder({ id: YINGBIN.id }, 'SAFETY_FACILITIES')], claims);
      expect(errorCodes(result)).toEqual(['FORBIDDEN']);
      expect(result.errors![0]!.path).toEqual(['_entities', 0, 'suggestedVolunteers']);
      expect(result.data!._entities).toEqual([null]);
    }
    expect(errorCodes(await ask([anOrder({ id: YINGBIN.id }, 'HEALTH')], null))).toEqual(['UNAUTHENTICATED']);
    // A station no one knows looks like one out of scope; the center admin learns only that no one is there.
    expect(errorCodes(await ask([anOrder({ id: '987654' }, 'HEALTH')]))).toEqual(['FORBIDDEN']);
    const center = await ask([anOrder({ id: '987654' }, 'HEALTH')], aCaller.staff('CENTER_ADMIN', CENTER));
    expect(center.data!._entities[0]!.suggestedVolunteers).toEqual([]);
  });

  it('answers each order of a batch on its own: orders in scope get suggestions, the others FORBIDDEN', async () => {
    const result = await ask([anOrder({ id: YINGBIN.id }, 'SAFETY_FACILITIES'), anOrder({ id: LONGTAN.id }, 'SAFETY_FACILITIES')]);
    expect(result.data!._entities[0]!.suggestedVolunteers).toHaveLength(4);
    expect(result.data!._entities[1]).toBeNull();
    expect(result.errors?.map((error) => [error.extensions?.code, error.path])).toEqual([['FORBIDDEN', ['_entities', 1, 'suggestedVolunteers']]]);
  });

  it('costs the same number of statements for 10 orders of several stations as for 2', async () => {
    const institute = aCaller.staff('INSTITUTE_ADMIN', HANFENG);
    const categories = ['SAFETY_FACILITIES', 'CULTURE_EDUCATION', 'ELDERLY_CARE', 'OTHER', 'LEGAL'];
    const orders = (n: number) => Array.from({ length: n }, (_, i) => anOrder({ id: i % 2 === 0 ? YINGBIN.id : LONGTAN.id }, categories[i % categories.length]!));
    const two = await ask(orders(2), institute);
    const ten = await ask(orders(10), institute);
    expect(two.errors).toBeUndefined();
    expect(ten.errors).toBeUndefined();
    expect(ten.data!._entities.map((order) => order!.suggestedVolunteers.length)).toEqual([4, 1, 4, 1, 4, 1, 4, 1, 4, 1]);
    expect(ten.data!._entities[1]!.suggestedVolunteers[0]!.volunteer.id).toBe(ids['龙潭师傅']);
    expect(statementsOf(two)).toBeGreaterThan(0);
    expect(statementsOf(ten)).toBe(statementsOf(two));
  });
});
