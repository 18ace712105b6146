import IORedis from 'ioredis';
import { Claims, signToken } from '@kz/auth';
import type { Config } from '@kz/config';
import { dropDatabase } from '@kz/db';
import { graphql, GraphQLResult, RequestOptions } from './graphql-client';
import { testConfig } from './databases';
import { uniqueName, uniqueQueuePrefix } from './names';
import { deleteKeysWithPrefix } from './redis-server';

export interface Stoppable {
  stop(): Promise<void>;
}

export interface RunningSubgraphLike extends Stoppable {
  url: string;
}

export interface StackOptions<S extends string, T extends RunningSubgraphLike> {
  /** Starters of the subgraphs to run, by supergraph name; each gets the stack's config and port 0. */
  subgraphs: Record<S, (config: Config) => Promise<T>>;
  gateway: (config: Config, subgraphUrls: Record<string, string>) => Promise<RunningSubgraphLike>;
  /** Extra processes (workers) started after the subgraphs. */
  workers?: ((config: Config) => Promise<Stoppable>)[];
  env?: Record<string, string>;
}

export interface Stack<S extends string, T extends RunningSubgraphLike> {
  config: Config;
  gatewayUrl: string;
  subgraphs: Record<S, T>;
  token(claims: Claims, ttlSeconds?: number): Promise<string>;
  query<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, options?: RequestOptions): Promise<GraphQLResult<T>>;
  stop(): Promise<void>;
}

const DATABASE_VARIABLES: Record<string, keyof Config> = {
  org: 'ORG_DATABASE',
  volunteers: 'VOLUNTEERS_DATABASE',
  orders: 'ORDERS_DATABASE',
  points: 'POINTS_DATABASE',
  notifications: 'NOTIFICATIONS_DATABASE',
  analytics: 'ANALYTICS_DATABASE', // the analytics subgraph's, shared with an analytics worker a test starts
  gateway: 'GATEWAY_DATABASE', // the trusted-documents registry
  media: 'MEDIA_DATABASE', // the gateway's photo store
  queues: 'QUEUE_DATABASE', // the queues and shared records when QUEUE_BACKEND=postgres (never created on Redis)
};

/**
 * Starts the gateway and the given subgraphs in this process on free ports, each subgraph on a database of its
 * own made for this run, with a queue prefix of its own (with `QUEUE_BACKEND: 'postgres'` in `env`, a queue database
 * of its own instead). `stop()` stops everything and drops what it created.
 */
export async function startStack<S extends string, T extends RunningSubgraphLike>(
  options: StackOptions<S, T>,
): Promise<Stack<S, T>> {
  const env: Record<string, string> = {
    ORG_PORT: '0',
    VOLUNTEERS_PORT: '0',
    ORDERS_PORT: '0',
    POINTS_PORT: '0',
    NOTIFICATIONS_PORT: '0',
    ANALYTICS_PORT: '0',
    ANALYTICS_WORKER_PORT: '0',
    GATEWAY_PORT: '0',
    DISPATCH_WORKER_PORT: '0',
    NOTIFICATION_WORKER_PORT: '0',
    HOST: '127.0.0.1',
    QUEUE_PREFIX: uniqueQueuePrefix(),
    OUTBOX_POLL_MS: '50',
    ...options.env,
  };
  for (const variable of Object.values(DATABASE_VARIABLES)) env[variable] = uniqueName(variable.split('_')[0]!.toLowerCase());
  const config = testConfig(env);
  const started: Stoppable[] = [];
  const stopAll = async () => {
    for (const service of started.reverse()) await service.stop();
    await Promise.all(Object.values(DATABASE_VARIABLES).map((variable) => dropDatabase(config, String(config[variable]))));
    if (config.QUEUE_BACKEND === 'redis') {
      const redis = new IORedis(config.REDIS_URL, { maxRetriesPerRequest: 1 });
      await deleteKeysWithPrefix(redis, config.QUEUE_PREFIX);
      redis.disconnect();
    }
  };
  try {
    const subgraphs = {} as Record<S, T>;
    for (const [name, start] of Object.entries(options.subgraphs) as [S, (config: Config) => Promise<T>][]) {
      subgraphs[name] = await start(config);
      started.push(subgraphs[name]);
    }
    for (const startWorker of options.workers ?? []) started.push(await startWorker(config));
    const urls = Object.fromEntries(Object.entries(subgraphs).map(([name, running]) => [name, (running as T).url]));
    const gateway = await options.gateway(config, urls);
    started.push(gateway);
    return {
      config,
      gatewayUrl: gateway.url,
      subgraphs,
      token: (claims, ttl) => signToken(config, claims, ttl),
      query: (query, variables, requestOptions) => graphql(gateway.url, query, variables, requestOptions),
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
