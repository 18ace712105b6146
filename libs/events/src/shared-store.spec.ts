import type { Redis } from 'ioredis';
import { Pool } from 'pg';
import { dropDatabase, pgClientConfig } from '@kz/db';
import { deleteKeysWithPrefix, eventually, freePort, testConfig, testPool, uniqueName, uniqueQueuePrefix } from '@kz/testing';
import { PostgresQueueBackend } from './backend';
import { createRedis } from './redis';
import { migrateQueueDatabase, openQueueBackend, QueueBackend, withClient } from './index';
import { PostgresSharedStore, RedisSharedStore, SharedStore } from './shared-store';

/**
 * One contract, both stores: what the rate limits, the WeChat token lock and the timers' index rely on holds on Redis
 * and on the Postgres queue database alike, under real concurrency.
 */
const config = testConfig({ QUEUE_DATABASE: uniqueName('queues') });
let redis: Redis;
let pool: Pool;
const prefix = uniqueQueuePrefix();

beforeAll(async () => {
  await migrateQueueDatabase(config);
  pool = testPool(config, config.QUEUE_DATABASE, 10);
  redis = createRedis(config.REDIS_URL, 'worker');
});

afterAll(async () => {
  await deleteKeysWithPrefix(redis, prefix);
  redis.disconnect();
  await pool.end();
  await dropDatabase(config, config.QUEUE_DATABASE);
});

const stores: [string, () => SharedStore][] = [
  ['Redis', () => new RedisSharedStore(redis, prefix)],
  ['Postgres', () => new PostgresSharedStore(pool)],
];

let n = 0;
const key = (name: string) => `${prefix}:${name}:${(n += 1)}`;

describe.each(stores)('the shared store on %s', (_name, makeStore) => {
  let store: SharedStore;
  beforeEach(() => {
    store = makeStore();
  });

  it('counts concurrent hits of one window exactly: every count from 1 to n once', async () => {
    const k = key('hits');
    const results = await Promise.all(Array.from({ length: 60 }, () => store.hit(k, 60_000)));
    expect(results.map((result) => result.count).sort((a, b) => a - b)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    for (const { ttlMs } of results) {
      expect(ttlMs).toBeGreaterThan(0);
      expect(ttlMs).toBeLessThanOrEqual(60_000);
    }
  });

  it('starts a new window once the last one ended', async () => {
    const k = key('window');
    // A window long enough that a loaded machine cannot end it between the first two hits.
    expect((await store.hit(k, 3_000)).count).toBe(1);
    expect((await store.hit(k, 3_000)).count).toBe(2);
    await eventually(async () => (await store.hit(k, 3_000)).count === 1, 15_000);
  });

  it('sets a value only if absent to one of many racing callers, and lets it die with its lifetime', async () => {
    const k = key('lock');
    // A lifetime long enough that a loaded machine cannot end it before the checks of the winner below.
    const won = await Promise.all(Array.from({ length: 20 }, (_, i) => store.set(k, `caller-${i}`, 3_000, { onlyIfAbsent: true })));
    expect(won.filter(Boolean)).toHaveLength(1);
    const winner = `caller-${won.indexOf(true)}`;
    expect(await store.get(k)).toBe(winner);
    expect(await store.deleteIfEquals(k, 'caller-someone-else')).toBe(false);
    expect(await store.get(k)).toBe(winner);
    await eventually(async () => (await store.get(k)) === null, 15_000);
    expect(await store.set(k, 'next', 60_000, { onlyIfAbsent: true })).toBe(true);
    expect(await store.deleteIfEquals(k, 'next')).toBe(true);
    expect(await store.get(k)).toBeNull();
  });

  it('overwrites and deletes plain values', async () => {
    const k = key('value');
    expect(await store.get(k)).toBeNull();
    await store.set(k, 'a', 60_000);
    await store.set(k, 'b', 60_000);
    expect(await store.get(k)).toBe('b');
    await store.del(k);
    expect(await store.get(k)).toBeNull();
  });

  it('keeps a hash of numbers that only ever grow, whose life is only ever extended', async () => {
    const k = key('hash');
    await Promise.all(Array.from({ length: 10 }, (_, i) => store.hashSetMax(k, `f${i}`, 100 + i, 60_000)));
    await store.hashSetMax(k, 'f0', 1000, 1); // a shorter life does not shorten the hash's
    await store.hashSetMax(k, 'f1', 5, 60_000); // a smaller number does not replace a greater one
    await store.hashDelete(k, 'f9');
    const all = await store.hashGetAll(k);
    expect(Object.keys(all).sort()).toEqual(['f0', 'f1', 'f2', 'f3', 'f4', 'f5', 'f6', 'f7', 'f8']);
    expect([all.f0, all.f1, all.f2]).toEqual(['1000', '101', '102']);

    const short = key('hash-short');
    await store.hashSetMax(short, 'old', 1, 300);
    await eventually(async () => Object.keys(await store.hashGetAll(short)).length === 0, 10_000);
    await store.hashSetMax(short, 'new', 2, 60_000); // a hash that died is gone as a whole
    expect(await store.hashGetAll(short)).toEqual({ new: '2' });
  });
});

describe('the Postgres queue backend', () => {
  let backend: QueueBackend;
  afterEach(async () => {
    await backend?.close();
  });

  it('runs a BullMQ queue and worker on the queue database, delayed jobs and job ids included', async () => {
    backend = await openQueueBackend({ ...config, QUEUE_BACKEND: 'postgres' }, { role: 'worker' });
    expect(backend).toBeInstanceOf(PostgresQueueBackend);
    expect(await backend.check()).toBe('ok');
    const queue = backend.queue('spec-queue');
    const seen: string[] = [];
    const worker = backend.worker('spec-queue', async (job) => {
      seen.push(job.id!);
    });
    try {
      await queue.add('now', { n: 1 }, { jobId: 'job-1' });
      await queue.add('now', { n: 1 }, { jobId: 'job-1' }); // same id: nothing added
      // Due late enough that a loaded machine cannot have promoted it before the check.
      await queue.add('later', { n: 2 }, { jobId: 'job-2', delay: 3_000 });
      expect(await queue.getJobState('job-2')).toBe('delayed');
      await eventually(async () => (await queue.getJobState('job-2')) === 'completed', 15_000);
      expect(await queue.getJobState('job-1')).toBe('completed');
      expect(seen.sort()).toEqual(['job-1', 'job-2']);
      expect(await queue.getJobCounts('completed')).toEqual({ completed: 2 });
    } finally {
      await worker.close();
      await queue.close();
    }
  });

  it('says what is wrong when the queue database cannot be reached', async () => {
    backend = new PostgresQueueBackend(new Pool({ ...pgClientConfig({ ...config, PGPORT: 1 }, 'nowhere'), connectionTimeoutMillis: 500 }), prefix);
    expect(await backend.check(2000)).toMatch(/^SELECT 1 failed: /);
    expect(await backend.available(2000)).toBe(false);
  });
});

it('names the queue database, the server and the way out when the queue database cannot be reached', async () => {
  await expect(openQueueBackend({ ...config, QUEUE_BACKEND: 'postgres', PGPORT: await freePort() }, { role: 'producer' })).rejects.toThrow(
    /^QUEUE_BACKEND=postgres: cannot create or open the queue database "t_queues_.*" on [^ ]+:\d+ as "[^"]+" \(.*\)\. Start Postgres .* or set QUEUE_BACKEND=redis\.$/s,
  );
});

it('survives the queue database dropping a checked-out connection between two statements (a Postgres restart)', async () => {
  const outcome = withClient(pool, async (client) => {
    const ended = new Promise((resolve) => client.once('end', resolve));
    const [{ pid }] = (await client.query('SELECT pg_backend_pid() AS pid')).rows;
    await pool.query('SELECT pg_terminate_backend($1)', [pid]); // from another connection of the pool
    await ended; // the connection dropped while this client sat idle: its 'error' came and went
    await client.query('SELECT 1');
  });
  await expect(outcome).rejects.toThrow();
  // The lost connection went back as broken, not for reuse: the pool still answers.
  expect((await pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
});
