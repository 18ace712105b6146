import type { DataSource } from 'typeorm';
import { EventEnvelope, EventType, handleOnce } from '@kz/events';
import { PathColumn, rewritePathColumns } from '@kz/org-replica';

/**
 * Events on the `notifications` queue that notify nobody: they keep the service's own rows in step with the rest of
 * the platform, so they have no route in `NOTIFICATION_ROUTES` and no text.
 */
export const MAINTENANCE_EVENTS = ['org.unit.moved', 'person.account.closed'] as const satisfies readonly EventType[];
export type MaintenanceEvent = (typeof MAINTENANCE_EVENTS)[number];

/** The consumer name of unit moves in `processed_event`. */
export const UNIT_MOVES_CONSUMER = 'notifications.unit-moves';

/**
 * The materialized unit paths the notifications database stores: the path of each notification's subject, which
 * scopes the dead-letter list (`failedNotifications`) of institute and station admins. Deliveries take it from their
 * notification.
 */
export const NOTIFICATION_PATH_COLUMNS: PathColumn[] = [{ table: 'notification', column: 'unit_path' }];

/**
 * Follows a unit move: every stored path equal to `oldPath` or below it moves to the same place under `newPath`, in
 * one transaction with the event's `processed_event` row, so a redelivered move changes nothing more. Resolves to
 * whether this call applied it.
 */
export function followUnitMove(dataSource: DataSource, event: EventEnvelope<'org.unit.moved'>): Promise<boolean> {
  return handleOnce(dataSource, UNIT_MOVES_CONSUMER, event, (manager) =>
    rewritePathColumns(manager, NOTIFICATION_PATH_COLUMNS, event.payload.oldPath, event.payload.newPath),
  );
}
