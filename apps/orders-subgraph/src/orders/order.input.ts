import { z } from 'zod';
import { fields } from '@kz/subgraph';
import {
  ESCALATION_LEVELS,
  ORDER_CATEGORIES,
  ORDER_CHANNELS,
  ORDER_SOURCES,
  ORDER_STAGES,
  ORDER_STATUSES,
  OUTCOMES,
  RESOLUTIONS,
  SPECIAL_GROUPS,
  URGENCIES,
} from './order-statuses';

const integer = (min: number, max: number) =>
  z.number().refine((value) => Number.isInteger(value) && value >= min && value <= max, { params: { key: 'input.outOfRange', min, max } });

export const location = z.object({ lat: fields.range(-90, 90), lng: fields.range(-180, 180) });

/** A mainland mobile number or a landline with its area code (023-12345678). */
export const phone = z
  .string()
  .trim()
  .transform((value) => value.replace(/[\s-]/g, ''))
  .pipe(z.string().regex(/^(1[3-9]\d{9}|0\d{9,11})$/));

export const beneficiary = z.object({
  name: fields.text(50),
  phone: phone.nullish(),
  specialGroup: z.enum(SPECIAL_GROUPS),
});
export type BeneficiaryInput = z.output<typeof beneficiary>;

const photos = z
  .array(z.url({ protocol: /^https$/ }).max(500))
  .max(9)
  .nullish();

/** Upload ids from the gateway's `POST /uploads`; each is checked against the caller when attached. */
const photoIds = z.array(z.string().min(1).max(300)).max(9).nullish();

const need = {
  title: fields.text(100),
  description: fields.multiLineText(2000).nullish(),
  category: z.enum(ORDER_CATEGORIES),
  address: fields.text(200).nullish(),
  location: location.nullish(),
  photos,
  urgency: z.enum(URGENCIES).nullish(),
  beneficiary: beneficiary.nullish(),
};

export const placeOrderInput = z.object({
  ...need,
  channel: z.enum(ORDER_CHANNELS),
  onBehalfOfPersonId: fields.id().nullish(),
  stationHintId: fields.id().nullish(),
  photoIds,
});
export type PlaceOrderInput = z.output<typeof placeOrderInput>;

export const reportPatrolOrderInput = z.object(need);
export type ReportPatrolOrderInput = z.output<typeof reportPatrolOrderInput>;

export const orderIdInput = z.object({ orderId: fields.id() });

export const dispatchOrderInput = z.object({ orderId: fields.id(), stationId: fields.id() });

export const returnOrderInput = z.object({ orderId: fields.id(), reason: fields.multiLineText(500) });

export const assignVolunteersInput = z.object({ orderId: fields.id(), volunteerIds: z.array(fields.id()).min(1).max(20) });

export const deliverOrderInput = z.object({
  orderId: fields.id(),
  note: fields.multiLineText(2000),
  outcome: z.enum(OUTCOMES),
  minutes: z.array(z.object({ volunteerId: fields.id(), minutes: integer(1, 1440) })).min(1).max(20),
  fundingArranged: integer(0, 100_000_000).nullish(),
  fundingSource: fields.text(200).nullish(),
  photoIds,
  /** 条例 Art. 19: the round was staff duty, not volunteer service; false when omitted. */
  staffDuty: z.boolean().nullish(),
});
export type DeliverOrderInput = z.output<typeof deliverOrderInput>;

export const evaluateOrderInput = z.object({
  orderId: fields.id(),
  rating: integer(1, 5),
  resolved: z.enum(RESOLUTIONS),
  comment: fields.multiLineText(500).nullish(),
});

export const cancelOrderInput = z.object({ orderId: fields.id(), reason: fields.multiLineText(500).nullish() });

export const addFollowUpInput = z.object({ orderId: fields.id(), note: fields.multiLineText(500) });

export const updateDemandLedgerInput = z.object({
  orderId: fields.id(),
  resourcesNeeded: fields.multiLineText(1000).nullish(),
  fundingArranged: integer(0, 100_000_000).nullish(),
  fundingSource: fields.text(200).nullish(),
});

export const escalateOrderInput = z.object({
  orderId: fields.id(),
  stage: z.enum(ORDER_STAGES),
  level: z.enum(ESCALATION_LEVELS),
});

export const orderFilter = z
  .object({
    status: z.enum(ORDER_STATUSES).nullish(),
    withinUnitId: fields.id().nullish(),
    category: z.enum(ORDER_CATEGORIES).nullish(),
    source: z.enum(ORDER_SOURCES).nullish(),
    specialGroup: z.enum(SPECIAL_GROUPS).nullish(),
    overdue: z.boolean().nullish(),
    from: z.date().nullish(),
    to: z.date().nullish(),
  })
  .nullish();
export type OrderFilter = NonNullable<z.output<typeof orderFilter>>;
