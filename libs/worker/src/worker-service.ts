import type { Queue, Worker } from 'bullmq';
import type { Registry } from 'prom-client';
import type { Config } from '@kz/config';
import { closeWorkers, createEventWorker, EventHandlers, openQueueBackend, QueueName, Queues, ReconcileLoop, ReconcileTask } from '@kz/events';
import { createHttpApp, HealthReport } from '@kz/http';
import { createLogger, createMetrics, createReconcileMetrics, Logger, startTracing } from '@kz/telemetry';
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
  /** Service name in logs, metrics, `/health` and `/ready`: `dispatch-worker`, `notification-worker`… */
  name: string;
  config: Config;
  queues: WorkerQueue[];
  /** Port of `/health`, `/ready` and `/metrics` (0 picks a free one). */
  port: number;
  log?: Logger;
  /** More readiness checks (e.g. the worker's database), in `/ready`: each `ok`, or what is wrong. */
  checks?: () => Promise<Record<string, string>>;
  /** Adds the service's own metrics (e.g. dead letters read from its database) to its `/metrics`. */
  registerMetrics?: (registry: Registry, log: Logger) => void;
  /**
   * What this service rebuilds from Postgres when Redis lost it (its timers' delayed jobs): run at start, every
   * TIMER_RECONCILE_SECONDS, after a reconnect and as soon as Redis is found empty (see ReconcileLoop).
   */
  reconcile?: (queues: Queues) => ReconcileTask[];
  /** Runs once the workers have stopped and before the connections close (e.g. closing a database pool). */
  onStopped?: () => Promise<void>;
}

export interface RunningWorkerService {
  name: string;
  /** Base URL of the ops endpoints (`${url}/health`, `${url}/metrics`). */
  url: string;
  log: Logger;
  workers: Worker[];
  /** The reconciliation of the service's timers, when it has any (tests trigger it and wait for it). */
  reconciler?: ReconcileLoop;
  /** Stops taking jobs, lets the jobs in flight finish, then closes every connection. Safe to call twice. */
  stop(): Promise<void>;
}

const PING_TIMEOUT_MS = 2000;

/**
 * Boots a queue worker process: one BullMQ worker per queue, queue gauges and job metrics, and an HTTP server with
 * only `/health`, `/ready` and `/metrics`. A Redis that is away at boot stops the start with a message saying so;
 * once running, the workers wait for Redis to come back and `/ready` reports it meanwhile.
 */
export async function startWorkerService(options: WorkerServiceOptions): Promise<RunningWorkerService> {
  const { name, config } = options;
  const log = options.log ?? createLogger(name, config.LOG_LEVEL);
  const tracing = startTracing(config, name, { log }); // off unless OTEL_EXPORTER_OTLP_ENDPOINT (docs/operations.md, "Traces")

  const metrics = createMetrics(name);
  const jobMetrics = createJobMetrics(metrics.registry);
  // Workers wait for Redis forever (`maxRetriesPerRequest: null`, as BullMQ requires); the gauges and the health
  // check use a producer connection that fails fast, so a scrape or a probe never hangs while Redis is away.
  // Once stopping, a lost connection is not retried, so commands waiting for Redis fail instead of holding
  // `worker.close()` forever (see `stop`).
  let stopRequested = false;
  const retryStrategy = (attempt: number) => (stopRequested ? null : Math.min(attempt * 200, 2000));
  // (QUEUE_BACKEND=postgres: one pool on the queue database serves both; see @kz/events' backend.ts)
  const backend = await openQueueBackend(config, { role: 'producer', retryStrategy, assertReachable: true, log });
  const queues = new Queues(backend, config.QUEUE_PREFIX);

  const workers = options.queues.map(({ queue, handlers, ...tuning }) => {
    const resolved = typeof handlers === 'function' ? handlers(queues) : handlers;
    const lock = config.WORKER_LOCK_SECONDS * 1000;
    const worker = createEventWorker({
      queue,
      connection: backend,
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
  const tasks = options.reconcile?.(queues) ?? [];
  const reconciler =
    tasks.length > 0
      ? new ReconcileLoop({
          tasks,
          connection: backend.redis,
          prefix: config.QUEUE_PREFIX,
          intervalMs: config.TIMER_RECONCILE_SECONDS * 1000,
          lossCheckMs: backend.redis ? config.REDIS_LOSS_CHECK_SECONDS * 1000 : 0,
          metrics: createReconcileMetrics(metrics.registry),
          log,
        })
      : undefined;
  registerQueueGauges(metrics.registry, new Map<QueueName, Queue>(workers.map(({ queue }) => [queue, queues.get(queue)])), log);
  options.registerMetrics?.(metrics.registry, log);

  const workerChecks = () => Object.fromEntries(workers.map(({ queue, worker }) => [`worker:${queue}`, worker.isRunning() ? 'ok' : 'not running']));
  const report = (checks: Record<string, string>): HealthReport => ({
    status: Object.values(checks).every((check) => check === 'ok') ? 'ok' : 'down',
    checks,
  });
  const http = createHttpApp({
    name,
    log,
    metrics,
    maxBodyBytes: config.MAX_BODY_BYTES,
    // Liveness: every worker loop runs (one that stopped needs a restart); readiness: Redis (or the queue
    // database) and the app's own checks (its database) answer too.
    live: async (): Promise<HealthReport> => report(workerChecks()),
    ready: async (): Promise<HealthReport> =>
      report({ [backend.kind === 'redis' ? 'redis' : 'queues']: await backend.check(PING_TIMEOUT_MS), ...(await options.checks?.()), ...workerChecks() }),
  });

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      stopRequested = true;
      await http.close();
      await reconciler?.stop();
      // Graceful while Redis answers, forced while it is away (see closeWorkers): nothing is lost either way.
      await closeWorkers(workers.map(({ worker }) => worker), backend, log);
      await options.onStopped?.();
      await queues.close();
      await backend.close();
      await tracing.stop();
      log.info(`${name} stopped`);
    })();
    return stopping;
  };

  let url: string;
  try {
    await Promise.all(workers.map(({ worker }) => worker.waitUntilReady()));
    url = await http.listen(options.port, config.HOST);
    await reconciler?.start();
  } catch (error) {
    await stop();
    throw error;
  }
  log.info({ url, queues: workers.map(({ queue }) => queue) }, `${name} ready`);
  return { name, url, log, workers: workers.map(({ worker }) => worker), ...(reconciler ? { reconciler } : {}), stop };
}
