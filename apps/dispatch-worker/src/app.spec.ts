import { randomUUID } from 'node:crypto';
import type { Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { catalog, createRedis, EventEnvelope, EventType, Queues, routesFor } from '@kz/events';
import { deleteKeysWithPrefix, testConfig, uniqueQueuePrefix } from '@kz/testing';
import type { RunningWorkerService } from '@kz/worker';
import { dispatchHandlers, startDispatchWorker } from './app';

const prefix = uniqueQueuePrefix();
const config = testConfig({ QUEUE_PREFIX: prefix, HOST: '127.0.0.1' });
let redis: Redis;
let queues: Queues;
let worker: RunningWorkerService;

beforeAll(async () => {
  redis = createRedis(config.REDIS_URL, 'worker');
  queues = new Queues(redis, prefix);
  worker = await startDispatchWorker(config, { port: 0 });
});

afterAll(async () => {
  await worker.stop();
  await queues.close();
  await deleteKeysWithPrefix(redis, prefix);
  redis.disconnect();
});

describe('the dispatch worker', () => {
  it('reports itself healthy under its name', async () => {
    const response = await fetch(`${worker.url}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ service: 'dispatch-worker', status: 'ok', checks: { 'worker:dispatch': 'ok' } });
  });

  it('exposes the depth of the dispatch queue in /metrics', async () => {
    const response = await fetch(`${worker.url}/metrics`);
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toMatch(/^queue_jobs_waiting\{[^}]*queue="dispatch"[^}]*\} \d+$/m);
    expect(text).toContain('service="dispatch-worker"');
  });

  it('has a handler for every event routed to the dispatch queue', () => {
    const handlers = dispatchHandlers(config, worker.log)(queues);
    const routedHere = (Object.keys(catalog) as EventType[]).filter((type) => routesFor(type).includes('dispatch'));
    expect(routedHere.filter((type) => !handlers[type])).toEqual([]);
  });

  it('keeps an event it cannot handle in the failed set instead of dropping it', async () => {
    // Not routed to this queue: published here by mistake.
    const event: EventEnvelope<'volunteer.registered'> = {
      id: randomUUID(),
      type: 'volunteer.registered',
      version: catalog['volunteer.registered'].version,
      occurredAt: new Date().toISOString(),
      actor: { personId: 'p-1', roles: ['RESIDENT'] },
      unitPath: '1/2',
      payload: { volunteerId: '42', personId: 'p-1', stationId: '7' },
    };
    const failed = new Promise<Job | undefined>((resolve) => worker.workers[0]!.on('failed', (job) => job?.id === event.id && resolve(job)));
    await queues.get('dispatch').add(event.type, event, { jobId: event.id });
    const job = await failed;
    expect(job?.failedReason).toBe('dispatch has no handler for volunteer.registered');
    expect(await queues.get('dispatch').getJobState(event.id)).toBe('failed');
  });
});
