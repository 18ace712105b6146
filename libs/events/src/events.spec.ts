import { Job, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import { DataSource, MigrationInterface, QueryRunner } from 'typeorm';
import { createPlatformTables, createServiceDataSource, openServiceDatabase, OutboxTraceparent1769500000000 } from '@kz/db';
import { createTestDatabase, deleteKeysWithPrefix, PrivateRedis, testConfig, TestDatabase, uniqueQueuePrefix } from '@kz/testing';
import { closeWorkers, createEventWorker, createRedis, EventEnvelope, handleOnce, liveStreamKey, OutboxRelay, parseEnvelope, Queues, recordEvent } from './index';

class Platform1700000000000 implements MigrationInterface {
  name = 'Platform1700000000000';
  up = (runner: QueryRunner) => createPlatformTables(runner);
  down = async () => undefined;
}

const config = testConfig();
const actor = { personId: 'p-1', roles: ['CENTER_ADMIN'] };
let db: TestDatabase;
let dataSource: DataSource;
let redis: Redis;
let prefix: string;
let queues: Queues;

beforeAll(async () => {
  db = await createTestDatabase(config, 'events');
  const source = createServiceDataSource({ config, database: db.name, entities: [], migrations: [Platform1700000000000, OutboxTraceparent1769500000000] });
  dataSource = await openServiceDatabase(source, config);
  redis = createRedis(config.REDIS_URL, 'worker');
});

beforeEach(() => {
  prefix = uniqueQueuePrefix();
  queues = new Queues(redis, prefix);
});

afterEach(async () => {
  await queues.close();
  await deleteKeysWithPrefix(redis, prefix);
  await dataSource.query('TRUNCATE outbox, processed_event');
});

afterAll(async () => {
  redis.disconnect();
  await dataSource.destroy();
  await db.drop();
});

function unitCreated(manager = dataSource.manager, name = '迎宾社区新时代文明实践站') {
  return recordEvent(manager, {
    type: 'org.unit.created',
    actor,
    unitPath: '1/2/3',
    payload: { unitId: '3', code: 'KZ-T-3', level: 'STATION', parentId: '2', name, path: '1/2/3' },
  });
}

async function jobIds(queue: 'analytics' | 'volunteers-inbox' | 'orders-inbox'): Promise<string[]> {
  const jobs = await queues.get(queue).getJobs(['waiting', 'delayed', 'active', 'completed', 'failed']);
  return jobs.map((job) => job.id!).sort();
}

describe('outbox', () => {
  it('validates payloads against the catalogue and writes nothing when the change rolls back', async () => {
    await expect(
      dataSource.transaction((manager) =>
        recordEvent(manager, {
          type: 'org.unit.moved',
          actor,
          unitPath: '1',
          payload: { unitId: '3' } as never,
        }),
      ),
    ).rejects.toThrow();
    await expect(
      dataSource.transaction(async (manager) => {
        await unitCreated(manager);
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect(await dataSource.query('SELECT count(*)::int AS n FROM outbox')).toEqual([{ n: 0 }]);
  });
});

describe('outbox relay', () => {
  it('delivers every event once, in order, to the routed queues and analytics', async () => {
    const created = await unitCreated();
    const moved = await recordEvent(dataSource.manager, {
      type: 'org.unit.moved',
      actor,
      unitPath: '1/5/3',
      payload: { unitId: '3', oldPath: '1/2/3', newPath: '1/5/3', oldParentId: '2', newParentId: '5' },
    });
    const relay = new OutboxRelay({ dataSource, queues, pollMs: 50, batchSize: 100 });
    expect(await relay.drain()).toBe(2);
    expect(await relay.drain()).toBe(0);
    expect(await jobIds('analytics')).toEqual([created.id, moved.id].sort());
    expect(await jobIds('volunteers-inbox')).toEqual([created.id, moved.id].sort());
    const waiting = await queues.get('orders-inbox').getJobs(['waiting']);
    expect(waiting.map((job) => parseEnvelope(job.data))).toEqual(expect.arrayContaining([moved, created]));
  });

  it('appends order events, and only them, to the live orders stream in commit order, even with relays side by side', async () => {
    const written: string[] = [];
    for (let i = 0; i < 12; i += 1) {
      const orderId = String(1 + (i % 3));
      const event = await recordEvent(dataSource.manager, {
        type: i < 3 ? 'order.submitted' : 'order.dispatched',
        actor,
        unitPath: '1/2/3',
        payload:
          i < 3
            ? { orderId, code: `KZ-${i}`, source: 'RESIDENT', category: 'ELDERLY_CARE', specialGroup: 'NONE', location: null, urgency: 'NORMAL' }
            : { orderId, stationId: '3' },
      } as never);
      written.push(event.id);
      if (i === 5) await unitCreated(); // not watched live
    }
    const relays = [1, 2].map(() => new OutboxRelay({ dataSource, queues, pollMs: 50, batchSize: 2, live: { maxLen: 1000 } }));
    await Promise.all(relays.map((relay) => relay.drain()));
    const entries = (await redis.xrange(liveStreamKey(prefix, 'orders'), '-', '+')) as [string, string[]][];
    const appended = entries.map(([, fields]) => JSON.parse(fields[1]!) as Record<string, unknown>);
    expect(appended.map((entry) => entry.id)).toEqual(written);
    expect(Object.keys(appended[0]!).sort()).toEqual(['id', 'occurredAt', 'payload', 'type', 'unitPath']); // no actor
  });

  it('loses nothing and duplicates nothing when Redis was down while the change committed', async () => {
    const privateRedis = await PrivateRedis.launch();
    const connection = createRedis(privateRedis.url, 'producer');
    const privateQueues = new Queues(connection, prefix);
    try {
      await privateRedis.stop();
      const events = await Promise.all([1, 2, 3].map((n) => unitCreated(dataSource.manager, `站点${n}`)));
      const relay = new OutboxRelay({ dataSource, queues: privateQueues, pollMs: 20, batchSize: 100, publishTimeoutMs: 500 });
      await expect(relay.publishBatch()).rejects.toThrow();
      const pending = await dataSource.query('SELECT attempts, last_error FROM outbox WHERE published_at IS NULL');
      expect(pending).toHaveLength(3);
      expect(pending[0].last_error).toBeTruthy();

      await privateRedis.start();
      // Two relays (replicas) race over the same outbox once Redis is back.
      const second = new OutboxRelay({ dataSource, queues: privateQueues, pollMs: 20, batchSize: 1, publishTimeoutMs: 2000 });
      const [a, b] = await Promise.all([untilDrained(relay), untilDrained(second)]);
      expect(a + b).toBe(3);
      const jobs = await privateQueues.get('analytics').getJobs(['waiting']);
      expect(jobs.map((job) => job.id).sort()).toEqual(events.map((event) => event.id).sort());
      expect(await dataSource.query('SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL')).toEqual([{ n: 0 }]);
    } finally {
      await privateQueues.close();
      connection.disconnect();
      await privateRedis.stop();
    }
  });

  it('runs in the background and publishes soon after a commit', async () => {
    const relay = new OutboxRelay({ dataSource, queues, pollMs: 10_000, batchSize: 100 });
    relay.start();
    const listener = createRedis(config.REDIS_URL, 'worker');
    const queueEvents = new QueueEvents('analytics', { connection: listener, prefix });
    await queueEvents.waitUntilReady();
    const added = new Promise<string>((resolve) => queueEvents.once('waiting', ({ jobId }) => resolve(jobId)));
    const event = await unitCreated();
    relay.nudge();
    expect(await added).toBe(event.id);
    await relay.stop();
    await queueEvents.close();
    listener.disconnect();
  });
});

/** Retries a relay round while Redis warms up; the relay's own loop does this with backoff. */
async function untilDrained(relay: OutboxRelay): Promise<number> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await relay.drain();
    } catch (error) {
      if (attempt > 50) throw error;
    }
  }
}

describe('consumers', () => {
  it('apply an event once however often and however concurrently it is delivered', async () => {
    await dataSource.query('CREATE TABLE IF NOT EXISTS effect (n int)');
    const event = await unitCreated();
    const outcomes = await Promise.all(
      Array.from({ length: 5 }, () =>
        handleOnce(dataSource, 'test-consumer', event, async (manager) => {
          await manager.query('INSERT INTO effect VALUES (1)');
        }),
      ),
    );
    expect(outcomes.filter(Boolean)).toHaveLength(1);
    expect(await dataSource.query('SELECT count(*)::int AS n FROM effect')).toEqual([{ n: 1 }]);
    // Another consumer of the same event is independent.
    expect(await handleOnce(dataSource, 'other-consumer', event, async () => undefined)).toBe(true);
  });

  it('fail an invalid event at once and retry a transient failure', async () => {
    const connection = createRedis(config.REDIS_URL, 'worker');
    const seen: string[] = [];
    let failuresLeft = 1;
    const worker = createEventWorker({
      queue: 'analytics',
      connection,
      prefix,
      handlers: {
        'org.unit.created': async (event: EventEnvelope<'org.unit.created'>) => {
          if (failuresLeft-- > 0) throw new Error('database briefly unavailable');
          seen.push(event.payload.name);
        },
      },
    });
    const valid = await unitCreated(dataSource.manager, '永先社区新时代文明实践站');
    const queue = queues.get('analytics');
    const completed = new Promise<Job>((resolve) => worker.on('completed', resolve));
    const failed = new Promise<Job | undefined>((resolve) => worker.on('failed', (job) => job?.id === 'bad-1' && resolve(job)));
    await queue.add('org.unit.created', valid, { jobId: valid.id, backoff: { type: 'fixed', delay: 10 } });
    await queue.add('org.unit.created', { ...valid, id: 'bad-1', payload: {} }, { jobId: 'bad-1' });
    expect((await completed).id).toBe(valid.id);
    expect(seen).toEqual(['永先社区新时代文明实践站']);
    const bad = await failed;
    expect(bad?.attemptsMade).toBe(1);
    expect(bad?.failedReason).toMatch(/malformed envelope|payload/);
    await worker.close();
    connection.disconnect();
  });
});

describe('closeWorkers', () => {
  it('waits for the job in flight while Redis is there', async () => {
    const connection = createRedis(config.REDIS_URL, 'worker');
    const order: string[] = [];
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const worker = createEventWorker({
      queue: 'analytics',
      connection,
      prefix,
      handlers: {
        'org.unit.created': async () => {
          started();
          await released;
          order.push('job done');
        },
      },
    });
    try {
      const event = await unitCreated(dataSource.manager, '迎宾社区新时代文明实践站');
      await queues.get('analytics').add('org.unit.created', event, { jobId: event.id });
      await running;
      const closing = closeWorkers([worker], connection).then(() => order.push('closed'));
      release();
      await closing;
      expect(order).toEqual(['job done', 'closed']);
    } finally {
      connection.disconnect();
    }
  });

  it('does not hang while Redis is away (a graceful BullMQ close would wait for it for ever)', async () => {
    const privateRedis = await PrivateRedis.launch();
    const connection = createRedis(privateRedis.url, 'worker');
    const worker = createEventWorker({ queue: 'analytics', connection, prefix, handlers: {} });
    try {
      await worker.waitUntilReady();
      await privateRedis.stop();
      await closeWorkers([worker], connection); // the jest timeout is the guard
      expect(worker.closing).toBeTruthy();
    } finally {
      connection.disconnect();
      await privateRedis.destroy();
    }
  });
});
