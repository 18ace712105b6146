import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { dropDatabase } from '@kz/db';
import { catalog, createRedis, EventEnvelope, Queues } from '@kz/events';
import { deleteKeysWithPrefix, eventually, testConfig, uniqueName, uniqueQueuePrefix } from '@kz/testing';
import { RunningAnalyticsWorker, startAnalyticsWorker } from './app';
import { dailyFigures, FIGURES_SUBSCRIPTION } from '@kz/analytics';

const prefix = uniqueQueuePrefix();
const config = testConfig({ QUEUE_PREFIX: prefix, HOST: '127.0.0.1', ANALYTICS_DATABASE: uniqueName('analytics') });
let redis: Redis;
let queues: Queues;
let worker: RunningAnalyticsWorker | undefined;

beforeAll(async () => {
  redis = createRedis(config.REDIS_URL, 'worker');
  queues = new Queues(redis, prefix);
});

afterAll(async () => {
  await worker?.stop();
  await queues.close();
  await deleteKeysWithPrefix(redis, prefix);
  redis.disconnect();
  await dropDatabase(config, config.ANALYTICS_DATABASE);
});

describe('the analytics worker', () => {
  it('turns events of the analytics queue into figures through the subscription figures, and stops its job on stop', async () => {
    worker = await startAnalyticsWorker(config, { port: 0 });
    expect((await worker.stream.subscriptions()).map((s) => s.name)).toContain(FIGURES_SUBSCRIPTION.name);
    const event: EventEnvelope<'points.credited'> = {
      id: randomUUID(),
      type: 'points.credited',
      version: catalog['points.credited'].version,
      occurredAt: '2026-05-01T04:00:00Z',
      actor: { system: 'points' },
      unitPath: '1/5/8',
      payload: { accountId: 'a1', personId: 'p1', amount: 30, serviceRecordId: 'r1' },
    };
    await queues.get('analytics').add(event.type, event, { jobId: event.id });
    await eventually(async () => (await dailyFigures(worker!.dataSource, '1/5', '2026-05-01', '2026-05-01'))[0]!.pointsEarned === 30);
    const running = worker;
    worker = undefined;
    await running.stop(); // the figures job stops before the data source closes: nothing fails after this
    expect(running.dataSource.isInitialized).toBe(false);
  });
});
