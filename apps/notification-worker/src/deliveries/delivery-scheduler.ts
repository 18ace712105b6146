import type { Queues } from '@kz/events';
import { currentTraceparent } from '@kz/telemetry';
import { DELIVERY_JOB_OPTIONS, deliveryEnvelope, deliveryJobId } from '@kz/notifications';

/** What scheduling needs of a delivery row. */
export interface ScheduledDelivery {
  id: string;
  revision: number;
  nextAttemptAt: Date;
}

/**
 * Delivery jobs: delayed jobs on the `notifications` queue whose data is a `notification.delivery.due` envelope, one
 * per delivery and revision (job id and envelope id derived from both), due at `next_attempt_at`. The database decides;
 * a job only wakes the worker. Adding the same revision twice (a retried event, two replicas) is one job, and a job of
 * an older revision does nothing but make sure the current one exists.
 */
export class DeliveryScheduler {
  constructor(
    private readonly queues: Queues,
    private readonly now: () => number,
  ) {}

  async ensure(delivery: ScheduledDelivery): Promise<void> {
    const job = this.job(delivery);
    await this.queues.get('notifications').add(job.name, job.data, job.opts);
  }

  /** The jobs of several deliveries in one round trip (an event's recipients). */
  async ensureAll(deliveries: ScheduledDelivery[]): Promise<void> {
    if (deliveries.length === 1) return this.ensure(deliveries[0]!);
    if (deliveries.length > 0) await this.queues.get('notifications').addBulk(deliveries.map((delivery) => this.job(delivery)));
  }

  private job(delivery: ScheduledDelivery) {
    const delay = Math.max(0, delivery.nextAttemptAt.getTime() - this.now());
    const envelope = deliveryEnvelope(delivery.id, delivery.revision, delivery.nextAttemptAt, new Date(this.now()));
    // With tracing on, the delivery job continues the trace of the event (or the earlier attempt) that scheduled it.
    const traceparent = currentTraceparent();
    if (traceparent) envelope.traceparent = traceparent;
    return { name: envelope.type, data: envelope, opts: { ...DELIVERY_JOB_OPTIONS, jobId: deliveryJobId(delivery.id, delivery.revision), delay } };
  }
}
