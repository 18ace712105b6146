import { Job, QueueEvents } from 'bullmq';
import { PrivateRedis } from '@kz/testing';
import { closeWorkers, createEventWorker, createRedis, EventEnvelope, handleOnce, liveStreamKey, OutboxRelay, parseEnvelope, Queues, recordEvent } from './index';
import { useOutboxHarness } from './testing/outbox-harness';

const actor = { personId: 'p-1', roles: ['CENTER_ADMIN'] };

const h = useOutboxHarness('events');
const { config } = h;

function unitCreated(manager = h.dataSource.manager, name = '迎宾社区新时代文明实践站') {
  return recordEvent(manager, {
    type: 'org.unit.created',
    actor,
    unitPath: '1/2/3',
    payload: { unitId: '3', code: 'KZ-T-3', level: 'STATION', parentId: '2', name, path: '1/2/3' },
  });
}

async function jobIds(queue: 'analytics' | 'volunteers-inbox' | 'orders-inbox'): Promise<string[]> {
  const jobs = await h.queues.get(queue).getJobs(['waiting', 'delayed', 'active', 'completed', 'failed']);
  return jobs.map((job) => job.id!).sort();
}

describe('outbox', () => {
  it('validates payloads against the catalogue and writes nothing when the change rolls back', async () => {
    await expect(
      h.dataSource.transaction((manager) =>
        recordEvent(manager, {
          type: 'org.unit.moved',
          actor,
          unitPath: '1',
          payload: { unitId: '3' } as never,
        }),
      ),
    ).rejects.toThrow();
    await expect(
      h.dataSource.transaction(async (manager) => {
        await unitCreated(manager);
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect(await h.dataSource.query('SELECT count(*)::int AS n FROM outbox')).toEqual([{ n: 0 }]);
  });
});

describe('outbox relay', () => {
  it('delivers every event once, in order, to the routed queues and analytics', async () => {
    const created = await unitCreated();
    const moved = await recordEvent(h.dataSource.manager, {
      type: 'org.unit.moved',
      actor,
      unitPath: '1/5/3',
      payload: { unitId: '3', oldPath: '1/2/3', newPath: '1/5/3', oldParentId: '2', newParentId: '5' },
    });
    const relay = new OutboxRelay({ dataSource: h.dataSource, queues: h.queues, pollMs: 50, batchSize: 100 });
    expect(await relay.drain()).toBe(2);
    expect(await relay.drain()).toBe(0);
    expect(await jobIds('analytics')).toEqual([created.id, moved.id].sort());
    expect(await jobIds('volunteers-inbox')).toEqual([created.id, moved.id].sort());
    const waiting = await h.queues.get('orders-inbox').getJobs(['waiting']);
    expect(waiting.map((job) => parseEnvelope(job.data))).toEqual(expect.arrayContaining([moved, created]));
  });

  it('appends order events, and only them, to the live orders stream in commit order, even with relays side by side', async () => {
    const written: string[] = [];
    for (let i = 0; i < 12; i += 1) {
      const orderId = String(1 + (i % 3));
      const event = await recordEvent(h.dataSource.manager, {
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
    const relays = [1, 2].map(() => new OutboxRelay({ dataSource: h.dataSource, queues: h.queues, pollMs: 50, batchSize: 2, live: { maxLen: 1000 } }));
    await Promise.all(relays.map((relay) => relay.drain()));
    const entries = (await h.redis.xrange(liveStreamKey(h.prefix, 'orders'), '-', '+')) as [string, string[]][];
    const appended = entries.map(([, fields]) => JSON.parse(fields[1]!) as Record<string, unknown>);
    expect(appended.map((entry) => entry.id)).toEqual(written);
    expect(Object.keys(appended[0]!).sort()).toEqual(['id', 'occurredAt', 'payload', 'type', 'unitPath']); // no actor
  });

  it('loses nothing and duplicates nothing when Redis was down while the change committed', async () => {
    const privateRedis = await PrivateRedis.launch();
    const connection = createRedis(privateRedis.url, 'producer');
    const privateQueues = new Queues(connection, h.prefix);
    try {
      await privateRedis.stop();
      const events = await Promise.all([1, 2, 3].map((n) => unitCreated(h.dataSource.manager, `站点${n}`)));
      const relay = new OutboxRelay({ dataSource: h.dataSource, queues: privateQueues, pollMs: 20, batchSize: 100, publishTimeoutMs: 500 });
      await expect(relay.publishBatch()).rejects.toThrow();
      const pending = await h.dataSource.query('SELECT attempts, last_error FROM outbox WHERE published_at IS NULL');
      expect(pending).toHaveLength(3);
      expect(pending[0].last_error).toBeTruthy();

      await privateRedis.start();
      // Two relays (replicas) race over the same outbox once Redis is back.
      const second = new OutboxRelay({ dataSource: h.dataSource, queues: privateQueues, pollMs: 20, batchSize: 1, publishTimeoutMs: 2000 });
      const [a, b] = await Promise.all([untilDrained(relay), untilDrained(second)]);
      expect(a + b).toBe(3);
      const jobs = await privateQueues.get('analytics').getJobs(['waiting']);
      expect(jobs.map((job) => job.id).sort()).toEqual(events.map((event) => event.id).sort());
      expect(await h.dataSource.query('SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL')).toEqual([{ n: 0 }]);
    } finally {
      await privateQueues.close();
      connection.disconnect();
      await privateRedis.stop();
    }
  });

  it('runs in the background and publishes soon after a commit', async () => {
    const relay = new OutboxRelay({ dataSource: h.dataSource, queues: h.queues, pollMs: 10_000, batchSize: 100 });
    relay.start();
    const listener = createRedis(config.REDIS_URL, 'worker');
    const queueEvents = new QueueEvents('analytics', { connection: listener, prefix: h.prefix });
    await queueEvents.waitUntilReady();
    const added = new Promise<string>((resolve) => queueEvents.once('waiting', ({ jobId }) => resolve(jobId)));
    const event = await unitCreated();
    relay.nudge();
    expect(await added).toBe(event.id);
    await relay.stop();
    await queueEvents.close();
    listener.disconnect();
  });

  it('publishes the commits of one pause in one round, however many nudges they made', async () => {
    const relay = new OutboxRelay({ dataSource: h.dataSource, queues: h.queues, pollMs: 10_000, batchSize: 100, gatherMs: 20 });
    const rounds = jest.spyOn(relay, 'publishBatch');
    relay.start();
    expect(await rounds.mock.results[0]!.value).toBe(0); // the start's round, on an empty outbox
    const listener = createRedis(config.REDIS_URL, 'worker');
    const queueEvents = new QueueEvents('analytics', { connection: listener, prefix: h.prefix });
    await queueEvents.waitUntilReady();
    const waiting = new Set<string>();
    const allThree = new Promise<void>((resolve) =>
      queueEvents.on('waiting', ({ jobId }) => {
        waiting.add(jobId);
        if (waiting.size === 3) resolve();
      }),
    );
    const events = [await unitCreated(), await unitCreated(), await unitCreated()];
    events.forEach(() => relay.nudge()); // one per commit, as the subgraphs do
    await allThree;
    expect([...waiting].sort()).toEqual(events.map((event) => event.id).sort());
    expect(rounds).toHaveBeenCalledTimes(2); // the start's round and one for the three
    await relay.stop();
    await queueEvents.close();
    listener.disconnect();
  });

  it('does not lose a nudge that comes while a round runs: the next round follows it, not the poll', async () => {
    const relay = new OutboxRelay({ dataSource: h.dataSource, queues: h.queues, pollMs: 60_000, batchSize: 100, gatherMs: 5 });
    const publishBatch = relay.publishBatch.bind(relay);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let entered!: () => void;
    const running = new Promise<void>((resolve) => (entered = resolve));
    // The start's round reads the (empty) outbox, then is held before it returns.
    jest.spyOn(relay, 'publishBatch').mockImplementationOnce(async () => {
      const published = await publishBatch();
      entered();
      await held;
      return published;
    });
    relay.start();
    await running;
    const listener = createRedis(config.REDIS_URL, 'worker');
    const queueEvents = new QueueEvents('analytics', { connection: listener, prefix: h.prefix });
    await queueEvents.waitUntilReady();
    const added = new Promise<string>((resolve) => queueEvents.once('waiting', ({ jobId }) => resolve(jobId)));
    const event = await unitCreated(); // committed after the held round read the outbox
    relay.nudge();
    release();
    expect(await added).toBe(event.id); // within the test's timeout, far below the 60 s poll
    await relay.stop();
    await queueEvents.close();
    listener.disconnect();
  });

  it('polls an idle outbox with one read, and still publishes a commit that made no nudge', async () => {
    const relay = new OutboxRelay({ dataSource: h.dataSource, queues: h.queues, pollMs: 20, batchSize: 100 });
    const rounds = jest.spyOn(relay, 'publishBatch');
    const hasPending = relay.hasPending.bind(relay);
    let probesSeen!: () => void;
    const threeProbes = new Promise<void>((resolve) => (probesSeen = resolve));
    let probes = 0;
    jest.spyOn(relay, 'hasPending').mockImplementation(async () => {
      const pending = await hasPending();
      if (++probes === 3) probesSeen();
      return pending;
    });
    relay.start();
    await threeProbes;
    expect(rounds).toHaveBeenCalledTimes(1); // the start's round only: the polls after it were one read each
    const listener = createRedis(config.REDIS_URL, 'worker');
    const queueEvents = new QueueEvents('analytics', { connection: listener, prefix: h.prefix });
    await queueEvents.waitUntilReady();
    const added = new Promise<string>((resolve) => queueEvents.once('waiting', ({ jobId }) => resolve(jobId)));
    const event = await unitCreated(); // no nudge: as a commit whose process died before it could send one
    expect(await added).toBe(event.id);
    expect(rounds.mock.calls.length).toBeGreaterThanOrEqual(2);
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
    await h.dataSource.query('CREATE TABLE IF NOT EXISTS effect (n int)');
    const event = await unitCreated();
    const outcomes = await Promise.all(
      Array.from({ length: 5 }, () =>
        handleOnce(h.dataSource, 'test-consumer', event, async (manager) => {
          await manager.query('INSERT INTO effect VALUES (1)');
        }),
      ),
    );
    expect(outcomes.filter(Boolean)).toHaveLength(1);
    expect(await h.dataSource.query('SELECT count(*)::int AS n FROM effect')).toEqual([{ n: 1 }]);
    // Another consumer of the same event is independent.
    expect(await handleOnce(h.dataSource, 'other-consumer', event, async () => undefined)).toBe(true);
  });

  it('fail an invalid event at once and retry a transient failure', async () => {
    const connection = createRedis(config.REDIS_URL, 'worker');
    const seen: string[] = [];
    let failuresLeft = 1;
    const worker = createEventWorker({
      queue: 'analytics',
      connection,
      prefix: h.prefix,
      handlers: {
        'org.unit.created': async (event: EventEnvelope<'org.unit.created'>) => {
          if (failuresLeft-- > 0) throw new Error('database briefly unavailable');
          seen.push(event.payload.name);
        },
      },
    });
    const valid = await unitCreated(h.dataSource.manager, '永先社区新时代文明实践站');
    const queue = h.queues.get('analytics');
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
      prefix: h.prefix,
      handlers: {
        'org.unit.created': async () => {
          started();
          await released;
          order.push('job done');
        },
      },
    });
    try {
      const event = await unitCreated(h.dataSource.manager, '迎宾社区新时代文明实践站');
      await h.queues.get('analytics').add('org.unit.created', event, { jobId: event.id });
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
    const worker = createEventWorker({ queue: 'analytics', connection, prefix: h.prefix, handlers: {} });
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
