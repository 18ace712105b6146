import { randomUUID } from 'node:crypto';
import type { Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { dropDatabase } from '@kz/db';
import { catalog, createRedis, EventEnvelope, EventType, Queues, routesFor } from '@kz/events';
import { deleteKeysWithPrefix, testConfig, uniqueName, uniqueQueuePrefix } from '@kz/testing';
import { notificationHandlers, RecipientsApi, RunningNotificationWorker, startNotificationWorker } from './app';

const prefix = uniqueQueuePrefix();
const config = testConfig({ QUEUE_PREFIX: prefix, HOST: '127.0.0.1', NOTIFICATIONS_DATABASE: uniqueName('notifications') });
let redis: Redis;
let queues: Queues;
let worker: RunningNotificationWorker;

beforeAll(async () => {
  redis = createRedis(config.REDIS_URL, 'worker');
  queues = new Queues(redis, prefix);
  worker = await startNotificationWorker(config, { port: 0 });
});

afterAll(async () => {
  await worker.stop();
  await queues.close();
  await deleteKeysWithPrefix(redis, prefix);
  redis.disconnect();
  await dropDatabase(config, config.NOTIFICATIONS_DATABASE);
});

describe('the notification worker', () => {
  it('reports itself live under its name, and ready with its database and Redis', async () => {
    const live = await fetch(`${worker.url}/health`);
    expect(live.status).toBe(200);
    expect(await live.json()).toMatchObject({ service: 'notification-worker', status: 'ok', checks: { 'worker:notifications': 'ok' } });
    const ready = await fetch(`${worker.url}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      service: 'notification-worker',
      status: 'ok',
      checks: { 'worker:notifications': 'ok', postgres: 'ok', redis: 'ok' },
    });
  });

  it('exposes the depth of the notifications queue in /metrics', async () => {
    const response = await fetch(`${worker.url}/metrics`);
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toMatch(/^queue_jobs_waiting\{[^}]*queue="notifications"[^}]*\} \d+$/m);
    expect(text).toContain('service="notification-worker"');
  });

  it('has a handler for every event routed to the notifications queue', () => {
    const handlers = notificationHandlers({ config, dataSource: worker.dataSource, api: RecipientsApi.fromConfig(config), log: worker.log })(queues);
    const routedHere = (Object.keys(catalog) as EventType[]).filter((type) => routesFor(type).includes('notifications'));
    expect(routedHere.filter((type) => !handlers[type])).toEqual([]);
  });

  it('keeps an event it cannot handle in the failed set instead of dropping it', async () => {
    const event: EventEnvelope<'volunteer.hours.verified'> = {
      id: randomUUID(),
      type: 'volunteer.hours.verified',
      version: 1,
      occurredAt: new Date().toISOString(),
      actor: { personId: '5', roles: ['STATION_ADMIN'] },
      unitPath: '1/2',
      payload: { serviceRecordId: '1', volunteerId: '2', personId: '3', minutes: 30, category: 'ELDERLY_CARE', verifiedBy: '5' },
    };
    const failed = new Promise<Job | undefined>((resolve) => worker.workers[0]!.on('failed', (job) => job?.id === event.id && resolve(job)));
    await queues.get('notifications').add(event.type, event, { jobId: event.id });
    expect((await failed)?.failedReason).toBe('notifications has no handler for volunteer.hours.verified');
  });

  it('stops cleanly, after which nothing answers', async () => {
    const url = worker.url;
    await worker.stop();
    await expect(fetch(`${url}/health`)).rejects.toThrow();
  });
});
