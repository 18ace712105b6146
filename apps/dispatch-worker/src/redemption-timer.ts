import { catalog, derivedEventId, EventEnvelope, EventHandlers, Queues, routesFor } from '@kz/events';

/**
 * The expiry timer of redemptions. A reservation (`points.redemption.reserved`) becomes a delayed job on the
 * `dispatch` queue whose data is itself an event envelope, `points.redemption.expiryDue`, due at the reservation's
 * `expiresAt`. When it comes due this worker handles it like any event: it forwards the same envelope (same id) to
 * the queues that event is routed to, where the points service voids the reservation if it is still reserved.
 *
 * Every step is safe to repeat: the timer's job id is derived from the redemption, so a redelivered reservation adds
 * nothing; the envelope id is derived from it too, so a forward sent twice is one job, and the points service records
 * the event id with its effect. Removing the timer when a redemption is fulfilled or cancelled only saves work.
 */

export const EXPIRY_JOB_NAME = 'redemption.expiry';

/** The job id of a redemption's timer on the `dispatch` queue. */
export function expiryJobId(redemptionId: string): string {
  return `expiry-${redemptionId}`;
}

/** A uuid derived from the redemption, so every copy of its expiry event has the same id. */
export function expiryEventId(redemptionId: string): string {
  return derivedEventId(`points.redemption.expiryDue:${redemptionId}`);
}

/** The envelope the timer carries, as it will be handed to the points service. */
export function expiryEnvelope(reserved: {
  payload: Pick<EventEnvelope<'points.redemption.reserved'>['payload'], 'redemptionId' | 'expiresAt'>;
  unitPath: string | null;
}): EventEnvelope<'points.redemption.expiryDue'> {
  const { redemptionId, expiresAt } = reserved.payload;
  return {
    id: expiryEventId(redemptionId),
    type: 'points.redemption.expiryDue',
    version: catalog['points.redemption.expiryDue'].version,
    occurredAt: new Date(expiresAt).toISOString(),
    actor: { system: 'dispatch-worker' },
    unitPath: reserved.unitPath,
    payload: { redemptionId, expiresAt },
  };
}

/** Adds a redemption's expiry timer (once: its job id is derived from the redemption); a past expiry fires at once. */
export async function addExpiryTimer(queues: Queues, redemptionId: string, expiresAt: string, unitPath: string | null, now: number): Promise<void> {
  const envelope = expiryEnvelope({ payload: { redemptionId, expiresAt }, unitPath });
  const delay = Math.max(0, Date.parse(expiresAt) - now);
  await queues.get('dispatch').add(EXPIRY_JOB_NAME, envelope, { jobId: expiryJobId(redemptionId), delay });
}

export function redemptionTimerHandlers(queues: Queues, now: () => number = Date.now): EventHandlers {
  const removeTimer = async (event: EventEnvelope<'points.redemption.fulfilled' | 'points.redemption.cancelled'>) => {
    // 0 when the job is gone already or running now; either way the points service decides.
    await queues.get('dispatch').remove(expiryJobId(event.payload.redemptionId));
  };
  return {
    'points.redemption.reserved': async (event) => {
      await addExpiryTimer(queues, event.payload.redemptionId, event.payload.expiresAt, event.unitPath, now());
    },
    'points.redemption.expiryDue': async (event) => {
      await Promise.all(routesFor(event.type).map((queue) => queues.get(queue).add(event.type, event, { jobId: event.id })));
    },
    'points.redemption.fulfilled': removeTimer,
    'points.redemption.cancelled': removeTimer,
    // Its timer is the job that led to it; nothing left to do.
    'points.redemption.expired': async () => undefined,
  };
}
