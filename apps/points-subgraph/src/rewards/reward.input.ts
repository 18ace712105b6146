import { z } from 'zod';
import { fields } from '@kz/subgraph';
import { idempotencyKeyField } from '../ledger/idempotency';

const integer = (min: number, max: number) =>
  z.number().refine((value) => Number.isInteger(value) && value >= min && value <= max, { params: { key: 'input.outOfRange', min, max } });

const kind = z.enum(['GOODS', 'SERVICE']);
const limitPeriod = z.enum(['DAY', 'WEEK', 'MONTH', 'YEAR']);

export const MAX_PRICE = 1_000_000;
export const MAX_STOCK = 1_000_000;

export const createRewardInput = z.object({
  name: fields.text(100),
  description: fields.multiLineText(1000).nullish(),
  kind,
  price: integer(1, MAX_PRICE),
  stationId: fields.id().nullish(),
  stock: integer(0, MAX_STOCK).nullish(),
  perPersonLimit: integer(1, 1000).nullish(),
  limitPeriod: limitPeriod.nullish(),
  activeFrom: z.date().nullish(),
  activeUntil: z.date().nullish(),
});
export type CreateRewardInput = z.output<typeof createRewardInput>;

/** Absent fields stay as they are; `null` clears the fields that may be empty. */
export const updateRewardInput = z.object({
  id: fields.id(),
  name: fields.text(100).optional(),
  description: fields.multiLineText(1000).nullish(),
  price: integer(1, MAX_PRICE).optional(),
  perPersonLimit: integer(1, 1000).nullish(),
  limitPeriod: limitPeriod.nullish(),
  activeFrom: z.date().nullish(),
  activeUntil: z.date().nullish(),
});
export type UpdateRewardInput = z.output<typeof updateRewardInput>;

export const restockRewardInput = z.object({
  id: fields.id(),
  delta: integer(-MAX_STOCK, MAX_STOCK).refine((delta) => delta !== 0, { params: { key: 'input.invalid', detail: 'must not be 0' } }),
  reason: fields.multiLineText(200),
});

export const redeemRewardInput = z.object({
  rewardId: fields.id(),
  quantity: integer(1, 100),
  idempotencyKey: idempotencyKeyField(),
});
export type RedeemRewardInput = z.output<typeof redeemRewardInput>;

export const pickupCodeInput = z.object({ code: z.string().max(40) });

export const cancelRedemptionInput = z.object({ redemptionId: fields.id() });

/** The filter of `rewards`, as the schema declares it (GraphQL has checked the types). */
export interface RewardFilter {
  unitId?: string | null;
  kind?: 'GOODS' | 'SERVICE' | null;
  affordable?: boolean | null;
  availableOnly?: boolean | null;
}

/** The filter of `redemptions`. */
export interface RedemptionFilter {
  status?: string | null;
  unitId?: string | null;
  mine?: boolean | null;
}
