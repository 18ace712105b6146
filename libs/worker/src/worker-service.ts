import type { Queue, Worker } from 'bullmq';
import type { Registry } from 'prom-client';
import type { Config } from '@kz/config';
import { assertRedisReachable, createEventWorker, createRedis, EventHandlers, QueueName, Queues } from '@kz/events';
import { createHttpApp, HealthReport } from '@kz/http';
import { createLogger, createMetrics, Logger } from '@kz/telemetry';
import { createJobMetrics, instrumentWorker, registerQueueGauges } from './queue-metrics';

/** One queue this service consumes, with the handler of each event type it understands. */
export interface WorkerQueue {
  queue: QueueName;
  /** The handlers, or a function that builds them with the service's producer queues (for handlers that enqueue). */
  handlers: EventHandlers | ((queues: Queues) => EventHandlers);
  /** Jobs of this queue processed at once by this process (default: `createEventWorker`'s). */
  concurrency?: number;
  /** Job lock and stalled-job check, in ms (default: `WORKER_LOCK_SECONDS`; tests of killed workers shorten them). */
  lockDuration?: number;
  stalledInterval?: number;
}

export interface WorkerServiceOptions {
  /** Service name in logs, metrics and `/health`: `dispatch-worker`, `notification-worker`… */
  name: string;
  config: Config;
  queues: WorkerQueue[];
  /** Port of `/health` and `/metrics` (0 picks a free one). */
  port: number;
  log?: Logger;
  /** More health checks (e.g. the worker's database): each `ok`, or what is wrong. */
  checks?: () => Promise<Record<string, string>>;
  /** Adds the service's own metrics (e.g. dead letters read from its database) to its `/metrics`. */
  registerMetrics?: (registry: Registry, log: Logger) => void;
  /** Runs once the workers have stopped and before the connections close (e.g. closing a database pool). */
  onStopped?: () => Promise<void>;
}

export interface RunningWorkerService {
  name: string;
  /** Base URL of the ops endpoints (`${url}/health`, `${url}/metrics`). */
  url: string;
  log: Logger;
  workers: Worker[];
  /** Stops taking jobs, lets the jobs in flight finish, then closes every connection. Safe to call twice. */
  stop(): Promise<void>;
}

const PING_TIMEOUT_MS = 2000;

/**
 * Boots a queue worker process: one BullMQ worker per queue, queue gauges and job metrics, and an HTTP server with
 * only `/health` and `/metrics`. A Redis that is away at boot stops the start with a message saying so; once
 * running, the workers wait for Redis to come back and `/health` reports it meanwhile.
 */
export async function startWorkerService(options: WorkerServiceOptions): Promise<RunningWorkerService> {
  const { name, config } = options;
  const log = options.log ?? createLogger(name, config.LOG_LEVEL);
  await assertRedisReachable(config.REDIS_URL);

  const metrics = createMetrics(name);
  const jobMetrics = createJobMetrics(metrics.registry);
  // Workers wait for Redis forever (`maxRetriesPerRequest: null`, as BullMQ requires); the gauges and the health
  // check use a producer connection that fails fast, so a scrape or a probe never hangs while Redis is away.
  // Once stopping, a lost connection is not retried, so commands waiting for Redis fail instead of holding
  // `worker.close()` forever (see `stop`).
  let stopRequested = false;
  const retryStrategy = (attempt: number) => (stopRequested ? null : Math.min(attempt * 200, 2000));
  const connection = createRedis(config.REDIS_URL, 'worker', { retryStrategy });
  const producer = createRedis(config.REDIS_URL, 'producer', { retryStrategy });
  const queues = new Queues(producer, config.QUEUE_PREFIX);

  const workers = options.queues.map(({ queue, handlers, ...tuning }) => {
    const resolved = typeof handlers === 'function' ? handlers(queues) : handlers;
    const lock = config.WORKER_LOCK_SECONDS * 1000;
    const worker = createEventWorker({
      queue,
      connection,
      prefix: config.QUEUE_PREFIX,
      handlers: resolved,
      lockDuration: lock,
      stalledInterval: lock,
      ...tuning,
      log,
    });
    instrumentWorker(worker, queue, jobMetrics);
    return { queue, worker };
  });
  registerQueueGauges(metrics.registry, new Map<QueueName, Queue>(workers.map(({ queue }) => [queue, queues.get(queue)])), log);
  options.registerMetrics?.(metrics.registry, log);

  const http = createHttpApp({
    name,
    log,
    metrics,
    maxBodyBytes: config.MAX_BODY_BYTES,
    health: async (): Promise<HealthReport> => {
      const checks: Record<string, string> = { redis: await pingRedis(), ...(await options.checks?.()) };
      for (const { queue, worker } of workers) checks[`worker:${queue}`] = worker.isRunning() ? 'ok' : 'not running';
      return { status: Object.values(checks).every((check) => check === 'ok') ? 'ok' : 'down', checks };
    },
  });

  async function pingRedis(): Promise<string> {
    if (producer.status !== 'ready') return `no connection (${producer.status})`;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${PING_TIMEOUT_MS} ms`)), PING_TIMEOUT_MS);
    });
    try {
      await Promise.race([producer.ping(), timeout]);
      return 'ok';
    } catch (error) {
      return `PING failed: ${(error as Error).message}`;
    } finally {
      clearTimeout(timer);
    }
  }

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      stopRequested = true;
      await http.close();
      // close() without `force` waits for the jobs in flight: nothing is cut off half done, and a job BullMQ has
      // not handed out stays in the queue for another replica. While Redis is away a job's result cannot be written
      // anyway and a graceful close may wait for ever (ioredis never ends a connection disconnected between two
      // reconnect attempts), so the close is forced, or no longer awaited once Redis goes away during it. Each job
      // in flight then keeps its lock until it expires and BullMQ's stalled-job check hands it to another replica;
      // handlers are idempotent, so nothing is lost or applied twice.
      const redisAway = connection.status !== 'ready' || (await pingRedis()) !== 'ok';
      if (redisAway) {
        log.warn('stopping while Redis is away: jobs in flight are left to the stalled-job check');
        await Promise.all(workers.map(({ worker }) => worker.close(true)));
      } else {
        const closed = Promise.all(workers.map(({ worker }) => worker.close())).then(() => 'closed' as const);
        const lost = new Promise<'lost'>((resolve) => connection.once('end', () => resolve('lost')));
        if ((await Promise.race([closed, lost])) === 'lost') {
          log.warn('Redis went away while stopping: jobs in flight are left to the stalled-job check');
        }
      }
      await options.onStopped?.();
      await queues.close();
      // (disconnecting a connection that already ended would leave ioredis' 2 s destroy timer behind)
      for (const client of [connection, producer]) if (client.status !== 'end') client.disconnect();
      log.info(`${name} stopped`);
    })();
    return stopping;
  };

  let url: string;
  try {
    await Promise.all(workers.map(({ worker }) => worker.waitUntilReady()));
    url = await http.listen(options.port, config.HOST);
  } catch (error) {
    await stop();
    throw error;
  }
  log.info({ url, queues: workers.map(({ queue }) => queue) }, `${name} ready`);
  return { name, url, log, workers: workers.map(({ worker }) => worker), stop };
}
