import { Pool } from 'pg';
import { dropDatabase } from '@kz/db';
import { migrateQueueDatabase, PostgresSharedStore } from '@kz/events';
import { testConfig, testPool, uniqueName, uniqueQueuePrefix } from '@kz/testing';
import { AccessTokenCache } from './index';

/** The server's access token shared through the Postgres queue backend (QUEUE_BACKEND=postgres) instead of Redis. */
const config = testConfig({ QUEUE_DATABASE: uniqueName('queues') });
const prefix = uniqueQueuePrefix();
let pool: Pool;

beforeAll(async () => {
  await migrateQueueDatabase(config);
  pool = testPool(config, config.QUEUE_DATABASE, 8);
});

afterAll(async () => {
  await pool.end();
  await dropDatabase(config, config.QUEUE_DATABASE);
});

/** Four processes' caches over one store, and the fetches WeChat saw. */
function caches(appId: string, answer: () => Promise<{ accessToken: string; expiresIn: number }>) {
  const fetches: boolean[] = [];
  const all = Array.from({ length: 4 }, () =>
    new AccessTokenCache({
      redis: new PostgresSharedStore(pool),
      prefix,
      appId,
      fetchToken: async (force) => {
        fetches.push(force);
        return answer();
      },
    }),
  );
  return { all, fetches };
}

it('is fetched by one process while the others wait for it, even when none is cached', async () => {
  let release: () => void = () => undefined;
  const slow = new Promise<void>((resolve) => (release = resolve));
  const { all, fetches } = caches('waiting', async () => {
    await slow;
    return { accessToken: 'slow-token', expiresIn: 7200 };
  });
  const tokens = Promise.all(all.map((cache) => cache.get()));
  // Let every cache reach the lock before the one fetch answers.
  setTimeout(release, 200);
  expect(await tokens).toEqual(['slow-token', 'slow-token', 'slow-token', 'slow-token']);
  expect(fetches).toEqual([false]);
});

it('is replaced once when WeChat refuses it, and every process then uses the new one', async () => {
  let issued = 0;
  const { all, fetches } = caches('revoked', async () => ({ accessToken: `token-${(issued += 1)}`, expiresIn: 7200 }));
  const old = await all[0]!.get();
  expect(await all[1]!.get()).toBe(old);
  const fresh = await all[0]!.invalidate(old);
  expect(fresh).not.toBe(old);
  // A second process that still held the old token gets the new one from the store, not a fetch of its own.
  expect(await all[2]!.invalidate(old)).toBe(fresh);
  expect(await all[3]!.get()).toBe(fresh);
  expect(fetches).toEqual([false, true]);
});
