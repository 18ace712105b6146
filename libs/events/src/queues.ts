import { JobsOptions, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
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

  constructor(
    /** The producer connection, also for consumers that keep small records beside the queues (same prefix). */
    readonly connection: Redis,
    readonly prefix: string,
  ) {}

  get(name: QueueName): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection: this.connection, prefix: this.prefix, defaultJobOptions: DEFAULT_JOB_OPTIONS });
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
