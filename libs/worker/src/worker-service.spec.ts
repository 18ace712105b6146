import { randomUUID } from 'node:crypto';
import type { Job, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { catalog, createRedis, EventEnvelope, EventHandlers, Queues } from '@kz/events';
import { deleteKeysWithPrefix, PrivateRedis, testConfig, uniqueQueuePrefix } from '@kz/testing';
import { RunningWorkerService, startWorkerService } from './index';

function orderSubmitted(): EventEnvelope<'order.submitted'> {
  const orderId = String(Math.floor(Math.random() * 1e9) + 1);
  return {
    id: randomUUID(),
    type: 'order.submitted',
    version: catalog['order.submitted'].version,
    occurredAt: new Date().toISOString(),
    actor: { personId: 'p-1', roles: ['RESIDENT'] },
    unitPath: '1/2/3',
    payload: {
      orderId,
      code: `KZ-${orderId}`,
      source: 'RESIDENT',
      category: 'ELDER_CARE',
      specialGroup: 'ELDERLY_ALONE',
      location: { lat: 31.16, lng: 108.39 },
      urgency: 'NORMAL',
    },
  };
}

function orderAssigned(): EventEnvelope<'order.assigned'> {
  return { ...orderSubmitted(), type: 'order.assigned', payload: { orderId: '7', volunteerIds: ['11', '12'] } };
}

/** Resolves when the worker reports `event` for the job with this id. */
function jobSettles(worker: Worker, event: 'completed' | 'failed', jobId: string): Promise<Job> {
  return new Promise((resolve) => {
    const listener = (job: Job | undefined) => {
      if (job?.id !== jobId) return;
      worker.off(event, listener);
      resolve(job);
    };
    worker.on(event, listener);
  });
}

/** The value of the sample of `name` whose labels include `labels` (in any order), from a /metrics text. */
function metricValue(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-z_]+)\{(.*)\} (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries([...match[2]!.matchAll(/(\w+)="([^"]*)"/g)].map(([, key, value]) => [key, value]));
    if (Object.entries(labels).every(([key, value]) => found[key] === value)) return Number(match[3]);
  }
  return undefined;
}

/** Polls /ready until it answers 200 (ioredis reconnects on its own schedule); the last status otherwise. */
async function readyOnceRedisIsBack(url: string): Promise<number> {
  const deadline = Date.now() + 10_000;
  let status = 0;
  while (Date.now() < deadline) {
    status = (await fetch(`${url}/ready`)).status;
    if (status === 200) break;
    await new Promise((resolve) => setTimeout(resolve, 50)); // poll interval while the connections come back
  }
  return status;
}

let redis: Redis;

beforeAll(() => {
  redis = createRedis(testConfig().REDIS_URL, 'worker');
});

afterAll(() => {
  redis.disconnect();
});

describe('a running worker service', () => {
  const prefix = uniqueQueuePrefix();
  const config = testConfig({ QUEUE_PREFIX: prefix, HOST: '127.0.0.1' });
  const handled: string[] = [];
  const handlers: EventHandlers = {
    'order.submitted': async (event) => {
      handled.push(event.id);
    },
  };
  let service: RunningWorkerService;
  let queues: Queues;
  let worker: Worker;

  beforeAll(async () => {
    service = await startWorkerService({ name: 'worker-test', config, port: 0, queues: [{ queue: 'dispatch', handlers }] });
    worker = service.workers[0]!;
    queues = new Queues(redis, prefix);
  });

  afterAll(async () => {
    await service.stop();
    await queues.close();
    await deleteKeysWithPrefix(redis, prefix);
  });

  it('hands a queued event to its handler once and counts it in /metrics', async () => {
    const event = orderSubmitted();
    const completed = jobSettles(worker, 'completed', event.id);
    await queues.get('dispatch').add(event.type, event, { jobId: event.id });
    await completed;
    expect(handled).toEqual([event.id]);

    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    expect(metricValue(metrics, 'jobs_processed_total', { queue: 'dispatch', status: 'completed' })).toBe(1);
    expect(metricValue(metrics, 'job_duration_seconds_count', { queue: 'dispatch' })).toBe(1);
    expect(metricValue(metrics, 'queue_jobs_waiting', { queue: 'dispatch' })).toBe(0);
    expect(metricValue(metrics, 'queue_jobs_active', { queue: 'dispatch' })).toBe(0);
    expect(metricValue(metrics, 'queue_jobs_failed', { queue: 'dispatch' })).toBeDefined();
  });

  it('reports queue depth as Redis holds it', async () => {
    const later = orderSubmitted();
    const job = await queues.get('dispatch').add(later.type, later, { jobId: later.id, delay: 3_600_000 });
    try {
      const metrics = await (await fetch(`${service.url}/metrics`)).text();
      expect(metricValue(metrics, 'queue_jobs_delayed', { queue: 'dispatch' })).toBe(1);
      expect(metrics).toContain('# HELP queue_jobs_waiting');
    } finally {
      await job.remove();
    }
  });

  it('is alive while the worker runs, and ready while Redis answers too', async () => {
    const health = await fetch(`${service.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ service: 'worker-test', status: 'ok', checks: { 'worker:dispatch': 'ok' } });
    const ready = await fetch(`${service.url}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      service: 'worker-test',
      status: 'ok',
      checks: { redis: 'ok', 'worker:dispatch': 'ok' },
    });
  });

  it('fails an event it has no handler for at the first attempt and keeps it in the failed set', async () => {
    const event = orderAssigned();
    const failed = jobSettles(worker, 'failed', event.id);
    // Queues applies the platform's default of 8 attempts: only the permanent classification stops the retries.
    await queues.get('dispatch').add(event.type, event, { jobId: event.id });
    await failed;
    const job = await queues.get('dispatch').getJob(event.id);
    expect(await job!.getState()).toBe('failed');
    expect(job!.attemptsMade).toBe(1);
    expect(job!.failedReason).toBe('dispatch has no handler for order.assigned');
    expect(handled).not.toContain(event.id);

    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    expect(metricValue(metrics, 'jobs_processed_total', { queue: 'dispatch', status: 'failed' })).toBe(1);
    expect(metricValue(metrics, 'queue_jobs_failed', { queue: 'dispatch' })).toBe(1);
  });

  // Last in this block: it closes the worker.
  it('is not alive (and not ready), naming the worker, once a worker stops running', async () => {
    await worker.close();
    const health = await fetch(`${service.url}/health`);
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ status: 'down', checks: { 'worker:dispatch': 'not running' } });
    const ready = await fetch(`${service.url}/ready`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ status: 'down', checks: { redis: 'ok', 'worker:dispatch': 'not running' }, notReady: ['worker:dispatch'] });
  });
});

describe('job locks', () => {
  it('take WORKER_LOCK_SECONDS for the lock and the stalled-job check, unless a queue sets its own', async () => {
    const prefix = uniqueQueuePrefix();
    const handlers: EventHandlers = { 'order.submitted': async () => undefined };
    const service = await startWorkerService({
      name: 'worker-test',
      config: testConfig({ QUEUE_PREFIX: prefix, HOST: '127.0.0.1', WORKER_LOCK_SECONDS: '7' }),
      port: 0,
      queues: [
        { queue: 'dispatch', handlers },
        { queue: 'notifications', handlers, lockDuration: 1000, stalledInterval: 500 },
      ],
    });
    try {
      const [byConfig, byQueue] = service.workers;
      expect([byConfig!.opts.lockDuration, byConfig!.opts.stalledInterval]).toEqual([7000, 7000]);
      expect([byQueue!.opts.lockDuration, byQueue!.opts.stalledInterval]).toEqual([1000, 500]);
    } finally {
      await service.stop();
      await deleteKeysWithPrefix(redis, prefix);
    }
  });
});

describe('stopping', () => {
  it('waits for the job in flight, which ends completed rather than lost', async () => {
    const prefix = uniqueQueuePrefix();
    const queues = new Queues(redis, prefix);
    const steps: string[] = [];
    let started!: () => void;
    const handlerStarted = new Promise<void>((resolve) => (started = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const service = await startWorkerService({
      name: 'worker-test',
      config: testConfig({ QUEUE_PREFIX: prefix, HOST: '127.0.0.1' }),
      port: 0,
      queues: [
        {
          queue: 'dispatch',
          handlers: {
            'order.submitted': async () => {
              started();
              await released;
              steps.push('job finished');
            },
          },
        },
      ],
    });
    try {
      const event = orderSubmitted();
      await queues.get('dispatch').add(event.type, event, { jobId: event.id });
      await handlerStarted;

      const closing = new Promise<void>((resolve) => service.workers[0]!.once('closing', () => resolve()));
      const stopped = service.stop().then(() => steps.push('stopped'));
      await closing;
      release();
      await stopped;

      expect(steps).toEqual(['job finished', 'stopped']);
      expect(await queues.get('dispatch').getJobState(event.id)).toBe('completed');
    } finally {
      release();
      await service.stop();
      await queues.close();
      await deleteKeysWithPrefix(redis, prefix);
    }
  });
});

describe('when Redis goes away', () => {
  it('answers /ready with 503 naming Redis, and 200 again once Redis is back; /health stays 200', async () => {
    const privateRedis = await PrivateRedis.launch();
    const service = await startWorkerService({
      name: 'worker-test',
      config: testConfig({ REDIS_URL: privateRedis.url, QUEUE_PREFIX: uniqueQueuePrefix(), HOST: '127.0.0.1' }),
      port: 0,
      queues: [{ queue: 'notifications', handlers: {} }],
    });
    try {
      expect((await fetch(`${service.url}/ready`)).status).toBe(200);
      await privateRedis.stop();
      const response = await fetch(`${service.url}/ready`);
      expect(response.status).toBe(503);
      const body = (await response.json()) as { checks: Record<string, string>; notReady: string[] };
      expect(body.checks.redis).toMatch(/^no connection \(|^PING failed/);
      expect(body.checks['worker:notifications']).toBe('ok');
      expect(body.notReady).toEqual(['redis']);
      // Alive all the while: a restart would not bring Redis back.
      expect((await fetch(`${service.url}/health`)).status).toBe(200);

      await privateRedis.start();
      expect(await readyOnceRedisIsBack(service.url)).toBe(200);
    } finally {
      await service.stop();
      await privateRedis.stop();
    }
  });
});
