import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { signClaims } from '@kz/auth';
import { Config, loadConfig } from '@kz/config';
import { dropDatabase } from '@kz/db';
import { createRedis, openQueueBackend, QueueBackend, Queues } from '@kz/events';
import { deleteKeysWithPrefix, freePort } from '@kz/testing';
import { WORKSPACE } from '../compose/compose';
import { waitHealthy } from '../launcher/launcher';
import { drain, launchReplica } from './dispatch.bench';
import { withCpu } from './cpu';
import { alternate, Comparison, graphqlCheck, LoadResult, median } from './load';
import type { BenchOptions } from './unit-tree.bench';

const PLACE = `mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id code status } }`;
const FIRST_RESIDENT = 930_000_000;
const RESIDENTS = 500;

/** An orders subgraph process of its own on a fresh database, with the queue backend `env` names. */
async function launchOrders(env: NodeJS.ProcessEnv): Promise<{ url: string; stop(): Promise<void> }> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', join('apps', 'orders-subgraph', 'src', 'main.ts')], {
    cwd: WORKSPACE,
    env: { ...env, ORDERS_PORT: String(port) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = once(child, 'exit');
  const alive = () => child.exitCode === null && child.signalCode === null;
  await waitHealthy(port, alive);
  return {
    url: `http://127.0.0.1:${port}`,
    async stop() {
      if (alive()) child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * The two queue backends side by side, same run, alternating rounds: the dispatch worker's jobs per second with its
 * queue on Redis and on the Postgres queue database (QUEUE_BACKEND=postgres), and 点单 (placeOrder straight to an orders
 * subgraph, whose outbox relay publishes each order's events to the queues meanwhile) with the subgraph on each backend,
 * each on a fresh orders database of its own.
 */
export async function queueBackendBenchmarks(config: Config, env: NodeJS.ProcessEnv, options: BenchOptions): Promise<Comparison[]> {
  const count = Math.min(9000, Math.max(1000, options.seconds * 1000));
  const prefix = `{kz-bench-qb-${process.pid}}`;
  const queueDatabase = `bench_queues_${process.pid}`;
  const ordersDatabases = { redis: `bench_orders_redis_${process.pid}`, postgres: `bench_orders_pg_${process.pid}` };
  const redisEnv = { ...env, QUEUE_BACKEND: 'redis', QUEUE_PREFIX: prefix };
  const postgresEnv = { ...env, QUEUE_BACKEND: 'postgres', QUEUE_DATABASE: queueDatabase, QUEUE_PREFIX: prefix };
  const redis = createRedis(config.REDIS_URL, 'worker');
  let postgres: QueueBackend | undefined;
  const queues: Queues[] = [];
  const comparisons: Comparison[] = [];
  try {
    postgres = await openQueueBackend(loadConfig(postgresEnv), { role: 'worker' });
    const onRedis = new Queues(redis, prefix);
    const onPostgres = new Queues(postgres, prefix);
    queues.push(onRedis, onPostgres);

    const replicas = [await launchReplica('dispatch-worker', { ...redisEnv, AUTO_DISPATCH: 'true' }), await launchReplica('dispatch-worker', { ...postgresEnv, AUTO_DISPATCH: 'true' })];
    try {
      await drain('warm-up', onRedis.get('dispatch'), 500);
      await drain('warm-up', onPostgres.get('dispatch'), 500);
      const runs: Record<'redis' | 'postgres', LoadResult[]> = { redis: [], postgres: [] };
      for (let round = 0; round < options.rounds; round += 1) {
        runs.redis.push(await withCpu(() => drain('dispatch-worker on Redis', onRedis.get('dispatch'), count)));
        runs.postgres.push(await withCpu(() => drain('dispatch-worker on Postgres', onPostgres.get('dispatch'), count)));
      }
      comparisons.push({
        title: 'queue backends: dispatch worker jobs per second',
        note:
          `Batches of ${count} \`order.submitted\` events without a location released at once to 1 dispatch-worker process ` +
          `(concurrency 10) with its queue on BullMQ's PostgreSQL backend (QUEUE_BACKEND=postgres, its own queue database on the ` +
          `platform's Postgres), against the same worker on Redis, same run, alternating rounds. req/s = jobs per second from release ` +
          `to the last finished; latencies = each job's processing time (ms). Median Postgres / Redis: ` +
          `${(median(runs.postgres).rps / median(runs.redis).rps).toFixed(2)}×.`,
        results: [
          { label: 'dispatch-worker ×1, QUEUE_BACKEND=postgres', runs: runs.postgres },
          { label: 'dispatch-worker ×1, QUEUE_BACKEND=redis', runs: runs.redis },
        ],
      });
    } finally {
      for (const replica of replicas) await replica.stop();
    }

    const orders = {
      redis: await launchOrders({ ...redisEnv, ORDERS_DATABASE: ordersDatabases.redis }),
      postgres: await launchOrders({ ...postgresEnv, ORDERS_DATABASE: ordersDatabases.postgres }),
    };
    try {
      const variables = { input: { title: '健身器材损坏', description: 'bench: 腾龙广场小区的健身器材松动', category: 'SAFETY_FACILITIES', channel: 'APP' } };
      const body = JSON.stringify({ query: PLACE, variables });
      let next = 0;
      const direct = (base: string) =>
        graphqlCheck(() => {
          next += 1;
          const claims = { sub: String(FIRST_RESIDENT + (next % RESIDENTS)), roles: ['RESIDENT' as const] };
          return fetch(`${base}/graphql`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...signClaims(config.CLAIMS_SIGNING_SECRET, claims, { query: PLACE, variables }) },
            body,
          });
        });
      const results = await alternate(
        [
          { label: 'orders subgraph, QUEUE_BACKEND=postgres', check: direct(orders.postgres.url) },
          { label: 'orders subgraph, QUEUE_BACKEND=redis', check: direct(orders.redis.url) },
        ],
        options,
      );
      const [pg, rd] = results.map((result) => median(result.runs));
      comparisons.push({
        title: 'queue backends: placeOrder per second',
        note:
          `Residents (${RESIDENTS}) place orders without a location straight to an orders subgraph (signed as the gateway signs) whose ` +
          `outbox relay publishes each order's events meanwhile, to BullMQ on the Postgres queue database (QUEUE_BACKEND=postgres) ` +
          `against Redis; each subgraph on a fresh orders database of its own, same run, alternating rounds. Median Postgres / Redis: ` +
          `${(pg!.rps / rd!.rps).toFixed(2)}×.`,
        results,
      });
    } finally {
      await orders.redis.stop();
      await orders.postgres.stop();
    }
    return comparisons;
  } finally {
    for (const queue of queues) await queue.close();
    await postgres?.close();
    await deleteKeysWithPrefix(redis, prefix);
    redis.disconnect();
    for (const database of [queueDatabase, ordersDatabases.redis, ordersDatabases.postgres]) await dropDatabase(config, database);
  }
}
