import type { DataSource } from 'typeorm';
import type { EventHandlers } from '@kz/events';
import { PathColumn, unitReplicaHandlers } from '@kz/org-replica';
import type { StageMinutes } from './orders/deadlines';
import { redeemedServiceHandlers } from './orders/redeemed-service.handler';
import { volunteerRefHandlers } from './replicas/volunteer-ref';

/** Every stored path of this database that follows a unit when it moves. */
export const ORDERS_PATH_COLUMNS: PathColumn[] = [
  { table: 'service_order', column: 'station_path' },
  { table: 'service_order', column: 'requester_home_path' },
  { table: 'care_plan', column: 'station_path' },
];

/** The orders service's inbound queue (`orders-inbox`): org units, volunteers, services bought with points. */
export function ordersInboxHandlers(dataSource: DataSource, minutes: StageMinutes): EventHandlers {
  return {
    ...unitReplicaHandlers(dataSource, 'orders.unit-ref', ORDERS_PATH_COLUMNS),
    ...volunteerRefHandlers(dataSource),
    ...redeemedServiceHandlers(dataSource, minutes),
  };
}
