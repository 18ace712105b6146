import { Job, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { asQueueBackend, QueueBackend, RedisQueueBackend } from './backend';
import type { DataSource, EntityManager } from 'typeorm';
import { currentRequestScope, Logger, runInRequestScope, withSpan } from '@kz/telemetry';
import type { EventType } from './catalog';
import { EventEnvelope, InvalidEvent, parseEnvelope } from './envelope';
import type { QueueName } from './routing';

/** A failure that retrying cannot fix (bad data, a rule that will never pass): the job fails at once. */
export class PermanentFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentFailure';
  }
}

export type EventHandler<T extends EventType = EventType> = (event: EventEnvelope<T>, job: Job) => Promise<void>;
export type EventHandlers = { [T in EventType]?: EventHandler<T> };

export interface EventWorkerOptions {
  queue: QueueName;
  /** A Redis worker connection, or the backend (`QUEUE_BACKEND`) to build the worker on. */
  connection: Redis | QueueBackend;
  prefix: string;
  handlers: EventHandlers;
  concurrency?: number;
  /**
   * How long a job's lock lasts without renewal, and how often stalled jobs (whose worker died) are looked for
   * (BullMQ's defaults: 30 s each). A job of a killed worker is handed to another after at most their sum.
   */
  lockDuration?: number;
  stalledInterval?: number;
  log?: Logger;
}

/**
 * A BullMQ worker for domain events: validates the envelope, calls the handler for its type and classifies
 * failures. Invalid events and events without a handler fail permanently (they stay in the failed set for
 * inspection and retry); anything else is retried with backoff.
 */
export function createEventWorker(options: EventWorkerOptions): Worker {
  const { handlers, log } = options;
  const worker = asQueueBackend(options.connection, options.prefix).worker(
    options.queue,
    async (job: Job) => {
      let event: EventEnvelope;
      try {
        event = parseEnvelope(job.data);
      } catch (error) {
        if (error instanceof InvalidEvent) throw new UnrecoverableError(error.message);
        throw error;
      }
      const handler = handlers[event.type] as EventHandler | undefined;
      if (!handler) throw new UnrecoverableError(`${options.queue} has no handler for ${event.type}`);
      // The job runs in the scope of the request that caused the event: its logs carry that request id, and so do
      // the calls it makes to subgraphs (ServiceClient) and the events those calls record.
      await runInRequestScope(event.requestId, async () => {
        const started = Date.now();
        const requestId = currentRequestScope()!.requestId;
        try {
          // With tracing on, the job is a consumer span, a child of the relay's (or the scheduler's) span it carries.
          await withSpan(
            `job ${options.queue} ${event.type}`,
            {
              kind: 'consumer',
              traceparent: event.traceparent,
              attributes: { 'messaging.system': 'bullmq', 'messaging.destination.name': options.queue, 'messaging.message.id': job.id, 'kz.event.type': event.type, 'kz.job.attempt': job.attemptsMade + 1 },
            },
            () => handler(event, job),
          );
        } catch (error) {
          if (error instanceof PermanentFailure) throw new UnrecoverableError(error.message);
          throw error;
        }
        log?.debug({ queue: options.queue, jobId: job.id, type: event.type, requestId, ms: Date.now() - started }, 'job done');
      });
    },
    {
      concurrency: options.concurrency ?? 10,
      ...(options.lockDuration ? { lockDuration: options.lockDuration } : {}),
      ...(options.stalledInterval ? { stalledInterval: options.stalledInterval } : {}),
      removeOnComplete: { age: 24 * 3600, count: 10_000 },
      removeOnFail: { age: 7 * 24 * 3600 },
    },
  );
  worker.on('failed', (job, error) => {
    const requestId = (job?.data as { requestId?: unknown } | undefined)?.requestId;
    log?.warn(
      { queue: options.queue, jobId: job?.id, type: job?.name, attempt: job?.attemptsMade, err: error.message, ...(typeof requestId === 'string' ? { requestId } : {}) },
      'job failed',
    );
  });
  worker.on('error', (error) => log?.error({ queue: options.queue, err: error.message }, 'worker error'));
  return worker;
}

/**
 * Runs `effect` at most once per (consumer, event): the processed-event row and the effect commit together, so a
 * redelivery or a second replica racing on the same event finds the row and does nothing.
 */
export async function handleOnce(
  dataSource: DataSource,
  consumer: string,
  event: Pick<EventEnvelope, 'id'>,
  effect: (manager: EntityManager) => Promise<void>,
): Promise<boolean> {
  return dataSource.transaction(async (manager) => {
    const inserted: unknown[] = await manager.query(
      'INSERT INTO processed_event (consumer, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING event_id',
      [consumer, event.id],
    );
    if (inserted.length === 0) return false;
    await effect(manager);
    return true;
  });
}

/**
 * Stops BullMQ workers that share `connection` without hanging while Redis is away. Redis there: close() waits for
 * the jobs in flight, so nothing is cut off half done, and a job not yet handed out stays queued for another replica.
 * Redis away (not ready, or no PONG within a second): a job's result cannot be written anyway and a graceful close
 * waits for ever (BullMQ's commands wait for a reconnect that may never come), so the close is forced; if Redis goes
 * away during a graceful close, it is no longer awaited. Either way a job in flight keeps its lock until it expires
 * and BullMQ's stalled-job check hands it to another replica; handlers are idempotent, so nothing is lost or applied
 * twice.
 */
export async function closeWorkers(workers: readonly Worker[], connection: Redis | QueueBackend, log?: Logger): Promise<void> {
  if (workers.length === 0) return;
  if (!isRedis(connection) && connection.kind === 'postgres') return closePostgresWorkers(workers, connection, log);
  const redis: Redis = isRedis(connection) ? connection : (connection as RedisQueueBackend).workerClient;
  if (redis.status !== 'ready' || !(await answersPing(redis, 1000))) {
    log?.warn('stopping while Redis is away: jobs in flight are left to the stalled-job check');
    await Promise.all(workers.map((worker) => worker.close(true)));
    return;
  }
  let onClose: (() => void) | undefined;
  const lost = new Promise<'lost'>((resolve) => {
    onClose = () => resolve('lost');
    redis.once('close', onClose);
  });
  const closed = Promise.all(workers.map((worker) => worker.close())).then(() => 'closed' as const);
  const outcome = await Promise.race([closed, lost]);
  redis.off('close', onClose!);
  if (outcome === 'lost') log?.warn('Redis went away while stopping: jobs in flight are left to the stalled-job check');
}

/** PING within `ms` (a worker connection would otherwise queue it until Redis comes back). */
async function answersPing(connection: Redis, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([connection.ping().then(() => true, () => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The same on the Postgres backend: graceful while the queue database answers, forced while it does not (a job in
 * flight then keeps its lock until it expires and the stalled-job check of another replica takes it over).
 */
async function closePostgresWorkers(workers: readonly Worker[], backend: QueueBackend, log?: Logger): Promise<void> {
  if (!(await backend.available(1000))) {
    log?.warn('stopping while the queue database is away: jobs in flight are left to the stalled-job check');
    await Promise.all(workers.map((worker) => worker.close(true)));
    return;
  }
  await Promise.all(workers.map((worker) => worker.close()));
}

function isRedis(connection: Redis | QueueBackend): connection is Redis {
  return !(connection instanceof RedisQueueBackend) && !('store' in connection && 'kind' in connection);
}
