import type { DataSource } from 'typeorm';
import { EventHandlers, handleOnce } from '@kz/events';
import { expireRedemption } from './redemption.service';

/** The consumer name under which the points inbox records the expiry events it has applied. */
export const EXPIRY_CONSUMER = 'points.redemption-expiry';

/**
 * Redemption timers arriving on the points inbox. `points.redemption.expiryDue` comes from the dispatch worker's
 * delayed job when a reservation's pickup time is up: it is applied once per event id, and does nothing to a
 * redemption that was fulfilled or cancelled meanwhile. One that arrives early (another clock) fails without a trace
 * and BullMQ tries it again later.
 */
export function redemptionInboxHandlers(dataSource: DataSource): EventHandlers {
  return {
    'points.redemption.expiryDue': async (event) => {
      await handleOnce(dataSource, EXPIRY_CONSUMER, event, async (manager) => {
        await expireRedemption(manager, event.payload.redemptionId);
      });
    },
  };
}
