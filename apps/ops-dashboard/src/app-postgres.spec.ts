import { randomUUID } from 'node:crypto';
import { signToken } from '@kz/auth';
import { dropDatabase } from '@kz/db';
import { openQueueBackend, QUEUES, QueueBackend, Queues } from '@kz/events';
import { freePort, testConfig, uniqueName, uniqueQueuePrefix } from '@kz/testing';
import { RunningOpsDashboard, startOpsDashboard } from './app';

/** The ops dashboard on the Postgres queue backend (QUEUE_BACKEND=postgres), with REDIS_URL at a closed port. */
let config: ReturnType<typeof testConfig>;
let dashboard: RunningOpsDashboard;
let backend: QueueBackend;
let queues: Queues;
let admin: string;

beforeAll(async () => {
  config = testConfig({
    QUEUE_BACKEND: 'postgres',
    QUEUE_DATABASE: uniqueName('queues'),
    QUEUE_PREFIX: uniqueQueuePrefix(),
    REDIS_URL: `redis://127.0.0.1:${await freePort()}`,
    HOST: '127.0.0.1',
  });
  dashboard = await startOpsDashboard(config, { port: 0 });
  backend = await openQueueBackend(config, { role: 'producer' });
  queues = new Queues(backend, config.QUEUE_PREFIX);
  admin = await signToken(config, { sub: 'p-admin', roles: ['CENTER_ADMIN'], unitId: '1', unitPath: '1' });
});

afterAll(async () => {
  await dashboard?.stop();
  await queues?.close();
  await backend?.close();
  await dropDatabase(config, config.QUEUE_DATABASE);
});

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${dashboard.url}${path}`, { headers, redirect: 'manual' });

it('shows every queue of the queue database on the board, and their depth in /metrics', async () => {
  const ready = await get('/ready');
  expect(await ready.json()).toMatchObject({ service: 'ops-dashboard', status: 'ok', checks: { queues: 'ok' } });

  const id = randomUUID();
  await queues.get('analytics').add('org.sevenHaves.updated', { id }, { jobId: id, delay: 3_600_000 });
  const board = (await (await get('/api/queues', { authorization: `Bearer ${admin}` })).json()) as { queues: { name: string; counts: Record<string, number> }[] };
  expect(board.queues.map((queue) => queue.name).sort()).toEqual([...QUEUES].sort());
  expect(board.queues.find((queue) => queue.name === 'analytics')!.counts.delayed).toBe(1);

  const metrics = await (await get('/metrics')).text();
  expect(metrics).toMatch(/^queue_jobs_delayed\{queue="analytics",service="ops-dashboard"\} 1$/m);
  for (const queue of QUEUES) expect(metrics).toMatch(new RegExp(`^queue_jobs_waiting\\{queue="${queue}",service="ops-dashboard"\\} 0$`, 'm'));
});
