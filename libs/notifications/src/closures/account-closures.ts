import type { DataSource } from 'typeorm';
import { EventEnvelope, handleOnce } from '@kz/events';

/** The consumer name of account closures in `processed_event`. */
export const ACCOUNT_CLOSURES_CONSUMER = 'notifications.account-closures';

/**
 * Forgets a person who closed their account (PIPL Art. 47): their inbox, the outbound deliveries of it (which hold
 * the mobile number or openid they were sent to) and their channel preferences are deleted, once, in one
 * transaction with the event's `processed_event` row. Messages about them sent to others (a staff member's inbox
 * naming a volunteer by masked name) are the recipients' and stay. Resolves to whether this call applied it.
 */
export function forgetClosedAccount(dataSource: DataSource, event: EventEnvelope<'person.account.closed'>): Promise<boolean> {
  return handleOnce(dataSource, ACCOUNT_CLOSURES_CONSUMER, event, async (manager) => {
    const { personId } = event.payload;
    // Deliveries go with their notification (ON DELETE CASCADE).
    await manager.query('DELETE FROM notification WHERE recipient_person_id = $1', [personId]);
    await manager.query('DELETE FROM notification_preference WHERE person_id = $1', [personId]);
  });
}
