import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import { RunningSubgraph } from '@kz/subgraph';
import { eventually, PrivateRedis, startSubgraphAlone, SubgraphAlone } from '@kz/testing';
import { startOrdersSubgraph } from '../app';

/**
 * Orders placed while Redis is down are all kept (in the outbox, committed with the orders) and reach the dispatch
 * queue once Redis is back: nothing lost, nothing doubled.
 */
let redis: PrivateRedis;
let alone: SubgraphAlone<RunningSubgraph>;

beforeAll(async () => {
  redis = await PrivateRedis.launch();
  alone = await startSubgraphAlone('ORDERS_DATABASE', (config) => startOrdersSubgraph({ ...config, REDIS_URL: redis.url, OUTBOX_POLL_MS: 50 }, { port: 0 }), {
    sub: '8001',
    roles: ['RESIDENT'],
  });
});
afterAll(async () => {
  await alone?.stop();
  await redis?.stop();
});

it('keeps every order placed while Redis is down and dispatches their events once it returns', async () => {
  await redis.stop();
  const placed = await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      alone.ask<{ placeOrder: { id: string; code: string } }>(
        `mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id code } }`,
        { input: { title: `腾龙广场健身器材损坏 ${i}`, category: 'SAFETY_FACILITIES', channel: 'APP' } },
      ),
    ),
  );
  expect(placed.flatMap((result) => result.errors ?? [])).toEqual([]);
  const ids = placed.map((result) => result.data!.placeOrder.id);
  const [pending] = await alone.running.dataSource.query(`SELECT count(*)::int AS n FROM outbox WHERE type = 'order.submitted' AND published_at IS NULL`);
  expect(pending.n).toBe(20);

  await redis.start();
  const connection = new IORedis(redis.url, { maxRetriesPerRequest: null });
  const dispatch = new Queue('dispatch', { connection, prefix: alone.config.QUEUE_PREFIX });
  try {
    const submitted = async () =>
      (await dispatch.getJobs(['waiting', 'delayed', 'active', 'completed', 'failed'])).filter((job) => job?.name === 'order.submitted');
    const unpublished = async () =>
      ((await alone.running.dataSource.query('SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL')) as { n: number }[])[0]!.n;
    // The relay adds a batch's jobs, then marks its rows published: wait for both, then check nothing was doubled.
    await eventually(async () => (await submitted()).length >= 20 && (await unpublished()) === 0);
    const jobs = await submitted();
    expect(jobs.map((job) => job.data.payload.orderId).sort()).toEqual([...ids].sort());
    expect(new Set(jobs.map((job) => job.id)).size).toBe(20);
    expect(await unpublished()).toBe(0);
  } finally {
    await dispatch.close();
    connection.disconnect();
  }
});
