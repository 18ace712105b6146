import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { dropDatabase } from '@kz/db';
import { catalog, EventEnvelope, EventType } from '@kz/events';
import { testConfig, uniqueName } from '@kz/testing';
import { openAnalyticsDatabase } from '../database';
import { EventStream, InvalidSubscription, typeMatches } from './event-stream';

const config = testConfig({ ANALYTICS_DATABASE: uniqueName('analytics') });
let db: DataSource;
let stream: EventStream;

beforeAll(async () => {
  db = await openAnalyticsDatabase(config);
  stream = new EventStream(db);
});

afterAll(async () => {
  await db.destroy();
  await dropDatabase(config, config.ANALYTICS_DATABASE);
});

let serial = 0;
function anEvent(type: EventType, occurredAt = new Date(), orderId = String(++serial)): EventEnvelope {
  return {
    id: randomUUID(),
    type,
    version: catalog[type].version,
    occurredAt: occurredAt.toISOString(),
    actor: { personId: '7', roles: ['STATION_ADMIN'] },
    unitPath: '1/2/3',
    payload: { orderId },
  } as unknown as EventEnvelope;
}

const ids = (entries: { event: EventEnvelope }[]) => entries.map((entry) => entry.event.id);
const DAY = 24 * 3600;

describe('the event stream', () => {
  it('matches types the same way in SQL and in TypeScript', async () => {
    const cases: [string, string[]][] = [
      ['order.closed', ['order.*']],
      ['order.closed', ['*']],
      ['order.closed', ['order.closed']],
      ['order.closed', ['points.*']],
      ['orders.closed', ['order.*']],
      ['points.redemption.reserved', ['points.redemption.*']],
      ['points.credited', ['points.redemption.*']],
    ];
    for (const [type, patterns] of cases) {
      const [row] = (await db.query('SELECT event_type_matches($1, $2) AS m', [type, patterns])) as { m: boolean }[];
      expect([type, patterns, row!.m]).toEqual([type, patterns, typeMatches(type, patterns)]);
    }
    expect(typeMatches('orders.closed', ['order.*'])).toBe(false);
  });

  it('refuses a subscription whose patterns match no event, or whose name or retention is wrong', async () => {
    await expect(stream.subscribe({ name: 'x', types: ['orderz.*'], maxEntries: 10, maxAgeSeconds: DAY })).rejects.toThrow(InvalidSubscription);
    await expect(stream.subscribe({ name: 'Bad Name', types: ['*'], maxEntries: 10, maxAgeSeconds: DAY })).rejects.toThrow(/name/);
    await expect(stream.subscribe({ name: 'x', types: ['*'], maxEntries: 0, maxAgeSeconds: DAY })).rejects.toThrow(/maxEntries/);
  });

  it('gives every subscription every event it asked for, once, in arrival order, independently of the others', async () => {
    await stream.subscribe({ name: 'orders-a', types: ['order.*'], maxEntries: 1000, maxAgeSeconds: DAY });
    await stream.subscribe({ name: 'everything-b', types: ['*'], maxEntries: 1000, maxAgeSeconds: DAY });
    const events = [anEvent('order.submitted'), anEvent('points.credited'), anEvent('order.dispatched'), anEvent('order.accepted')];
    for (const event of events) expect(await stream.archive(event)).toBe(true);
    expect(await stream.archive(events[0]!)).toBe(false); // a redelivery: archived once, copied once

    const a = await stream.read('orders-a', 'job-1', 10);
    expect(ids(a)).toEqual([events[0]!.id, events[2]!.id, events[3]!.id]);
    expect(a[0]!.event).toEqual(events[0]);
    const b = await stream.read('everything-b', 'job-2', 10);
    expect(ids(b)).toEqual(events.map((event) => event.id));

    // A's consumer acknowledges; B's entries stay for B.
    expect(await stream.ack('orders-a', a.map((entry) => entry.pos))).toBe(3);
    expect(await stream.ack('orders-a', a.map((entry) => entry.pos))).toBe(0);
    const states = new Map((await stream.subscriptions()).map((s) => [s.name, s]));
    expect(states.get('orders-a')).toMatchObject({ waiting: 0, acked: 3, dropped: 0 });
    expect(states.get('everything-b')).toMatchObject({ waiting: 4, acked: 0 });
    await stream.unsubscribe('orders-a');
    await stream.unsubscribe('everything-b');
  });

  it('hands an entry to one consumer at a time, and again to a consumer when its lease ran out unacknowledged', async () => {
    await stream.subscribe({ name: 'leases', types: ['order.*'], maxEntries: 1000, maxAgeSeconds: DAY });
    const [first, second] = [anEvent('order.submitted'), anEvent('order.closed')];
    await stream.archive(first);
    await stream.archive(second);
    const taken = await stream.read('leases', 'one', 1, 3600);
    expect(ids(taken)).toEqual([first.id]);
    expect(ids(await stream.read('leases', 'two', 10, 0))).toEqual([second.id]); // the first is leased to `one`
    // `two` took the second with a lease of 0 s: it is free again at once, handed out a second time.
    const again = await stream.read('leases', 'three', 10, 3600);
    expect(again.map((entry) => [entry.event.id, entry.deliveries])).toEqual([[second.id, 2]]);
    await expect(stream.read('nobody', 'x')).rejects.toThrow(/unknown subscription: nobody/);
    await stream.unsubscribe('leases');
  });

  it('keeps an idle subscription within its retention, counting what it dropped, oldest first', async () => {
    await stream.subscribe({ name: 'idle', types: ['order.*'], maxEntries: 100, maxAgeSeconds: DAY });
    const events = Array.from({ length: 1000 }, () => anEvent('order.started'));
    for (const event of events) await stream.archive(event);
    expect((await stream.trim()).get('idle')).toBe(900);
    const [state] = (await stream.subscriptions()).filter((s) => s.name === 'idle');
    expect(state).toMatchObject({ waiting: 100, dropped: 900 });
    expect(ids(await stream.read('idle', 'late', 1000))).toEqual(events.slice(900).map((event) => event.id));
    expect((await stream.trim()).get('idle')).toBe(0);
    await stream.unsubscribe('idle');
  });

  it('drops entries older than the age of the retention', async () => {
    await stream.subscribe({ name: 'aged', types: ['order.*'], maxEntries: 1000, maxAgeSeconds: 60 });
    await stream.archive(anEvent('order.closed'));
    await db.query(`UPDATE event_stream_entry SET entered_at = now() - interval '61 seconds' WHERE subscription = 'aged'`);
    const kept = anEvent('order.closed');
    await stream.archive(kept);
    expect((await stream.trim()).get('aged')).toBe(1);
    expect(ids(await stream.read('aged', 'x'))).toEqual([kept.id]);
    await stream.unsubscribe('aged');
  });

  it('archives by month and replays a range into one subscription only, under the events’ own ids', async () => {
    await stream.subscribe({ name: 'replayed', types: ['order.*', 'points.credited'], maxEntries: 1000, maxAgeSeconds: DAY });
    await stream.subscribe({ name: 'untouched', types: ['*'], maxEntries: 1000, maxAgeSeconds: DAY });
    const day = (iso: string) => new Date(iso);
    const old = [
      anEvent('order.submitted', day('2025-03-31T23:30:00Z')),
      anEvent('order.closed', day('2025-04-01T08:00:00Z')),
      anEvent('points.credited', day('2025-04-01T09:00:00Z')),
      anEvent('volunteer.registered', day('2025-04-01T10:00:00Z')),
      anEvent('order.closed', day('2025-04-02T00:00:00Z')),
    ];
    for (const event of old) await stream.archive(event);
    const partitions = (await db.query(
      `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'event_archive'::regclass ORDER BY 1`,
    )) as { relname: string }[];
    expect(partitions.map((p) => p.relname)).toEqual(expect.arrayContaining(['event_archive_2025_03', 'event_archive_2025_04']));

    // Both consumers took and acknowledged everything so far.
    for (const name of ['replayed', 'untouched']) {
      const entries = await stream.read(name, 'x', 100);
      await stream.ack(name, entries.map((entry) => entry.pos));
    }
    // April 1st (UTC) again, into one subscription: its own types only, in the order they occurred.
    expect(await stream.replay('replayed', day('2025-04-01T00:00:00Z'), day('2025-04-02T00:00:00Z'))).toBe(2);
    const replayed = await stream.read('replayed', 'x', 100);
    expect(ids(replayed)).toEqual([old[1]!.id, old[2]!.id]);
    expect(replayed[0]!.event).toEqual(old[1]);
    expect(await stream.read('untouched', 'x', 100)).toEqual([]);
    // A replay of what still waits adds nothing; a type filter narrows it.
    expect(await stream.replay('replayed', day('2025-04-01T00:00:00Z'), day('2025-04-02T00:00:00Z'))).toBe(0);
    await stream.ack('replayed', replayed.map((entry) => entry.pos));
    expect(await stream.replay('replayed', day('2025-03-01T00:00:00Z'), day('2025-05-01T00:00:00Z'), ['points.*'])).toBe(1);
    await expect(stream.replay('nobody', day('2025-03-01T00:00:00Z'), day('2025-05-01T00:00:00Z'))).rejects.toThrow(/unknown subscription/);
  });
});
