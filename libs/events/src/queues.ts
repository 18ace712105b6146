import { JobsOptions, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { asQueueBackend, QueueBackend } from './backend';
import { QueueName } from './routing';

/** Retention and retry defaults from BullMQ's production checklist. */
export const DEFAULT_JOB_OPTIONS: JobsOptions = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { age: 24 * 3600, count: 10_000 },
  removeOnFail: { age: 7 * 24 * 3600 },
};

/** One BullMQ `Queue` per name, created on first use and closed together. */
export class Queues {
  private readonly queues = new Map<QueueName, Queue>();
  /** Where the queues live (`QUEUE_BACKEND`), with the records kept beside them (`backend.store`). */
  readonly backend: QueueBackend;

  constructor(
    /** The producer connection (or the backend holding it), also for consumers that keep small records beside the queues. */
    connection: Redis | QueueBackend,
    readonly prefix: string,
  ) {
    this.backend = asQueueBackend(connection, prefix);
  }

  /** The Redis connection of a `redis` backend (for what only exists on Redis); fails on `postgres`. */
  get connection(): Redis {
    if (!this.backend.redis) throw new Error('this needs Redis, but QUEUE_BACKEND=postgres: use queues.backend.store');
    return this.backend.redis;
  }

  get(name: QueueName): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = this.backend.queue(name, { defaultJobOptions: DEFAULT_JOB_OPTIONS });
      queue.on('error', () => undefined); // surfaced by the failing call instead
      this.queues.set(name, queue);
    }
    return queue;
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((queue) => queue.close()));
    this.queues.clear();
  }
}
