import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Config } from '@kz/config';
import { catalog, createRedis, EventEnvelope, EventPayload, EventType, Queues } from '@kz/events';
import { deleteKeysWithPrefix, eventuallyValue, testConfig, uniqueQueuePrefix } from '@kz/testing';
import type { RunningWorkerService } from '@kz/worker';
import { DispatchWorkerOptions, startDispatchWorker } from '../app';
import { Timers } from '../timers';
import { FakeSubgraphs } from './fake-subgraphs';

/**
 * A dispatch worker (or several replicas) on a queue prefix of its own in the real Redis, calling fake orders and org
 * subgraphs served over real HTTP. `stop()` stops everything and deletes the prefix's keys.
 */
export class Harness {
  readonly workers: RunningWorkerService[] = [];
  readonly timers: Timers;

  private constructor(
    readonly config: Config,
    readonly fake: FakeSubgraphs,
    readonly redis: Redis,
    readonly queues: Queues,
  ) {
    this.timers = new Timers(queues);
  }

  static async start(env: Record<string, string> = {}): Promise<Harness> {
    const prefix = uniqueQueuePrefix();
    const secret = testConfig().CLAIMS_SIGNING_SECRET;
    const fake = await FakeSubgraphs.start(secret);
    const config = testConfig({
      QUEUE_PREFIX: prefix,
      HOST: '127.0.0.1',
      ORDERS_SUBGRAPH_URL: fake.url,
      ORG_SUBGRAPH_URL: fake.url,
      POINTS_SUBGRAPH_URL: fake.url,
      ORDER_TIMER_SCALE: '0.001',
      ...env,
    });
    const redis = createRedis(config.REDIS_URL, 'producer');
    return new Harness(config, fake, redis, new Queues(redis, prefix));
  }

  /** Starts one more replica of the worker on the same prefix. */
  async replica(options: DispatchWorkerOptions = {}): Promise<RunningWorkerService> {
    const worker = await startDispatchWorker(this.config, { port: 0, ...options });
    this.workers.push(worker);
    // Its start reconciliation (reading the fakes' timers) is over before a test acts.
    await worker.reconciler?.idle();
    return worker;
  }

  /** Puts an event on the `dispatch` queue the way the outbox relay does (job id = event id). */
  async publish(event: EventEnvelope): Promise<void> {
    await this.queues.get('dispatch').add(event.type, event, { jobId: event.id });
  }

  /** Waits until the job of `event` completed (or failed), and returns its final state. */
  async settled(event: EventEnvelope, ms = 10_000): Promise<string> {
    return eventuallyValue(async () => {
      const state = await this.queues.get('dispatch').getJobState(event.id);
      return state === 'completed' || state === 'failed' ? state : undefined;
    }, ms);
  }

  async jobState(jobId: string): Promise<string> {
    return this.queues.get('dispatch').getJobState(jobId);
  }

  async stop(): Promise<void> {
    for (const worker of this.workers) await worker.stop();
    await this.fake.stop();
    await this.queues.close();
    await deleteKeysWithPrefix(this.redis, this.config.QUEUE_PREFIX);
    this.redis.disconnect();
  }
}

export { eventuallyValue as eventually };

/** Waits `ms` to show that something does NOT happen in that time (the only sleeps: absence has no event to await). */
export const quietFor = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let serial = 0;

/** A fresh id for an order or a plan (each harness has its own prefix and fake, so ids only differ within a file). */
export function nextId(): string {
  serial += 1;
  return String(1000 + serial);
}

/** An event envelope as the orders service would publish it, under a fresh event id (each copy a redelivery). */
export function anEvent<T extends EventType>(type: T, payload: EventPayload<T>, occurredAt = new Date()): EventEnvelope<T> {
  return {
    id: randomUUID(),
    type,
    version: catalog[type].version,
    occurredAt: occurredAt.toISOString(),
    actor: { personId: '7001', roles: ['STATION_ADMIN'] },
    unitPath: '1/2/3',
    payload,
  };
}

export const iso = (epochMs: number) => new Date(epochMs).toISOString();
