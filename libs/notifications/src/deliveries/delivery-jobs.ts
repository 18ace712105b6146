import type { JobsOptions } from 'bullmq';
import { catalog, derivedEventId, EventEnvelope } from '@kz/events';

/** The job id of a delivery's job for one schedule (revision): adding the same schedule twice is one job. */
export function deliveryJobId(deliveryId: string, revision: number): string {
  return `delivery-${deliveryId}-${revision}`;
}

/** The envelope a delivery job carries: a `notification.delivery.due` event whose id is derived like the job id. */
export function deliveryEnvelope(deliveryId: string, revision: number, dueAt: Date, occurredAt: Date): EventEnvelope<'notification.delivery.due'> {
  return {
    id: derivedEventId(`notification.delivery.due:${deliveryId}:${revision}`),
    type: 'notification.delivery.due',
    version: catalog['notification.delivery.due'].version,
    occurredAt: occurredAt.toISOString(),
    actor: { system: 'notification-worker' },
    unitPath: null,
    payload: { deliveryId, revision, dueAt: dueAt.toISOString() },
  };
}

/**
 * A delivery job's own retries cover only the worker's infrastructure (Postgres or Redis away): sends that fail are
 * rescheduled by the worker as a new revision, with the delivery's backoff. 15 attempts from 1 s span hours.
 */
export const DELIVERY_JOB_OPTIONS: JobsOptions = { attempts: 15, backoff: { type: 'exponential', delay: 1000 } };
