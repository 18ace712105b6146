import { Pool } from 'pg';
import { dropDatabase } from '@kz/db';
import { appendLive, migrateQueueDatabase, PostgresQueueBackend } from '@kz/events';
import { createLogger } from '@kz/telemetry';
import { eventually, testConfig, testPool, uniqueName, uniqueQueuePrefix } from '@kz/testing';
import { PostgresStreamHub } from './pg-stream-hub';
import { compareCursors, isCursor, LiveEntry } from './stream-hub';

/**
 * Live streams on the Postgres queue backend: what producers append (`appendLive` on a Postgres backend) reaches every
 * hub in order with `ms-seq` cursors, history resumes after a cursor, and a cursor older than what is retained asks
 * for a resync, as with Redis streams.
 */
const config = testConfig({ QUEUE_DATABASE: uniqueName('queues'), QUEUE_BACKEND: 'postgres' });
const log = createLogger('gateway-test', 'silent');
let pool: Pool;
let backend: PostgresQueueBackend;
const hubs: PostgresStreamHub[] = [];

beforeAll(async () => {
  await migrateQueueDatabase(config);
  pool = testPool(config, config.QUEUE_DATABASE, 5);
  backend = new PostgresQueueBackend(pool, uniqueQueuePrefix());
});

afterAll(async () => {
  for (const hub of hubs) await hub.stop();
  await backend.close();
  await dropDatabase(config, config.QUEUE_DATABASE);
});

async function aHub(): Promise<PostgresStreamHub> {
  const hub = new PostgresStreamHub(config, log);
  hubs.push(hub);
  await hub.start();
  return hub;
}

it('hands every appended entry to every hub, in order, with cursors that only grow', async () => {
  const [a, b] = [await aHub(), await aHub()];
  const seen: [LiveEntry[], LiveEntry[]] = [[], []];
  a.listen('orders', (entry) => seen[0].push(entry));
  b.listen('orders', (entry) => seen[1].push(entry));
  // Concurrent producers (relays of several services): the hubs still see one order, the order of the ids.
  await Promise.all(
    Array.from({ length: 10 }, (_, batch) =>
      appendLive(backend, backend.prefix, 'orders', [{ n: batch * 2 }, { n: batch * 2 + 1 }], 1000),
    ),
  );
  await eventually(async () => seen[0].length === 20 && seen[1].length === 20);
  expect(seen[1]).toEqual(seen[0]);
  for (const entry of seen[0]) expect(isCursor(entry.cursor)).toBe(true);
  for (let i = 1; i < 20; i += 1) expect(compareCursors(seen[0][i - 1]!.cursor, seen[0][i]!.cursor)).toBeLessThan(0);
  // Each batch's two entries stay together and in order.
  const ns = seen[0].map((entry) => entry.data.n as number);
  for (let i = 0; i < 20; i += 2) expect(ns[i + 1]).toBe(ns[i]! + 1);
  expect(a.head('orders')).toBe(seen[0][19]!.cursor);
  expect(b.listenerCount('orders')).toBe(1);
});

it('resumes after a cursor from history, and asks for a resync once entries after it were trimmed', async () => {
  const hub = await aHub();
  await appendLive(backend, backend.prefix, 'notifications', [{ k: 1 }, { k: 2 }, { k: 3 }], 5);
  const all = await hub.history('notifications', '0-0');
  expect(all.resync).toBe(false);
  expect(all.entries.map((entry) => entry.data.k)).toEqual([1, 2, 3]);
  const after = await hub.history('notifications', all.entries[0]!.cursor);
  expect(after.entries.map((entry) => entry.data.k)).toEqual([2, 3]);

  // Five more with room for five: the first three are trimmed, so resuming from the first one misses some.
  await appendLive(backend, backend.prefix, 'notifications', [{ k: 4 }, { k: 5 }, { k: 6 }, { k: 7 }, { k: 8 }], 5);
  expect(await hub.history('notifications', all.entries[0]!.cursor)).toEqual({ resync: true, entries: [] });
  const retained = await hub.history('notifications', '0-0');
  expect(retained).toEqual({ resync: true, entries: [] }); // from the very start, too much is gone
  const kept = await hub.history('notifications', all.entries[2]!.cursor);
  expect(kept).toEqual({ resync: true, entries: [] }); // as Redis: a cursor older than the first entry retained
  // From a cursor still retained, the rest follows.
  const rest = await hub.history('notifications', await firstRetained());
  expect(rest.resync).toBe(false);
  expect(rest.entries.map((entry) => entry.data.k)).toEqual([5, 6, 7, 8]);
});

/** The cursor of the first entry the notifications topic retains (k = 4 above). */
async function firstRetained(): Promise<string> {
  const { rows } = await pool.query(`SELECT ms || '-' || seq AS cursor FROM live_entry WHERE topic = 'notifications' ORDER BY ms, seq LIMIT 1`);
  return rows[0].cursor;
}
