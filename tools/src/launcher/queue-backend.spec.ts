import { freePort } from '@kz/testing';
import { LaunchFault } from './data-folder';
import { queueBackend } from './queue-backend';

const REDIS = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('where npm start runs the queues', () => {
  let closed: string;

  beforeAll(async () => {
    closed = `redis://127.0.0.1:${await freePort()}`;
  });

  it('embedded, unless told otherwise: the apps get QUEUE_BACKEND=postgres, whether a Redis answers or not', async () => {
    for (const REDIS_URL of [REDIS, closed]) {
      expect(await queueBackend({ REDIS_URL }, {}, true)).toEqual({
        label: 'PostgreSQL, in the embedded server (QUEUE_BACKEND=postgres)',
        env: { QUEUE_BACKEND: 'postgres' },
      });
    }
  });

  it('with your own Postgres, unless told otherwise: Redis, which must answer (stopping as before, naming the address)', async () => {
    expect(await queueBackend({ REDIS_URL: REDIS }, {}, false)).toEqual({ label: `Redis at ${REDIS}`, env: {} });
    await expect(queueBackend({ REDIS_URL: closed }, {}, false)).rejects.toThrow(/^Redis is not reachable at 127\.0\.0\.1:\d+/);
  });

  it('honours what the user set: QUEUE_BACKEND=redis needs Redis, also embedded; QUEUE_BACKEND=postgres does not', async () => {
    expect(await queueBackend({ REDIS_URL: REDIS }, { QUEUE_BACKEND: 'redis' }, true)).toEqual({ label: `Redis at ${REDIS}`, env: {} });
    const fault = await queueBackend({ REDIS_URL: closed }, { QUEUE_BACKEND: 'redis' }, true).catch((error: unknown) => error);
    expect(fault).toBeInstanceOf(LaunchFault);
    expect((fault as LaunchFault).reason).toBe(`Redis does not answer at 127.0.0.1:${new URL(closed).port} (REDIS_URL), and QUEUE_BACKEND=redis asks for it.`);
    expect((fault as LaunchFault).fix).toContain('leave QUEUE_BACKEND unset');
    for (const embedded of [true, false]) {
      expect(await queueBackend({ REDIS_URL: closed }, { QUEUE_BACKEND: 'postgres' }, embedded)).toEqual({ label: 'PostgreSQL (QUEUE_BACKEND=postgres)', env: {} });
    }
  });
});
