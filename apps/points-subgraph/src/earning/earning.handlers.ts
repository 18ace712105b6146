import type { DataSource } from 'typeorm';
import { catalog, EventEnvelope, EventHandlers, handleOnce, PermanentFailure } from '@kz/events';
import { isBigintId } from '@kz/subgraph';
import type { Logger } from '@kz/telemetry';
import { correctCreditedHours, creditVerifiedHours } from './crediting';

/** The consumer name under which earning records the events it has handled (`processed_event`). */
export const EARNING_CONSUMER = 'points.earning';

/**
 * Checks an hours event before anything is written. The worker validates envelopes already; handlers check again
 * because they are also called directly, and because a person id this database cannot store would otherwise fail
 * on every retry. Anything wrong here can never succeed: a permanent failure, not retried.
 */
function validated<T extends 'volunteer.hours.verified' | 'volunteer.hours.corrected'>(type: T, event: EventEnvelope<T>): EventEnvelope<T> {
  const payload = catalog[type].payload.safeParse(event.payload);
  if (!payload.success) {
    const issue = payload.error.issues[0];
    throw new PermanentFailure(`${type} ${event.id}: payload.${issue?.path.join('.')}: ${issue?.message}`);
  }
  if (!isBigintId(payload.data.personId)) throw new PermanentFailure(`${type} ${event.id}: personId ${payload.data.personId} is not a person id`);
  if (Number.isNaN(Date.parse(event.occurredAt))) throw new PermanentFailure(`${type} ${event.id}: occurredAt ${event.occurredAt} is not a time`);
  return { ...event, payload: payload.data } as EventEnvelope<T>;
}

/**
 * Verified (and corrected) hours become points by the earning rules. Each event is handled once per consumer
 * (`handleOnce`: the processed-event row commits with the ledger transaction), and each service record is
 * credited once whatever the event ids (see `creditVerifiedHours`).
 */
export function earningHandlers(dataSource: DataSource, log?: Logger): EventHandlers {
  return {
    'volunteer.hours.verified': async (event) => {
      const valid = validated('volunteer.hours.verified', event);
      await handleOnce(dataSource, EARNING_CONSUMER, valid, (manager) => creditVerifiedHours(manager, valid, log).then(() => undefined));
    },
    'volunteer.hours.corrected': async (event) => {
      const valid = validated('volunteer.hours.corrected', event);
      await handleOnce(dataSource, EARNING_CONSUMER, valid, (manager) => correctCreditedHours(manager, valid, log).then(() => undefined));
    },
  };
}
