import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { dropDatabase } from '@kz/db';
import { catalog, EventEnvelope, EventType } from '@kz/events';
import { eventually, testConfig, uniqueName } from '@kz/testing';
import { openAnalyticsDatabase } from '../database';
import { EventStream } from '../stream/event-stream';
import { applyEvent, FIGURES_SUBSCRIPTION, FIGURES_TABLES } from './figures-apply';
import { exportFigures } from './figures-export';
import { FiguresJob } from './figures-job';
import { DailyFigures, dailyFigures, dailyFiguresOf, stageTimes, stageTimesOf } from './figures-query';
import { rebuildFigures } from './figures-rebuild';

const config = testConfig({ ANALYTICS_DATABASE: uniqueName('analytics') });
let db: DataSource;
let stream: EventStream;
let job: FiguresJob;

const A = '1/2/3';
const B = '1/2/4';
const PARENT = '1/2';
/** A sibling of PARENT whose path starts with PARENT's: never part of PARENT's subtree. */
const LOOKALIKE = '1/20';
const DAY1 = '2026-03-10'; // Asia/Shanghai: 2026-03-09T16:00Z to 2026-03-10T16:00Z
const DAY2 = '2026-03-11';

function ev<T extends EventType>(type: T, at: string, unitPath: string, payload: Record<string, unknown>, version: number = catalog[type].version): EventEnvelope {
  return { id: randomUUID(), type, version, occurredAt: at, actor: { system: 'test' }, unitPath, payload } as unknown as EventEnvelope;
}

const verified = (at: string, unit: string, volunteerId: string, minutes: number) =>
  ev('volunteer.hours.verified', at, unit, { serviceRecordId: randomUUID(), volunteerId, personId: `p${volunteerId}`, minutes, category: '助老', verifiedBy: '7' });
const submitted = (at: string, unit: string, orderId: string, category: string) =>
  ev('order.submitted', at, unit, { orderId, code: `KZ-${orderId}`, source: 'RESIDENT', category, specialGroup: 'NONE', location: null, urgency: 'NORMAL' });
const move = (type: 'order.dispatched' | 'order.accepted', at: string, unit: string, orderId: string) => ev(type, at, unit, { orderId, stationId: '4' });
const progress = (type: 'order.delivered' | 'order.evaluated' | 'order.closed', at: string, unit: string, orderId: string, extra: Record<string, unknown> = {}) =>
  ev(type, at, unit, { orderId, ...extra });
const escalated = (at: string, unit: string, orderId: string, level: 'INSTITUTE' | 'CENTER') =>
  ev('order.escalated', at, unit, { orderId, stage: 'ACCEPT', level, dueAt: at });
const visit = (type: 'carePlan.visit.due' | 'carePlan.visit.missed', at: string, unit: string, orderId: string) =>
  ev(type, at, unit, { carePlanId: '11', orderId, beneficiary: '周**', dueAt: at });

/**
 * Two units (A, B) under PARENT, two Beijing days; times are UTC, so 16:00Z and later is the next day. The expected
 * figures below are worked out by hand from this list.
 */
const seeded: EventEnvelope[] = [
  // Day 1, unit A.
  verified('2026-03-10T02:00:00Z', A, 'v1', 60),
  verified('2026-03-10T03:00:00Z', A, 'v2', 30),
  verified('2026-03-10T04:00:00Z', A, 'v1', 15),
  ev('volunteer.hours.corrected', '2026-03-10T05:00:00Z', A, { serviceRecordId: 'r2', volunteerId: 'v2', personId: 'pv2', category: '助老', oldMinutes: 30, newMinutes: 20, reason: '记错' }),
  ev('points.credited', '2026-03-10T02:10:00Z', A, { accountId: 'a1', personId: 'pv1', amount: 60, serviceRecordId: 'r1' }),
  ev('points.redemption.fulfilled', '2026-03-10T06:00:00Z', A, { redemptionId: 'd1', accountId: 'a1', rewardId: 'w1', quantity: 1, points: 40, stationId: '3' }),
  submitted('2026-03-10T01:00:00Z', A, 'o1', 'ELDERLY_CARE'),
  move('order.dispatched', '2026-03-10T01:10:00Z', A, 'o1'), // DISPATCH 600 s
  move('order.accepted', '2026-03-10T01:40:00Z', A, 'o1'), // ACCEPT 1800 s
  progress('order.delivered', '2026-03-10T03:40:00Z', A, 'o1', { category: 'ELDERLY_CARE' }), // DELIVER 7200 s
  progress('order.evaluated', '2026-03-10T04:40:00Z', A, 'o1', { rating: 5 }), // EVALUATE 3600 s
  progress('order.closed', '2026-03-10T05:00:00Z', A, 'o1'), // TOTAL 14400 s
  submitted('2026-03-10T02:00:00Z', A, 'o2', 'REPAIR'),
  escalated('2026-03-10T03:00:00Z', A, 'o2', 'INSTITUTE'),
  // Day 1, unit B.
  verified('2026-03-10T07:00:00Z', B, 'v1', 45),
  verified('2026-03-10T15:30:00Z', B, 'v3', 20), // 23:30 in Beijing: still day 1
  ev('points.transferred', '2026-03-10T08:00:00Z', B, { fromAccountId: 'a1', toAccountId: 'a2', amount: 25 }),
  submitted('2026-03-10T06:00:00Z', B, 'o3', 'REPAIR'),
  move('order.dispatched', '2026-03-10T06:20:00Z', B, 'o3'), // DISPATCH 1200 s
  move('order.accepted', '2026-03-10T07:20:00Z', B, 'o3'), // ACCEPT 3600 s
  progress('order.delivered', '2026-03-10T08:20:00Z', B, 'o3'), // DELIVER 3600 s
  visit('carePlan.visit.due', '2026-03-10T00:30:00Z', B, 'c1'),
  move('order.dispatched', '2026-03-10T00:30:00Z', B, 'c1'), // a care visit: no order.submitted
  move('order.accepted', '2026-03-10T01:30:00Z', B, 'c1'), // ACCEPT 3600 s
  progress('order.delivered', '2026-03-10T04:30:00Z', B, 'c1', { category: 'ELDERLY_CARE' }), // DELIVER 10800 s
  progress('order.closed', '2026-03-10T05:30:00Z', B, 'c1'), // TOTAL 18000 s
  visit('carePlan.visit.missed', '2026-03-10T09:00:00Z', B, 'c2'),
  verified('2026-03-10T09:00:00Z', LOOKALIKE, 'v9', 999),
  // Day 2.
  verified('2026-03-10T16:30:00Z', A, 'v2', 50), // 00:30 in Beijing: day 2
  move('order.dispatched', '2026-03-10T18:00:00Z', A, 'o2'), // DISPATCH 57600 s, day 2
  move('order.accepted', '2026-03-10T20:00:00Z', A, 'o2'), // ACCEPT 7200 s, day 2
  progress('order.closed', '2026-03-11T01:00:00Z', B, 'o3'), // TOTAL 68400 s, day 2
  ev('points.credited', '2026-03-11T02:00:00Z', A, { accountId: 'a2', personId: 'pv2', amount: 50, serviceRecordId: 'r5' }),
  submitted('2026-03-11T03:00:00Z', B, 'o4', 'ELDERLY_CARE'),
  escalated('2026-03-11T04:00:00Z', B, 'o4', 'INSTITUTE'),
  escalated('2026-03-11T05:00:00Z', B, 'o4', 'CENTER'),
];

const zero: Omit<DailyFigures, 'day'> = {
  verifiedMinutes: 0,
  volunteersActive: 0,
  ordersPlaced: 0,
  ordersPlacedByCategory: {},
  ordersClosed: 0,
  ordersClosedByCategory: {},
  escalations: 0,
  pointsEarned: 0,
  pointsRedeemed: 0,
  pointsTransferred: 0,
  careVisitsDone: 0,
  careVisitsMissed: 0,
};

const expected: Record<string, DailyFigures[]> = {
  [A]: [
    {
      ...zero,
      day: DAY1,
      verifiedMinutes: 95,
      volunteersActive: 2,
      ordersPlaced: 2,
      ordersPlacedByCategory: { ELDERLY_CARE: 1, REPAIR: 1 },
      ordersClosed: 1,
      ordersClosedByCategory: { ELDERLY_CARE: 1 },
      escalations: 1,
      pointsEarned: 60,
      pointsRedeemed: 40,
    },
    { ...zero, day: DAY2, verifiedMinutes: 50, volunteersActive: 1, pointsEarned: 50 },
  ],
  [B]: [
    {
      ...zero,
      day: DAY1,
      verifiedMinutes: 65,
      volunteersActive: 2,
      ordersPlaced: 1,
      ordersPlacedByCategory: { REPAIR: 1 },
      ordersClosed: 1,
      ordersClosedByCategory: { ELDERLY_CARE: 1 },
      pointsTransferred: 25,
      careVisitsDone: 1,
      careVisitsMissed: 1,
    },
    {
      ...zero,
      day: DAY2,
      ordersPlaced: 1,
      ordersPlacedByCategory: { ELDERLY_CARE: 1 },
      ordersClosed: 1,
      ordersClosedByCategory: { REPAIR: 1 },
      escalations: 2,
    },
  ],
  [PARENT]: [
    {
      day: DAY1,
      verifiedMinutes: 160,
      volunteersActive: 3, // v1 served in both units: counted once
      ordersPlaced: 3,
      ordersPlacedByCategory: { ELDERLY_CARE: 1, REPAIR: 2 },
      ordersClosed: 2,
      ordersClosedByCategory: { ELDERLY_CARE: 2 },
      escalations: 1,
      pointsEarned: 60,
      pointsRedeemed: 40,
      pointsTransferred: 25,
      careVisitsDone: 1,
      careVisitsMissed: 1,
    },
    {
      ...zero,
      day: DAY2,
      verifiedMinutes: 50,
      volunteersActive: 1,
      ordersPlaced: 1,
      ordersPlacedByCategory: { ELDERLY_CARE: 1 },
      ordersClosed: 1,
      ordersClosedByCategory: { REPAIR: 1 },
      escalations: 2,
      pointsEarned: 50,
    },
  ],
};

/** Every row of every figures table (without the bookkeeping times), to compare states exactly. */
async function snapshot(): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const table of FIGURES_TABLES) {
    const rows = (await db.query(`SELECT to_jsonb(t) - 'applied_at' - 'skipped_at' AS row FROM ${table} t`)) as { row: unknown }[];
    out[table] = rows.map((r) => JSON.stringify(r.row)).sort();
  }
  return out;
}

async function figuresOf(unit: string): Promise<DailyFigures[]> {
  return dailyFigures(db, unit, DAY1, DAY2);
}

const WHOLE_RANGE: [Date, Date] = [new Date('2026-03-01T00:00:00Z'), new Date('2026-04-01T00:00:00Z')];

beforeAll(async () => {
  db = await openAnalyticsDatabase(config);
  stream = new EventStream(db);
  job = new FiguresJob(db, { batchSize: 7, consumerId: 'figures-test' });
  await job.register();
});

afterAll(async () => {
  await db.destroy();
  await dropDatabase(config, config.ANALYTICS_DATABASE);
});

describe('the figures job', () => {
  let first: Record<string, unknown[]>;

  it('keeps the daily figures of each unit and subtree from the stream, whatever order the events arrive in', async () => {
    // Newest first: every later stage arrives before the earlier one.
    for (const event of [...seeded].reverse()) expect(await stream.archive(event)).toBe(true);
    expect(await job.drain()).toEqual({ applied: seeded.length, duplicate: 0, skipped: 0 });
    expect((await stream.subscriptions()).find((s) => s.name === FIGURES_SUBSCRIPTION.name)).toMatchObject({ waiting: 0, acked: seeded.length });

    for (const unit of [A, B, PARENT]) expect([unit, await figuresOf(unit)]).toEqual([unit, expected[unit]]);
    expect((await figuresOf(LOOKALIKE))[0]).toMatchObject({ verifiedMinutes: 999, volunteersActive: 1 });
    expect(await dailyFigures(db, PARENT, '2026-03-09', '2026-03-09')).toEqual([{ ...zero, day: '2026-03-09' }]);
    // Many units in one statement answer as each alone; a path asked twice is answered once.
    expect(await dailyFiguresOf(db, [A, LOOKALIKE, PARENT, A], DAY1, DAY2)).toEqual(
      new Map([A, LOOKALIKE, PARENT].map((unit) => [unit, unit === LOOKALIKE ? expect.any(Array) : expected[unit]])),
    );
    expect((await dailyFiguresOf(db, [LOOKALIKE], DAY1, DAY2)).get(LOOKALIKE)).toEqual(await figuresOf(LOOKALIKE));
    first = await snapshot();
  });

  it('computes the median and 90th percentile of each stage over a range and a subtree', async () => {
    expect(await stageTimes(db, PARENT, DAY1, DAY2)).toEqual([
      { stage: 'DISPATCH', orders: 3, median: 1200, p90: 46320 }, // 600, 1200, 57600
      { stage: 'ACCEPT', orders: 4, median: 3600, p90: 6120 }, // 1800, 3600, 3600, 7200
      { stage: 'DELIVER', orders: 3, median: 7200, p90: 10080 }, // 3600, 7200, 10800
      { stage: 'EVALUATE', orders: 1, median: 3600, p90: 3600 },
      { stage: 'TOTAL', orders: 3, median: 18000, p90: 58320 }, // 14400, 18000, 68400
    ]);
    // Counted on the day and in the unit where the stage ended.
    expect(await stageTimes(db, A, DAY2, DAY2)).toEqual([
      { stage: 'DISPATCH', orders: 1, median: 57600, p90: 57600 },
      { stage: 'ACCEPT', orders: 1, median: 7200, p90: 7200 },
      { stage: 'DELIVER', orders: 0, median: null, p90: null },
      { stage: 'EVALUATE', orders: 0, median: null, p90: null },
      { stage: 'TOTAL', orders: 0, median: null, p90: null },
    ]);
    const many = await stageTimesOf(db, [A, B, PARENT], DAY1, DAY2);
    for (const unit of [A, B, PARENT]) expect([unit, many.get(unit)]).toEqual([unit, await stageTimes(db, unit, DAY1, DAY2)]);
    expect((await stageTimes(db, B, DAY1, DAY1)).map((s) => [s.stage, s.orders, s.median])).toEqual([
      ['DISPATCH', 1, 1200],
      ['ACCEPT', 2, 3600],
      ['DELIVER', 2, 7200], // 3600 and 10800
      ['EVALUATE', 0, null],
      ['TOTAL', 1, 18000],
    ]);
  });

  it('changes nothing for duplicates or a replay of the whole range', async () => {
    for (const event of seeded) expect(await stream.archive(event)).toBe(false);
    for (const event of seeded.slice(0, 5)) expect(await applyEvent(db, event)).toBe('duplicate');
    expect(await stream.replay(FIGURES_SUBSCRIPTION.name, ...WHOLE_RANGE)).toBe(seeded.length);
    expect(await job.drain()).toEqual({ applied: 0, duplicate: seeded.length, skipped: 0 });
    expect(await snapshot()).toEqual(first);
  });

  it('rebuilds identical rows from the archive', async () => {
    await db.query('UPDATE figures_unit_day SET verified_minutes = verified_minutes + 1'); // damage it
    expect(await rebuildFigures(db, 5)).toEqual({ applied: seeded.length, duplicate: 0, skipped: 0 });
    expect(await snapshot()).toEqual(first);
    for (const unit of [A, B, PARENT]) expect(await figuresOf(unit)).toEqual(expected[unit]);
  });

  it('gives the same figures with two replicas draining at once as with one', async () => {
    await db.query(`TRUNCATE ${FIGURES_TABLES.join(', ')}`);
    expect(await stream.replay(FIGURES_SUBSCRIPTION.name, ...WHOLE_RANGE)).toBe(seeded.length);
    const replicas = [new FiguresJob(db, { batchSize: 2, consumerId: 'replica-1' }), new FiguresJob(db, { batchSize: 2, consumerId: 'replica-2' })];
    const counts = await Promise.all(replicas.map((replica) => replica.drain()));
    expect(counts.reduce((sum, c) => sum + c.applied, 0)).toBe(seeded.length);
    expect(counts.reduce((sum, c) => sum + c.duplicate + c.skipped, 0)).toBe(0);
    expect(await snapshot()).toEqual(first);
  });

  it('exports a subtree’s days as CSV and NDJSON', async () => {
    const csv = await exportFigures(db, A, DAY1, DAY2, 'csv');
    expect(csv).toEqual([
      'day,unit_path,verified_minutes,volunteers_active,orders_placed,orders_closed,escalations,points_earned,points_redeemed,points_transferred,care_visits_done,care_visits_missed,orders_placed_by_category,orders_closed_by_category',
      '2026-03-10,1/2/3,95,2,2,1,1,60,40,0,0,0,"{""ELDERLY_CARE"":1,""REPAIR"":1}","{""ELDERLY_CARE"":1}"',
      '2026-03-11,1/2/3,50,1,0,0,0,50,0,0,0,0,{},{}',
    ]);
    const ndjson = await exportFigures(db, PARENT, DAY1, DAY2, 'ndjson');
    expect(ndjson.map((line) => JSON.parse(line) as unknown)).toEqual(expected[PARENT]!.map((f) => ({ unitPath: PARENT, ...f })));
  });

  it('records an event of a version it does not know as skipped, acknowledges it, and counts nothing from it', async () => {
    const before = await snapshot();
    const future = submitted('2026-03-10T10:00:00Z', A, 'o9', 'REPAIR');
    const unknown = { ...future, version: 2 } as EventEnvelope;
    await stream.archive(unknown);
    expect(await job.drain()).toEqual({ applied: 0, duplicate: 0, skipped: 1 });
    expect(await db.query('SELECT event_id::text AS id, type, version, reason FROM figures_skipped')).toEqual([
      { id: unknown.id, type: 'order.submitted', version: 2, reason: expect.stringMatching(/version 2 of order.submitted is unknown/) },
    ]);
    expect((await stream.subscriptions()).find((s) => s.name === FIGURES_SUBSCRIPTION.name)).toMatchObject({ waiting: 0 });
    const after = await snapshot();
    expect({ ...after, figures_applied: [], figures_skipped: [] }).toEqual({ ...before, figures_applied: [], figures_skipped: [] });
    expect(await figuresOf(A)).toEqual(expected[A]);
  });

  it('consumes on its own once started, waits while the subscription is empty, and stops cleanly', async () => {
    const running = new FiguresJob(db, { pollMs: 50 });
    await running.start();
    try {
      await stream.archive(verified('2026-03-12T02:00:00Z', '9/9', 'v7', 12));
      await eventually(async () => (await dailyFigures(db, '9', '2026-03-12', '2026-03-12'))[0]!.verifiedMinutes === 12);
    } finally {
      await running.stop();
    }
    await stream.archive(verified('2026-03-12T03:00:00Z', '9/9', 'v7', 5));
    expect((await stream.subscriptions()).find((s) => s.name === FIGURES_SUBSCRIPTION.name)).toMatchObject({ waiting: 1 });
    expect((await dailyFigures(db, '9', '2026-03-12', '2026-03-12'))[0]!.verifiedMinutes).toBe(12);
  });

  it('keeps its unit replica from org.unit events, and a move carries the stored figures into the new subtree', async () => {
    const unit = (type: 'org.unit.created' | 'org.unit.updated', at: string, path: string, name: string) =>
      ev(type, at, path, { unitId: '85', code: 'KZ-85', level: 'STATION', parentId: '81', name, path });
    const events = [
      unit('org.unit.created', '2026-03-13T01:00:00Z', '8/81/85', '旧站'),
      verified('2026-03-13T02:00:00Z', '8/81/85', 'v1', 30),
      submitted('2026-03-13T02:10:00Z', '8/81/85', 'o85', 'REPAIR'),
      ev('org.unit.moved', '2026-03-13T03:00:00Z', '8/82/85', { unitId: '85', oldPath: '8/81/85', newPath: '8/82/85', oldParentId: '81', newParentId: '82' }),
      // Done after the move but archived before it: already under the new path, merged with what moves there.
      verified('2026-03-13T04:00:00Z', '8/82/85', 'v1', 10),
      unit('org.unit.updated', '2026-03-13T05:00:00Z', '8/82/85', '新站'),
      unit('org.unit.updated', '2026-03-13T00:30:00Z', '8/81/85', '更旧的名字'), // older than what is stored: ignored
    ];
    await job.drain(); // what the test before left waiting
    for (const event of [events[4]!, ...events.filter((_, i) => i !== 4)]) await stream.archive(event);
    expect(await job.drain()).toEqual({ applied: events.length, duplicate: 0, skipped: 0 });
    expect(await db.query('SELECT id::text, code, path, level, name FROM unit_ref')).toEqual([
      { id: '85', code: 'KZ-85', path: '8/82/85', level: 'STATION', name: '新站' },
    ]);
    const day = '2026-03-13';
    expect((await dailyFigures(db, '8/82', day, day))[0]).toMatchObject({ verifiedMinutes: 40, volunteersActive: 1, ordersPlaced: 1 });
    expect(await dailyFigures(db, '8/81', day, day)).toEqual([{ ...zero, day }]);
    expect(await db.query(`SELECT count(*)::int AS n FROM figures_unit_day WHERE unit_path LIKE '8/%'`)).toEqual([{ n: 1 }]);
  });
});
