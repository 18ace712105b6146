import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Config } from '@kz/config';
import { dropDatabase } from '@kz/db';
import { catalog, createRedis, EventActor, EventEnvelope, EventPayload, EventType, Queues } from '@kz/events';
import { deleteKeysWithPrefix, eventuallyValue, testConfig, uniqueName, uniqueQueuePrefix, WebhookServer } from '@kz/testing';
import { NotificationWorkerOptions, RunningNotificationWorker, startNotificationWorker } from '../app';
import { FakeDirectory } from './fake-directory';
import { seedWorld } from './world';

export interface NotificationRow {
  id: string;
  recipient: string;
  kind: string;
  audience: string;
  title: string;
  body: string;
  link: string | null;
  urgent: boolean;
  params: Record<string, string | number>;
}

export interface DeliveryRow {
  id: string;
  recipient: string;
  channel: string;
  status: string;
  attempts: number;
  revision: number;
  address: string | null;
  next_attempt_at: Date;
  last_error: string | null;
}

/**
 * Notification worker replicas on a database and queue prefix of their own, reading recipients from a fake directory
 * (real HTTP, signed calls) and sending to a real local webhook server. Quiet hours are off unless a test turns them on.
 */
export class Harness {
  readonly workers: RunningNotificationWorker[] = [];

  private constructor(
    readonly config: Config,
    readonly fake: FakeDirectory,
    readonly webhook: WebhookServer,
    readonly redis: Redis,
    readonly queues: Queues,
    private readonly defaults: NotificationWorkerOptions,
  ) {}

  static async start(env: Record<string, string> = {}, defaults: NotificationWorkerOptions = {}): Promise<Harness> {
    const prefix = uniqueQueuePrefix();
    const secret = testConfig().CLAIMS_SIGNING_SECRET;
    const fake = await FakeDirectory.start(secret);
    seedWorld(fake);
    const webhook = await WebhookServer.start();
    const config = testConfig({
      QUEUE_PREFIX: prefix,
      HOST: '127.0.0.1',
      NOTIFICATIONS_DATABASE: uniqueName('notifications'),
      VOLUNTEERS_SUBGRAPH_URL: fake.url,
      ORDERS_SUBGRAPH_URL: fake.url,
      POINTS_SUBGRAPH_URL: fake.url,
      NOTIFICATION_WEBHOOK_URL: webhook.url,
      NOTIFICATION_WEBHOOK_TIMEOUT_MS: '2000',
      QUIET_HOURS: 'off',
      ...env,
    });
    const redis = createRedis(config.REDIS_URL, 'producer');
    return new Harness(config, fake, webhook, redis, new Queues(redis, prefix), { retry: { baseMs: 50, capMs: 1000 }, ...defaults });
  }

  /** One more replica on the same database and prefix. */
  async replica(options: NotificationWorkerOptions = {}): Promise<RunningNotificationWorker> {
    const worker = await startNotificationWorker(this.config, { port: 0, ...this.defaults, ...options });
    this.workers.push(worker);
    return worker;
  }

  get db() {
    return this.workers[0]!.dataSource;
  }

  /** Puts an event on the `notifications` queue as the relay does; another `jobId` plays a redelivery of it. */
  async publish(event: EventEnvelope, jobId = event.id): Promise<void> {
    await this.queues.get('notifications').add(event.type, event, { jobId });
  }

  /** Waits until the job finished, and returns its state (`completed` or `failed`). */
  settled(jobId: string, ms = 15_000): Promise<string> {
    return eventuallyValue(async () => {
      const state = await this.queues.get('notifications').getJobState(jobId);
      return state === 'completed' || state === 'failed' ? state : undefined;
    }, ms);
  }

  async notificationsOf(eventId: string): Promise<NotificationRow[]> {
    return this.db.query(
      `SELECT id::text, recipient_person_id::text AS recipient, kind, audience, title, body, link, urgent, params
         FROM notification WHERE event_id = $1 ORDER BY recipient_person_id`,
      [eventId],
    );
  }

  async deliveriesOf(eventId: string): Promise<DeliveryRow[]> {
    return this.db.query(
      `SELECT d.id::text, n.recipient_person_id::text AS recipient, d.channel, d.status, d.attempts, d.revision, d.address,
              d.next_attempt_at, d.last_error
         FROM delivery d JOIN notification n ON n.id = d.notification_id WHERE n.event_id = $1 ORDER BY n.recipient_person_id, d.channel`,
      [eventId],
    );
  }

  /** Waits until a delivery reaches `status`, and returns it. */
  deliveryIn(deliveryId: string, status: string, ms = 15_000): Promise<DeliveryRow> {
    return eventuallyValue(async () => {
      const [row] = await this.db.query(
        `SELECT id::text, channel, status, attempts, revision, address, next_attempt_at, last_error FROM delivery WHERE id = $1`,
        [deliveryId],
      );
      return row?.status === status ? (row as DeliveryRow) : undefined;
    }, ms);
  }

  async stop(): Promise<void> {
    for (const worker of this.workers) await worker.stop();
    await this.fake.stop();
    await this.webhook.stop();
    await this.queues.close();
    await deleteKeysWithPrefix(this.redis, this.config.QUEUE_PREFIX);
    this.redis.disconnect();
    await dropDatabase(this.config, this.config.NOTIFICATIONS_DATABASE);
  }
}

/** An event as its producer would publish it, under a fresh id. */
export function anEvent<T extends EventType>(
  type: T,
  payload: EventPayload<T>,
  options: { actor?: EventActor; unitPath?: string | null; occurredAt?: Date } = {},
): EventEnvelope<T> {
  return {
    id: randomUUID(),
    type,
    version: catalog[type].version,
    occurredAt: (options.occurredAt ?? new Date()).toISOString(),
    actor: options.actor ?? { system: 'test' },
    unitPath: options.unitPath === undefined ? '1/7/123' : options.unitPath,
    payload,
  };
}
