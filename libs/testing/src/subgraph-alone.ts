import IORedis from 'ioredis';
import type { Claims } from '@kz/auth';
import type { Config } from '@kz/config';
import { dropDatabase } from '@kz/db';
import { testConfig } from './databases';
import { GraphQLResult, signedSubgraphRequest } from './graphql-client';
import { uniqueName, uniqueQueuePrefix } from './names';
import { deleteKeysWithPrefix } from './redis-server';

type DatabaseVariable = 'ORG_DATABASE' | 'VOLUNTEERS_DATABASE' | 'ORDERS_DATABASE' | 'POINTS_DATABASE' | 'NOTIFICATIONS_DATABASE' | 'ANALYTICS_DATABASE';

export interface SubgraphAlone<T> {
  config: Config;
  running: T;
  /** Sends an operation as the gateway would, with these claims signed (null: an anonymous caller). */
  ask<R = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, claims?: Claims | null): Promise<GraphQLResult<R>>;
  /** Stops the subgraph, drops its database and deletes its queue keys. */
  stop(): Promise<void>;
}

/**
 * One subgraph on a free port, over a database and queue prefix made for this run: for tests that talk to a
 * subgraph directly (batching, signatures), without the gateway.
 */
export async function startSubgraphAlone<T extends { url: string; stop(): Promise<void> }>(
  databaseVariable: DatabaseVariable,
  start: (config: Config) => Promise<T>,
  defaultClaims: Claims | null = { sub: 'p-test', roles: ['RESIDENT'] },
): Promise<SubgraphAlone<T>> {
  const config = testConfig({
    [databaseVariable]: uniqueName(databaseVariable.split('_')[0]!.toLowerCase()),
    QUEUE_PREFIX: uniqueQueuePrefix(),
    QUEUE_DATABASE: uniqueName('queues'), // used when QUEUE_BACKEND=postgres
    HOST: '127.0.0.1',
  });
  const cleanUp = async () => {
    await dropDatabase(config, String(config[databaseVariable]));
    await dropDatabase(config, config.QUEUE_DATABASE);
    if (config.QUEUE_BACKEND !== 'redis') return;
    const redis = new IORedis(config.REDIS_URL, { maxRetriesPerRequest: 1 });
    await deleteKeysWithPrefix(redis, config.QUEUE_PREFIX);
    redis.disconnect();
  };
  let running: T;
  try {
    running = await start(config);
  } catch (error) {
    await cleanUp();
    throw error;
  }
  return {
    config,
    running,
    ask: (query, variables = {}, claims = defaultClaims) =>
      signedSubgraphRequest(running.url, config.CLAIMS_SIGNING_SECRET, claims, query, variables),
    async stop() {
      await running.stop();
      await cleanUp();
    },
  };
}
