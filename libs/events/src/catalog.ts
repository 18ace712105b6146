import { z } from 'zod';

/**
 * The event catalogue (`shared/EVENTS.md`, kept as code): each event type with its current version and the zod
 * schema of its payload. Producers validate before writing to the outbox; consumers validate on receipt.
 * Fields may be added; renaming or dropping one needs a new version.
 */
const id = z.string().min(1);
const location = z.object({ lat: z.number().min(-90).max(90), lng: z.number().min(-180).max(180) });
const unitLevel = z.enum(['CENTER', 'INSTITUTE', 'STATION', 'POINT']);

const unitChanged = z.object({
  unitId: id,
  code: z.string(),
  level: unitLevel,
  parentId: id.nullable(),
  name: z.string(),
  path: z.string(),
  /** The unit's legal identity for certificates (办法 Art. 15); on updates, null when not set. Additive: absent before. */
  legal: z.object({ legalName: z.string(), uscc: z.string(), headName: z.string() }).nullable().optional(),
});
const teamChanged = z.object({
  teamId: id,
  code: z.string(),
  kind: z.string(),
  name: z.string(),
  homeUnitId: id,
  homeUnitPath: z.string(),
  parentTeamId: id.nullable(),
});
const volunteerDecision = z.object({
  volunteerId: id,
  personId: id,
  stationId: id,
  reason: z.string().optional(),
});
const activity = z.object({ activityId: id, unitId: id, startsAt: z.iso.datetime({ offset: true }) });
const redemption = z.object({
  redemptionId: id,
  accountId: id,
  rewardId: id,
  quantity: z.number().int().positive(),
  points: z.number().int().nonnegative(),
  stationId: id,
  pickupCode: z.string().optional(),
});
const datetime = z.iso.datetime({ offset: true });
/** `dueAt`: the deadline of the stage the order enters (accept after dispatch, deliver after acceptance). */
const orderStation = z.object({ orderId: id, stationId: id, reason: z.string().optional(), dueAt: datetime.optional() });
const orderProgress = z.object({
  orderId: id,
  outcome: z.enum(['FULL', 'PARTIAL']).optional(),
  minutesByVolunteer: z.record(z.string(), z.number().int().nonnegative()).optional(),
  /** For order.delivered: what the volunteers subgraph needs to record the service, and the evaluation deadline. */
  stationId: id.optional(),
  category: z.string().optional(),
  title: z.string().optional(),
  startedAt: datetime.optional(),
  deliveredAt: datetime.optional(),
  dueAt: datetime.optional(),
});
const orderDelivered = orderProgress.extend({
  /**
   * The delivery round: 1 for the first delivery, one more for each delivery after a reopening. The volunteers
   * subgraph makes one record per volunteer and round; an event without it (written before rounds) is round 1.
   */
  round: z.number().int().positive().optional(),
  /**
   * 条例 Art. 19: the station declared this round staff duty, not volunteer service, so the volunteers subgraph makes
   * no records of it. Absent (older events, or not declared) means volunteer service.
   */
  staffDuty: z.boolean().optional(),
  /**
   * 办法 Art. 7 服务地点 of the records made from this round: the station's name, with the 小区 of the order's address
   * when it names one (never the address itself: it is the resident's personal data). Absent on older events: the
   * records keep no place.
   */
  place: z.string().optional(),
  /** 办法 Art. 7 服务内容: the category's Chinese name and the order's title. Absent on older events: the title. */
  content: z.string().optional(),
});
const orderClosing = z.object({
  orderId: id,
  rating: z.number().int().min(1).max(5).optional(),
  resolved: z.enum(['YES', 'PARTLY', 'NO']).optional(),
  /** For order.reopened: the new delivery deadline. */
  dueAt: datetime.optional(),
});
const careVisit = z.object({ carePlanId: id, orderId: id.optional(), beneficiary: z.string(), dueAt: z.iso.datetime({ offset: true }) });

function event<S extends z.ZodType>(version: number, payload: S, description: string) {
  return { version, payload, description };
}

export const catalog = {
  'org.unit.created': event(1, unitChanged, 'a practice unit was created'),
  'org.unit.updated': event(1, unitChanged, "a practice unit's public fields changed"),
  'org.unit.moved': event(
    1,
    z.object({ unitId: id, oldPath: z.string(), newPath: z.string(), oldParentId: id, newParentId: id }),
    'a unit (with its subtree) moved under another parent; stored paths below oldPath must be rewritten',
  ),
  'org.unit.demonstration.designated': event(
    1,
    z.object({ unitId: id, isDemonstration: z.boolean() }),
    'a unit was designated (or no longer is) a demonstration site',
  ),
  'org.sevenHaves.updated': event(
    1,
    z.object({
      unitId: id,
      items: z.array(z.object({ item: z.string(), met: z.boolean() })),
      score: z.number().int().min(0).max(7),
    }),
    "a unit's seven-haves checklist changed",
  ),
  'org.team.created': event(1, teamChanged, 'a volunteer team was created'),
  'org.team.updated': event(1, teamChanged, 'a volunteer team changed'),
  'volunteer.registered': event(1, volunteerDecision, 'a person registered as a volunteer'),
  'volunteer.approved': event(1, volunteerDecision, 'a station admin approved a volunteer'),
  'volunteer.rejected': event(1, volunteerDecision, 'a station admin rejected a volunteer, with a reason'),
  'volunteer.suspended': event(1, volunteerDecision, 'an admin suspended an active volunteer, with a reason'),
  'volunteer.reinstated': event(1, volunteerDecision, 'an admin reinstated a suspended volunteer'),
  'person.wechat.bound': event(
    1,
    z.object({ personId: id, homeUnitId: id.nullable(), signedUp: z.boolean() }),
    "a person's WeChat account was bound for sign-in (by the person, from the mini-program; `signedUp`: with a new resident account)",
  ),
  'person.wechat.unbound': event(
    1,
    z.object({ personId: id, homeUnitId: id.nullable(), byStaff: z.boolean() }),
    "a person's WeChat account was unbound, by the person or by staff in scope (`byStaff`)",
  ),
  'person.account.closed': event(
    1,
    z.object({ personId: id, homeUnitId: id.nullable(), volunteerId: id.nullable(), stationId: id.nullable() }),
    "a person closed their account (PIPL Arts. 19, 47): services holding copies of their personal data delete them; their volunteer profile (`volunteerId`, if any) is CLOSED for good",
  ),
  'activity.published': event(1, activity, 'an activity opened for sign-up'),
  'activity.cancelled': event(1, activity, 'an activity was cancelled'),
  'volunteer.hours.verified': event(
    1,
    z.object({
      serviceRecordId: id,
      volunteerId: id,
      personId: id,
      minutes: z.number().int().positive(),
      category: z.string(),
      activityId: id.optional(),
      orderId: id.optional(),
      verifiedBy: id,
      /** When the service started: earning rules and daily caps apply to that day, not the day of verification. */
      startedAt: z.iso.datetime({ offset: true }).optional(),
      /** The volunteer's home station, so the points account falls in its staff's scope. */
      homeStationId: id.optional(),
      homeStationPath: z.string().optional(),
    }),
    'service minutes were verified; the points service credits them',
  ),
  'volunteer.hours.corrected': event(
    1,
    z.object({
      serviceRecordId: id,
      volunteerId: id,
      personId: id,
      category: z.string(),
      oldMinutes: z.number().int().nonnegative(),
      newMinutes: z.number().int().nonnegative(),
      reason: z.string().min(1),
    }),
    'verified minutes were corrected',
  ),
  'volunteer.record.correction.decided': event(
    1,
    z.object({
      correctionRequestId: id,
      serviceRecordId: id,
      volunteerId: id,
      personId: id,
      decision: z.enum(['ACCEPTED', 'DECLINED']),
      /** What the record is called (活动名称), so the message names it without a lookup. */
      title: z.string(),
      /** The record's minutes when the request was made, the minutes proposed, and the minutes it has now. */
      oldMinutes: z.number().int().nonnegative(),
      proposedMinutes: z.number().int().nonnegative(),
      minutes: z.number().int().nonnegative(),
      reason: z.string().min(1),
    }),
    "staff accepted or declined a volunteer's request to correct their service record (办法 Art. 13), with a reason; an accepted one also emits `volunteer.hours.corrected`",
  ),
  'volunteer.star.awarded': event(
    1,
    z.object({
      awardId: id,
      volunteerId: id,
      personId: id,
      level: z.number().int().positive(),
      /** `N星志愿者`, as the award is named. */
      name: z.string(),
      /** The day the unit granted it, `YYYY-MM-DD` (Beijing). */
      awardedOn: z.string(),
      grantingUnitId: id,
      grantingUnitName: z.string(),
      /** The volunteer's home station, when they have one. */
      stationId: id.nullable(),
    }),
    "a unit granted a volunteer a star (办法 Art. 10): once per volunteer and level; the volunteer is told",
  ),
  'volunteer.star.eligible': event(
    1,
    z.object({
      volunteerId: id,
      personId: id,
      /** The highest level the verified hours now reach, not yet granted. */
      level: z.number().int().positive(),
      name: z.string(),
      neededHours: z.number().int().positive(),
      /** Verified hours after the change, one decimal rounded down. */
      verifiedHours: z.number().nonnegative(),
      stationId: id.nullable(),
    }),
    "a volunteer's verified hours rose past a level of the star ladder not yet granted: the home station's admins may grant it (the platform never grants a star itself)",
  ),
  'volunteer.records.overdue': event(
    1,
    z.object({
      unitId: id,
      unitPath: z.string(),
      /** Pending records of the unit past their recording deadline (办法 Art. 11) on `asOf`. */
      count: z.number().int().positive(),
      /** The earliest due day among them, and the Beijing day of the check, `YYYY-MM-DD`. */
      oldestDueOn: z.string(),
      asOf: z.string(),
    }),
    "a unit has service records past their recording deadline (办法 Art. 11): the volunteers service's daily check, at most once per unit and Beijing day",
  ),
  'points.credited': event(
    1,
    z.object({ accountId: id, personId: id, amount: z.number().int().positive(), serviceRecordId: id }),
    'points were credited for verified service',
  ),
  'points.redemption.reserved': event(
    1,
    // expiresAt: when the pickup time runs out; the dispatch worker sets its expiry timer from it.
    redemption.extend({ expiresAt: z.iso.datetime({ offset: true }) }),
    'a redemption reserved stock and points',
  ),
  'points.redemption.fulfilled': event(1, redemption, 'a redemption was handed over and posted'),
  'points.redemption.cancelled': event(1, redemption, 'a redemption was cancelled and its reservation voided'),
  'points.redemption.expired': event(1, redemption, 'a redemption was not picked up in time and was voided'),
  'points.redemption.expiryDue': event(
    1,
    z.object({ redemptionId: id, expiresAt: z.iso.datetime({ offset: true }) }),
    "a reservation's pickup time ran out (the dispatch worker's timer); the points service voids it if still reserved",
  ),
  'points.service.redeemed': event(
    1,
    z.object({ redemptionId: id, personId: id, rewardId: id, stationId: id, description: z.string() }),
    'points bought a service; the orders service opens an order for it',
  ),
  'points.transferred': event(
    1,
    z.object({ fromAccountId: id, toAccountId: id, amount: z.number().int().positive() }),
    'points moved between two people',
  ),
  'order.submitted': event(
    1,
    z.object({
      orderId: id,
      code: z.string(),
      source: z.enum(['PATROL', 'RESIDENT']),
      category: z.string(),
      specialGroup: z.string(),
      location: location.nullable(),
      urgency: z.string(),
    }),
    'a service order was reported (巡单) or placed (点单)',
  ),
  'order.dispatched': event(1, orderStation, 'the center dispatched an order to a station (派单)'),
  'order.accepted': event(1, orderStation, 'a station accepted an order (接单)'),
  'order.returned': event(1, orderStation, 'a station returned an order to the center, with a reason'),
  'order.assigned': event(1, z.object({ orderId: id, volunteerIds: z.array(id) }), 'volunteers were assigned'),
  'order.started': event(1, orderProgress, 'service on an order began'),
  'order.delivered': event(1, orderDelivered, 'an order was delivered (送单); `round` numbers its deliveries (1, then one more after each reopening; absent on older events: 1)'),
  'order.evaluated': event(1, orderClosing, 'the requester rated an order (评单)'),
  'order.closed': event(1, orderClosing, 'an order closed'),
  'order.cancelled': event(1, orderClosing, 'the requester cancelled an order'),
  'order.reopened': event(1, orderClosing, 'an order was reopened after an unresolved evaluation'),
  'order.followUp.added': event(1, z.object({ orderId: id, note: z.string() }), 'the requester followed up'),
  'order.escalated': event(
    1,
    z.object({
      orderId: id,
      stage: z.string(),
      level: z.enum(['INSTITUTE', 'CENTER']),
      dueAt: z.iso.datetime({ offset: true }),
    }),
    'a stage deadline passed and the order was escalated',
  ),
  'order.deadline.due': event(
    1,
    z.object({ orderId: id, stage: z.enum(['ACCEPT', 'DELIVER']), level: z.enum(['INSTITUTE', 'CENTER']), dueAt: datetime }),
    "a stage deadline (INSTITUTE), or as long again after it (CENTER), passed (the dispatch worker's timer); the worker escalates the order",
  ),
  'order.evaluation.due': event(
    1,
    z.object({ orderId: id, dueAt: datetime }),
    "the evaluation window of a delivered order ended (the dispatch worker's timer); the worker closes the order",
  ),
  'carePlan.scheduled': event(
    1,
    z.object({
      carePlanId: id,
      stationId: id,
      frequency: z.enum(['WEEKLY', 'BIWEEKLY', 'MONTHLY']),
      nextVisitAt: datetime,
      active: z.boolean(),
    }),
    'a care plan was created or changed, or its next visit moved on; the dispatch worker times the next visit',
  ),
  'carePlan.visit.due': event(1, careVisit, 'a recurring care visit is due'),
  'carePlan.visit.timerDue': event(
    1,
    z.object({ carePlanId: id, stationId: id, dueAt: datetime }),
    "the next visit of a care plan came due (the dispatch worker's timer); the worker asks the orders service to record it",
  ),
  'carePlan.visit.checkDue': event(
    1,
    z.object({ carePlanId: id, orderId: id, dueAt: datetime }),
    "a visit's delivery window ended (the dispatch worker's timer); the worker flags the visit missed unless it was delivered",
  ),
  'carePlan.visit.missed': event(1, careVisit, 'a recurring care visit was missed'),
  'media.photo.attached': event(
    1,
    z.object({
      /** Photo ids of the gateway's media store (the ids inside the signed upload ids). */
      photoIds: z.array(id).min(1).max(20),
      ownerType: z.enum(['order', 'serviceRecord']),
      ownerId: id,
    }),
    'an order or a service record took uploaded photos; the gateway keeps them (the sweep deletes uploads nothing took)',
  ),
  'notification.delivery.due': event(
    1,
    z.object({
      deliveryId: id,
      /** The delivery's schedule this job is for; a job of an older schedule only makes sure the current one is queued. */
      revision: z.number().int().nonnegative(),
      dueAt: datetime,
    }),
    "an outbound delivery of a notification (SMS, WeChat) is due: the notification worker's delayed job, or staff retrying a dead letter",
  ),
} as const;

export type EventType = keyof typeof catalog;
export type EventPayload<T extends EventType> = z.output<(typeof catalog)[T]['payload']>;

export function isEventType(value: string): value is EventType {
  return Object.prototype.hasOwnProperty.call(catalog, value);
}
