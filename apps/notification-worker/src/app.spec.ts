import { createRedis } from '@kz/events';
import { deleteKeysWithPrefix, testConfig, uniqueQueuePrefix } from '@kz/testing';
import type { RunningWorkerService } from '@kz/worker';
import { startNotificationWorker } from './app';

const prefix = uniqueQueuePrefix();
const config = testConfig({ QUEUE_PREFIX: prefix, HOST: '127.0.0.1' });
let worker: RunningWorkerService;

beforeAll(async () => {
  worker = await startNotificationWorker(config, { port: 0 });
});

afterAll(async () => {
  await worker.stop();
  const redis = createRedis(config.REDIS_URL, 'worker');
  await deleteKeysWithPrefix(redis, prefix);
  redis.disconnect();
});

describe('the notification worker', () => {
  it('reports itself healthy under its name', async () => {
    const response = await fetch(`${worker.url}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      service: 'notification-worker',
      status: 'ok',
      checks: { 'worker:notifications': 'ok' },
    });
  });

  it('exposes the depth of the notifications queue in /metrics', async () => {
    const response = await fetch(`${worker.url}/metrics`);
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toMatch(/^queue_jobs_waiting\{[^}]*queue="notifications"[^}]*\} \d+$/m);
    expect(text).toContain('service="notification-worker"');
  });

  it('stops cleanly, after which nothing answers', async () => {
    const url = worker.url;
    await worker.stop();
    await expect(fetch(`${url}/health`)).rejects.toThrow();
  });
});
