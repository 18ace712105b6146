import type { EventType } from '@kz/events';

/** Whom a message addresses: the template and the default channels depend on it. */
export type Audience = 'RESIDENT' | 'STAFF' | 'VOLUNTEER';

/**
 * Who receives a notification. The worker finds them through the owning services' APIs (never their tables):
 * - `REQUESTER`: the order's requester (orders: `order(id).requester`).
 * - `ORDER_STATION_ADMINS`: STATION_ADMIN staff of the order's station (the event's `stationId`, else the order's).
 * - `ORDER_HANDLERS`: the station's admins once the order has a station, the center's dispatchers before.
 * - `ASSIGNEES`: the persons of the order's volunteers (for `order.assigned`, those the event names).
 * - `ESCALATION_TARGETS`: level INSTITUTE → INSTITUTE_ADMIN above the station; CENTER → CENTER_ADMIN and DISPATCHER.
 * - `DISPATCHERS`: DISPATCHER staff of the center (above the order's station, else the root of the event's unit path).
 * - `VOLUNTEER`: the volunteer's person (`payload.personId` of volunteer events).
 * - `VOLUNTEER_STATION_ADMINS`: STATION_ADMIN staff of the volunteer's home station (`payload.stationId`).
 * - `ACCOUNT_HOLDER`: `payload.personId`, else the holder of `payload.accountId` (points).
 * - `TRANSFER_RECEIVER`: the holder of `payload.toAccountId`.
 * - `ACTIVITY_UNIT_ADMINS`: staff administering the activity's own unit.
 * - `UNIT_STATION_ADMINS`: STATION_ADMIN staff of `payload.unitId` (of its station, for a practice point).
 * - `VISIT_STATION_ADMINS` / `VISIT_INSTITUTE_ADMINS`: STATION_ADMIN of the care visit's station (the visit order's,
 *   else the event's unit) / INSTITUTE_ADMIN above it.
 */
export type RecipientRule =
  | 'REQUESTER'
  | 'ORDER_STATION_ADMINS'
  | 'ORDER_HANDLERS'
  | 'ASSIGNEES'
  | 'ESCALATION_TARGETS'
  | 'DISPATCHERS'
  | 'VOLUNTEER'
  | 'VOLUNTEER_STATION_ADMINS'
  | 'ACCOUNT_HOLDER'
  | 'TRANSFER_RECEIVER'
  | 'ACTIVITY_UNIT_ADMINS'
  | 'UNIT_STATION_ADMINS'
  | 'VISIT_STATION_ADMINS'
  | 'VISIT_INSTITUTE_ADMINS';

export interface RecipientSpec {
  rule: RecipientRule;
  audience: Audience;
  /** Tell the person even when they caused the event themselves (otherwise nobody hears about their own action). */
  includeActor?: boolean;
}

/**
 * `URGENT` messages go out at once, quiet hours or not: escalations, missed care visits, and new or dispatched orders
 * about a safety hazard (category SAFETY_FACILITIES) or marked URGENT.
 */
export type UrgencyRule = 'NEVER' | 'ALWAYS' | 'SAFETY_OR_URGENT_ORDER';

export interface NotificationRoute {
  recipients: RecipientSpec[];
  urgency: UrgencyRule;
  /** The subject the message links to: `kind:payload[field]` (`order:123`). */
  link: { kind: 'order' | 'volunteer' | 'activity' | 'account' | 'redemption' | 'carePlan' | 'serviceRecord' | 'unit'; field: string };
}

const order = { kind: 'order', field: 'orderId' } as const;
const staff = (rule: RecipientRule): RecipientSpec => ({ rule, audience: 'STAFF' });
const requester: RecipientSpec = { rule: 'REQUESTER', audience: 'RESIDENT' };
const assignees: RecipientSpec = { rule: 'ASSIGNEES', audience: 'VOLUNTEER' };
const volunteer: RecipientSpec = { rule: 'VOLUNTEER', audience: 'VOLUNTEER' };
const holder: RecipientSpec = { rule: 'ACCOUNT_HOLDER', audience: 'RESIDENT' };
const redemption = { kind: 'redemption', field: 'redemptionId' } as const;

/**
 * The one routing table of notifications: for each event type on the `notifications` queue, who hears of it, how
 * urgent it is and what it links to. The message texts are in `templates.ts`, keyed by type and audience. A person who
 * matches two rules of one event gets one notification (the first rule's).
 */
export const NOTIFICATION_ROUTES: { [T in EventType]?: NotificationRoute } = {
  'order.submitted': { recipients: [staff('DISPATCHERS'), requester], urgency: 'SAFETY_OR_URGENT_ORDER', link: order },
  'order.dispatched': { recipients: [staff('ORDER_STATION_ADMINS'), requester], urgency: 'SAFETY_OR_URGENT_ORDER', link: order },
  'order.accepted': { recipients: [requester], urgency: 'NEVER', link: order },
  'order.returned': { recipients: [staff('DISPATCHERS')], urgency: 'NEVER', link: order },
  'order.assigned': { recipients: [assignees, requester], urgency: 'NEVER', link: order },
  'order.started': { recipients: [requester], urgency: 'NEVER', link: order },
  'order.delivered': { recipients: [requester], urgency: 'NEVER', link: order },
  'order.evaluated': { recipients: [staff('ORDER_STATION_ADMINS'), assignees], urgency: 'NEVER', link: order },
  'order.closed': { recipients: [requester], urgency: 'NEVER', link: order },
  'order.cancelled': { recipients: [staff('ORDER_STATION_ADMINS'), assignees, requester], urgency: 'NEVER', link: order },
  'order.reopened': { recipients: [staff('ORDER_STATION_ADMINS'), assignees], urgency: 'NEVER', link: order },
  'order.followUp.added': { recipients: [staff('ORDER_HANDLERS')], urgency: 'NEVER', link: order },
  'order.escalated': { recipients: [staff('ESCALATION_TARGETS')], urgency: 'ALWAYS', link: order },
  'volunteer.registered': {
    recipients: [staff('VOLUNTEER_STATION_ADMINS'), volunteer],
    urgency: 'NEVER',
    link: { kind: 'volunteer', field: 'volunteerId' },
  },
  'volunteer.approved': { recipients: [volunteer], urgency: 'NEVER', link: { kind: 'volunteer', field: 'volunteerId' } },
  'volunteer.rejected': { recipients: [volunteer], urgency: 'NEVER', link: { kind: 'volunteer', field: 'volunteerId' } },
  'volunteer.suspended': { recipients: [volunteer], urgency: 'NEVER', link: { kind: 'volunteer', field: 'volunteerId' } },
  'volunteer.reinstated': { recipients: [volunteer], urgency: 'NEVER', link: { kind: 'volunteer', field: 'volunteerId' } },
  // A new activity is found by browsing; broadcasting it to every volunteer of a unit is not this table's job.
  'activity.published': { recipients: [], urgency: 'NEVER', link: { kind: 'activity', field: 'activityId' } },
  'activity.cancelled': { recipients: [staff('ACTIVITY_UNIT_ADMINS')], urgency: 'NEVER', link: { kind: 'activity', field: 'activityId' } },
  // The volunteer asked for it; whoever decided it (any staff member in scope) is never the recipient.
  'volunteer.record.correction.decided': {
    recipients: [volunteer],
    urgency: 'NEVER',
    link: { kind: 'serviceRecord', field: 'serviceRecordId' },
  },
  // The admin whose verification passed the level is among those who decide: they hear of it too.
  'volunteer.star.eligible': {
    recipients: [{ ...staff('VOLUNTEER_STATION_ADMINS'), includeActor: true }, volunteer],
    urgency: 'NEVER',
    link: { kind: 'volunteer', field: 'volunteerId' },
  },
  'volunteer.star.awarded': { recipients: [volunteer], urgency: 'NEVER', link: { kind: 'volunteer', field: 'volunteerId' } },
  'volunteer.records.overdue': { recipients: [staff('UNIT_STATION_ADMINS')], urgency: 'NEVER', link: { kind: 'unit', field: 'unitId' } },
  'points.credited': { recipients: [{ rule: 'ACCOUNT_HOLDER', audience: 'VOLUNTEER' }], urgency: 'NEVER', link: { kind: 'account', field: 'accountId' } },
  'points.transferred': {
    recipients: [{ rule: 'TRANSFER_RECEIVER', audience: 'RESIDENT' }],
    urgency: 'NEVER',
    link: { kind: 'account', field: 'toAccountId' },
  },
  // The holder reserved it themselves, but the message tells them where and by when to pick it up.
  'points.redemption.reserved': { recipients: [{ ...holder, includeActor: true }], urgency: 'NEVER', link: redemption },
  'points.redemption.fulfilled': { recipients: [holder], urgency: 'NEVER', link: redemption },
  'points.redemption.cancelled': { recipients: [holder], urgency: 'NEVER', link: redemption },
  'points.redemption.expired': { recipients: [holder], urgency: 'NEVER', link: redemption },
  'carePlan.visit.due': { recipients: [staff('VISIT_STATION_ADMINS')], urgency: 'NEVER', link: { kind: 'carePlan', field: 'carePlanId' } },
  'carePlan.visit.missed': {
    recipients: [staff('VISIT_STATION_ADMINS'), staff('VISIT_INSTITUTE_ADMINS')],
    urgency: 'ALWAYS',
    link: { kind: 'carePlan', field: 'carePlanId' },
  },
};

/** Whether a message is urgent, given the route and (for orders) the order's category and urgency. */
export function isUrgent(route: NotificationRoute, order?: { category?: string | null; urgency?: string | null } | null): boolean {
  switch (route.urgency) {
    case 'ALWAYS':
      return true;
    case 'NEVER':
      return false;
    case 'SAFETY_OR_URGENT_ORDER':
      return order?.category === 'SAFETY_FACILITIES' || order?.urgency === 'URGENT';
  }
}

/** `order:123`, from the route's link field of the payload; null when the payload lacks it. */
export function linkOf(route: NotificationRoute, payload: Record<string, unknown>): string | null {
  const value = payload[route.link.field];
  return typeof value === 'string' && value ? `${route.link.kind}:${value}` : null;
}
