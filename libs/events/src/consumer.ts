import { Job, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { DataSource, EntityManager } from 'typeorm';
import { currentRequestScope, Logger, runInRequestScope } from '@kz/telemetry';
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
  connection: Redis;
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
  const worker = new Worker(
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
          await handler(event, job);
        } catch (error) {
          if (error instanceof PermanentFailure) throw new UnrecoverableError(error.message);
          throw error;
        }
        log?.debug({ queue: options.queue, jobId: job.id, type: event.type, requestId, ms: Date.now() - started }, 'job done');
      });
    },
    {
      connection: options.connection,
      prefix: options.prefix,
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
