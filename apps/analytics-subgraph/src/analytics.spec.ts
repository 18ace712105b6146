import { randomUUID } from 'node:crypto';
import type { Claims } from '@kz/auth';
import { EventStream, FiguresJob } from '@kz/analytics';
import { catalog, EventEnvelope, EventType } from '@kz/events';
import { upsertUnitRefs } from '@kz/org-replica';
import { RunningSubgraph, SQL_STATEMENTS_HEADER } from '@kz/subgraph';
import { aCaller, errorCodes, metricSample, scrapeMetrics, signedSubgraphRequest, startSubgraphAlone, SubgraphAlone } from '@kz/testing';
import { startAnalyticsSubgraph } from './app';

const HANFENG = { id: '7', path: '1/7' };
const YINGBIN = { id: '123', path: '1/7/123' };
const DONGHE = { id: '124', path: '1/7/124' };
const OTHER_INSTITUTE = { id: '8', path: '1/8' };

const hanfengAdmin = aCaller.staff('INSTITUTE_ADMIN', HANFENG, '904');
const hanfengAnalyst = aCaller.staff('ANALYST', HANFENG, '906');
const dongheAdmin = aCaller.staff('STATION_ADMIN', DONGHE, '915');
const otherAdmin = aCaller.staff('INSTITUTE_ADMIN', OTHER_INSTITUTE, '950');
const centerAdmin = aCaller.staff('CENTER_ADMIN', { id: '1', path: '1' }, '901');
const dispatcher = aCaller.staff('DISPATCHER', { id: '1', path: '1' }, '902');
const resident = aCaller.resident('908');

let subgraph: SubgraphAlone<RunningSubgraph>;

function ev<T extends EventType>(type: T, at: string, unitPath: string, payload: Record<string, unknown>): EventEnvelope {
  return { id: randomUUID(), type, version: catalog[type].version, occurredAt: at, actor: { system: 'test' }, unitPath, payload } as unknown as EventEnvelope;
}
const verified = (at: string, unit: string, volunteerId: string, minutes: number) =>
  ev('volunteer.hours.verified', at, unit, { serviceRecordId: randomUUID(), volunteerId, personId: `p${volunteerId}`, minutes, category: '助老', verifiedBy: '7' });
const submitted = (at: string, unit: string, orderId: string, category: string) =>
  ev('order.submitted', at, unit, { orderId, code: `KZ-${orderId}`, source: 'RESIDENT', category, specialGroup: 'NONE', location: null, urgency: 'NORMAL' });

/** Beijing days: 16:00Z and later is the next day. 2026-03-09 is a Monday. */
const events: EventEnvelope[] = [
  verified('2026-03-09T02:00:00Z', YINGBIN.path, 'v1', 60),
  verified('2026-03-09T03:00:00Z', DONGHE.path, 'v2', 30),
  verified('2026-03-10T02:00:00Z', YINGBIN.path, 'v1', 45),
  verified('2026-03-16T02:00:00Z', DONGHE.path, 'v1', 15), // the next week
  verified('2026-03-09T05:00:00Z', OTHER_INSTITUTE.path, 'v9', 500), // another subtree
  submitted('2026-03-09T01:00:00Z', YINGBIN.path, 'o1', 'REPAIR'),
  submitted('2026-03-09T01:30:00Z', DONGHE.path, 'o2', 'REPAIR'),
  submitted('2026-03-09T02:00:00Z', DONGHE.path, 'o3', 'ELDERLY_CARE'),
  ev('order.dispatched', '2026-03-09T01:10:00Z', YINGBIN.path, { orderId: 'o1', stationId: '123' }), // DISPATCH 600 s
  ev('order.dispatched', '2026-03-09T02:00:00Z', DONGHE.path, { orderId: 'o2', stationId: '124' }), // DISPATCH 1800 s
  ev('order.closed', '2026-03-10T01:00:00Z', YINGBIN.path, { orderId: 'o1' }),
  ev('points.credited', '2026-03-09T02:10:00Z', YINGBIN.path, { accountId: 'a1', personId: 'pv1', amount: 60, serviceRecordId: 'r1' }),
  ev('order.escalated', '2026-03-10T03:00:00Z', DONGHE.path, { orderId: 'o3', stage: 'ACCEPT', level: 'INSTITUTE', dueAt: '2026-03-10T03:00:00Z' }),
];

beforeAll(async () => {
  subgraph = await startSubgraphAlone('ANALYTICS_DATABASE', (config) => startAnalyticsSubgraph(config, { port: 0 }), hanfengAdmin);
  const db = subgraph.running.dataSource;
  await upsertUnitRefs(
    db,
    [
      { id: '1', code: 'KZ', path: '1', level: 'CENTER', name: '开州区新时代文明实践中心' },
      { id: HANFENG.id, code: 'KZ-HF', path: HANFENG.path, level: 'INSTITUTE', name: '汉丰街道新时代文明实践所' },
      { id: YINGBIN.id, code: 'KZ-HF-YB', path: YINGBIN.path, level: 'STATION', name: '迎宾社区新时代文明实践站' },
      { id: DONGHE.id, code: 'KZ-HF-DH', path: DONGHE.path, level: 'STATION', name: '东河社区新时代文明实践站' },
      { id: OTHER_INSTITUTE.id, code: 'KZ-WZ', path: OTHER_INSTITUTE.path, level: 'INSTITUTE', name: '文峰街道新时代文明实践所' },
    ],
    new Date(0).toISOString(),
  );
  // The figures as the analytics worker keeps them: archived into the stream, applied by the figures job.
  const job = new FiguresJob(db);
  await job.register();
  const stream = new EventStream(db);
  for (const event of events) await stream.archive(event);
  expect(await job.drain()).toMatchObject({ applied: events.length });
});

afterAll(() => subgraph?.stop());

const unitQuery = (fields: string) =>
  `query($representations: [_Any!]!, $from: Date!, $to: Date!) { _entities(representations: $representations) { ... on PracticeUnit { id ${fields} } } }`;
const DAILY = unitQuery(`dailyFigures(from: $from, to: $to) {
  day verifiedMinutes verifiedHours volunteersActive ordersPlaced ordersPlacedByCategory { category count } ordersClosed
  ordersClosedByCategory { category count } escalations pointsEarned pointsRedeemed pointsTransferred careVisitsDone careVisitsMissed
}`);

type Units<F> = { _entities: ({ id: string } & F)[] };
type Daily = { dailyFigures: Record<string, unknown>[] | null };

function ask<F>(query: string, ids: string[], variables: Record<string, unknown>, claims: Claims | null, language?: string) {
  const body = { representations: ids.map((id) => ({ __typename: 'PracticeUnit', id })), ...variables };
  return signedSubgraphRequest<Units<F>>(subgraph.running.url, subgraph.config.CLAIMS_SIGNING_SECRET, claims, query, body, language ? { 'accept-language': language } : {});
}

const zeroDay = {
  verifiedMinutes: 0,
  verifiedHours: 0,
  volunteersActive: 0,
  ordersPlaced: 0,
  ordersPlacedByCategory: [],
  ordersClosed: 0,
  ordersClosedByCategory: [],
  escalations: 0,
  pointsEarned: 0,
  pointsRedeemed: 0,
  pointsTransferred: 0,
  careVisitsDone: 0,
  careVisitsMissed: 0,
};

describe('PracticeUnit.dailyFigures', () => {
  it('sums the subtree of the unit per day, one entry for each day of the range, zeros where nothing happened', async () => {
    const result = await ask<Daily>(DAILY, [HANFENG.id, YINGBIN.id], { from: '2026-03-09', to: '2026-03-11' }, hanfengAdmin);
    expect(result.errors).toBeUndefined();
    const [hanfeng, yingbin] = result.data!._entities;
    expect(hanfeng!.dailyFigures).toEqual([
      {
        ...zeroDay,
        day: '2026-03-09',
        verifiedMinutes: 90,
        verifiedHours: 1.5,
        volunteersActive: 2,
        ordersPlaced: 3,
        ordersPlacedByCategory: [
          { category: 'ELDERLY_CARE', count: 1 },
          { category: 'REPAIR', count: 2 },
        ],
        pointsEarned: 60,
      },
      { ...zeroDay, day: '2026-03-10', verifiedMinutes: 45, verifiedHours: 0.75, volunteersActive: 1, ordersClosed: 1, ordersClosedByCategory: [{ category: 'REPAIR', count: 1 }], escalations: 1 },
      { ...zeroDay, day: '2026-03-11' },
    ]);
    expect(yingbin!.dailyFigures!.map((day) => day.verifiedMinutes)).toEqual([60, 45, 0]);
    // An analyst of the subtree reads the same; the center reads everything, the other institute's 500 minutes too.
    const analyst = await ask<Daily>(DAILY, [HANFENG.id], { from: '2026-03-09', to: '2026-03-11' }, hanfengAnalyst);
    expect(analyst.data!._entities[0]!.dailyFigures).toEqual(hanfeng!.dailyFigures);
    const center = await ask<Daily>(DAILY, ['1'], { from: '2026-03-09', to: '2026-03-09' }, centerAdmin);
    expect(center.data!._entities[0]!.dailyFigures![0]).toMatchObject({ verifiedMinutes: 590, volunteersActive: 3 });
  });

  it('answers the units of one request in one unit lookup and one figures statement, whatever their number', async () => {
    const statements = async (ids: string[]) => {
      const result = await ask<Daily>(DAILY, ids, { from: '2026-03-09', to: '2026-03-09' }, centerAdmin);
      expect(result.errors).toBeUndefined();
      return Number(result.headers.get(SQL_STATEMENTS_HEADER));
    };
    const one = await statements([YINGBIN.id]);
    expect(await statements([YINGBIN.id, DONGHE.id, HANFENG.id, '1', '99999'])).toBe(one);
  });

  it('refuses the figures of a unit outside the caller’s subtree: null and FORBIDDEN on the field', async () => {
    for (const [who, claims] of [
      ['a station admin of another station', dongheAdmin],
      ['an institute admin of another institute', otherAdmin],
      ['a resident', resident],
    ] as const) {
      const result = await ask<Daily>(DAILY, [YINGBIN.id], { from: '2026-03-09', to: '2026-03-09' }, claims);
      expect([who, result.data?._entities[0]?.dailyFigures, errorCodes(result)]).toEqual([who, null, ['FORBIDDEN']]);
      expect(result.errors![0]!.path).toEqual(['_entities', 0, 'dailyFigures']);
    }
    expect(errorCodes(await ask<Daily>(DAILY, [YINGBIN.id], { from: '2026-03-09', to: '2026-03-09' }, null))).toEqual(['UNAUTHENTICATED']);
    // A unit the replica does not know: zeros for the center and the dispatcher, FORBIDDEN for anyone else (no hint).
    for (const claims of [centerAdmin, dispatcher]) {
      const unknown = await ask<Daily>(DAILY, ['99999'], { from: '2026-03-09', to: '2026-03-09' }, claims);
      expect(unknown.data!._entities[0]!.dailyFigures).toEqual([{ ...zeroDay, day: '2026-03-09' }]);
    }
    expect(errorCodes(await ask<Daily>(DAILY, ['99999'], { from: '2026-03-09', to: '2026-03-09' }, hanfengAdmin))).toEqual(['FORBIDDEN']);
  });

  it('answers at most 366 days, and names an inverted or longer range in the caller’s language', async () => {
    const ok = await ask<Daily>(DAILY, [YINGBIN.id], { from: '2026-01-01', to: '2027-01-01' }, hanfengAdmin);
    expect(ok.errors).toBeUndefined();
    expect(ok.data!._entities[0]!.dailyFigures).toHaveLength(366);

    const tooLong = await ask<Daily>(DAILY, [YINGBIN.id], { from: '2026-01-01', to: '2027-01-02' }, hanfengAdmin);
    expect(errorCodes(tooLong)).toEqual(['BAD_USER_INPUT']);
    expect(tooLong.data!._entities[0]!.dailyFigures).toBeNull();
    expect(tooLong.errors![0]).toMatchObject({
      message: 'to: 2026-01-01 to 2027-01-02 is 367 days; ask for at most 366 days at a time.',
      extensions: { field: 'to', days: 367, max: 366 },
    });
    const inverted = await ask<Daily>(DAILY, [YINGBIN.id], { from: '2026-03-10', to: '2026-03-09' }, hanfengAdmin, 'zh-CN');
    expect(errorCodes(inverted)).toEqual(['BAD_USER_INPUT']);
    expect(inverted.errors![0]!.message).toBe('to：结束日期（2026-03-09）早于开始日期（2026-03-10）。');
    const invertedEn = await ask<Daily>(DAILY, [YINGBIN.id], { from: '2026-03-10', to: '2026-03-09' }, hanfengAdmin, 'en');
    expect(invertedEn.errors![0]!.message).toBe('to: the last day (2026-03-09) is before the first (2026-03-10).');

    for (const day of ['2026-02-30', '2026-3-9', '2026-03-09T00:00:00Z', '']) {
      const malformed = await ask<Daily>(DAILY, [YINGBIN.id], { from: day, to: '2026-03-09' }, hanfengAdmin);
      expect([day, errorCodes(malformed)]).toEqual([day, ['BAD_USER_INPUT']]);
    }
  });
});

describe('PracticeUnit.stageTimes and figuresTrend', () => {
  it('gives the median and 90th percentile of each stage over the subtree', async () => {
    const result = await ask<{ stageTimes: unknown[] }>(
      unitQuery('stageTimes(from: $from, to: $to) { stage count medianSeconds p90Seconds }'),
      [HANFENG.id],
      { from: '2026-03-09', to: '2026-03-10' },
      hanfengAnalyst,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data!._entities[0]!.stageTimes).toEqual([
      { stage: 'DISPATCH', count: 2, medianSeconds: 1200, p90Seconds: 1680 },
      { stage: 'ACCEPT', count: 0, medianSeconds: null, p90Seconds: null },
      { stage: 'DELIVER', count: 0, medianSeconds: null, p90Seconds: null },
      { stage: 'EVALUATE', count: 0, medianSeconds: null, p90Seconds: null },
      { stage: 'TOTAL', count: 1, medianSeconds: 86400, p90Seconds: 86400 }, // o1: placed 03-09 01:00Z, closed a day later
    ]);
    const refused = await ask(unitQuery('stageTimes(from: $from, to: $to) { stage }'), [YINGBIN.id], { from: '2026-03-09', to: '2026-03-10' }, dongheAdmin);
    expect(errorCodes(refused)).toEqual(['FORBIDDEN']);
  });

  it('buckets one metric by day, ISO week or month, cut to the range; active volunteers are distinct per bucket', async () => {
    const trend = async (metric: string, interval: string, from: string, to: string) => {
      const query = `query($representations: [_Any!]!, $from: Date!, $to: Date!, $metric: FigureMetric!, $interval: TrendInterval) {
        _entities(representations: $representations) { ... on PracticeUnit { figuresTrend(metric: $metric, from: $from, to: $to, interval: $interval) { from to value } } }
      }`;
      const result = await ask<{ figuresTrend: unknown[] | null }>(query, [HANFENG.id], { metric, interval, from, to }, hanfengAdmin);
      expect(result.errors).toBeUndefined();
      return result.data!._entities[0]!.figuresTrend;
    };
    expect(await trend('VERIFIED_MINUTES', 'WEEK', '2026-03-08', '2026-03-17')).toEqual([
      { from: '2026-03-08', to: '2026-03-08', value: 0 }, // a Sunday: the end of the week before
      { from: '2026-03-09', to: '2026-03-15', value: 135 },
      { from: '2026-03-16', to: '2026-03-17', value: 15 },
    ]);
    // v1 served on Monday and Tuesday (and the week after), v2 on Monday: two in the first week, not three.
    expect(await trend('VOLUNTEERS_ACTIVE', 'WEEK', '2026-03-09', '2026-03-22')).toEqual([
      { from: '2026-03-09', to: '2026-03-15', value: 2 },
      { from: '2026-03-16', to: '2026-03-22', value: 1 },
    ]);
    expect(await trend('VOLUNTEERS_ACTIVE', 'MONTH', '2026-02-20', '2026-03-31')).toEqual([
      { from: '2026-02-20', to: '2026-02-28', value: 0 },
      { from: '2026-03-01', to: '2026-03-31', value: 2 },
    ]);
    expect(await trend('ORDERS_PLACED', 'DAY', '2026-03-09', '2026-03-10')).toEqual([
      { from: '2026-03-09', to: '2026-03-09', value: 3 },
      { from: '2026-03-10', to: '2026-03-10', value: 0 },
    ]);
    expect(await trend('VERIFIED_HOURS', 'MONTH', '2026-03-01', '2026-03-31')).toEqual([{ from: '2026-03-01', to: '2026-03-31', value: 2.5 }]);
  });
});

describe('the analytics subgraph', () => {
  it('only reads: it runs no outbox relay or sweep over a database that has no outbox, and shows no backlog', async () => {
    expect(subgraph.running.relay).toBeUndefined();
    expect(subgraph.running.sweep).toBeUndefined();
    expect(await subgraph.running.dataSource.query(`SELECT to_regclass('outbox') AS outbox`)).toEqual([{ outbox: null }]);
    const metrics = await scrapeMetrics(subgraph.running.url);
    expect(metricSample(metrics, 'outbox_events_unpublished')).toBeUndefined();
    expect(metricSample(metrics, 'db_statements_total')).toBeGreaterThan(0);
  });
});
