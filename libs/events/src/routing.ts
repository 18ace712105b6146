import type { EventType } from './catalog';

/** Every BullMQ queue of the platform (`shared/ARCHITECTURE.md`). */
export const QUEUES = [
  'dispatch',
  'notifications',
  'points-credit',
  'volunteers-inbox',
  'orders-inbox',
  'media-inbox',
  'analytics',
] as const;
export type QueueName = (typeof QUEUES)[number];

/**
 * Which queues receive which events, besides `analytics`, which receives every event. One table for the whole
 * platform; a producer never names a queue.
 */
const ROUTES: Record<EventType, QueueName[]> = {
  // Services keep a replica of unit ids and paths for scope checks, fed by these events.
  'org.unit.created': ['volunteers-inbox', 'orders-inbox', 'points-credit'],
  'org.unit.updated': ['volunteers-inbox', 'orders-inbox', 'points-credit'],
  // The notifications service also follows moves: it stores the unit path of each notification (dead-letter scope).
  'org.unit.moved': ['volunteers-inbox', 'orders-inbox', 'points-credit', 'notifications'],
  'org.unit.demonstration.designated': [],
  'org.sevenHaves.updated': [],
  'org.team.created': ['volunteers-inbox'],
  'org.team.updated': ['volunteers-inbox'],
  // The orders service keeps who each volunteer is (their person), so volunteers see the orders assigned to them.
  'volunteer.registered': ['notifications', 'orders-inbox'],
  'volunteer.approved': ['notifications', 'orders-inbox'],
  'volunteer.rejected': ['notifications', 'orders-inbox'],
  'volunteer.suspended': ['notifications', 'orders-inbox'],
  'volunteer.reinstated': ['notifications', 'orders-inbox'],
  // Identity changes no other service keeps: analytics only (no openid travels).
  'person.wechat.bound': [],
  'person.wechat.unbound': [],
  // Closing an account: the orders service's volunteer replica marks the volunteer CLOSED (never assignable again);
  // the notifications service deletes the person's inbox, deliveries (their addresses) and preferences.
  'person.account.closed': ['orders-inbox', 'notifications'],
  'activity.published': ['notifications'],
  'activity.cancelled': ['notifications'],
  'volunteer.records.overdue': ['notifications'],
  // The volunteer hears of their star; analytics counts them (it receives every event).
  'volunteer.star.awarded': ['notifications'],
  // The home station's admins decide on the star; the volunteer learns the level is within reach.
  'volunteer.star.eligible': ['notifications'],
  'volunteer.hours.verified': ['points-credit'],
  'volunteer.hours.corrected': ['points-credit'],
  // The volunteer hears the decision; the points move through `volunteer.hours.corrected`, not this event.
  'volunteer.record.correction.decided': ['notifications'],
  'points.credited': ['notifications'],
  'points.redemption.reserved': ['notifications', 'dispatch'],
  'points.redemption.fulfilled': ['notifications', 'dispatch'],
  'points.redemption.cancelled': ['notifications', 'dispatch'],
  'points.redemption.expired': ['notifications', 'dispatch'],
  'points.redemption.expiryDue': ['points-credit'],
  'points.service.redeemed': ['orders-inbox'],
  'points.transferred': ['notifications'],
  'order.submitted': ['dispatch', 'notifications'],
  'order.dispatched': ['dispatch', 'notifications'],
  'order.accepted': ['dispatch', 'notifications'],
  'order.returned': ['dispatch', 'notifications'],
  'order.assigned': ['notifications'],
  'order.started': ['dispatch', 'notifications'],
  'order.delivered': ['dispatch', 'notifications', 'volunteers-inbox'],
  // The volunteers subgraph keeps the resident's rating as feedback on each volunteer of the round (办法 Art. 10).
  'order.evaluated': ['dispatch', 'notifications', 'volunteers-inbox'],
  'order.closed': ['dispatch', 'notifications'],
  'order.cancelled': ['dispatch', 'notifications'],
  'order.reopened': ['dispatch', 'notifications'],
  'order.followUp.added': ['notifications'],
  'order.escalated': ['notifications'],
  // The dispatch worker's own timers: delayed jobs on its queue, never published through an outbox.
  'order.deadline.due': ['dispatch'],
  'order.evaluation.due': ['dispatch'],
  'carePlan.scheduled': ['dispatch'],
  'carePlan.visit.due': ['notifications', 'dispatch'],
  'carePlan.visit.missed': ['notifications'],
  'carePlan.visit.timerDue': ['dispatch'],
  'carePlan.visit.checkDue': ['dispatch'],
  // The gateway's photo store learns which uploads were taken, so its sweep keeps them.
  'media.photo.attached': ['media-inbox'],
  // The notification service's own delivery jobs (delayed jobs of the worker; staff retries through the outbox).
  'notification.delivery.due': ['notifications'],
};

export function routesFor(type: EventType): QueueName[] {
  return [...ROUTES[type], 'analytics'];
}
