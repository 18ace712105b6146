import { z } from 'zod';
import { fields } from '@kz/subgraph';
import { idempotencyKeyField } from '../ledger/idempotency';
import { MAX_PRICE, MAX_STOCK } from '../rewards/reward.input';

const integer = (min: number, max: number) =>
  z.number().refine((value) => Number.isInteger(value) && value >= min && value <= max, { params: { key: 'input.outOfRange', min, max } });

export const createMerchantInput = z.object({
  unitId: fields.id(),
  name: fields.text(100),
  uscc: z.string().trim().max(18).nullish(),
  contactName: fields.text(50).nullish(),
  contactPhone: fields.mobile().nullish(),
  address: fields.text(200).nullish(),
});
export type CreateMerchantInput = z.output<typeof createMerchantInput>;

export const addMerchantStaffInput = z.object({ merchantId: fields.id(), personId: fields.id() });

const offerKind = z.enum(['GOODS', 'DISCOUNT']);

export const createMerchantOfferInput = z.object({
  merchantId: fields.id(),
  name: fields.text(100),
  description: fields.multiLineText(1000).nullish(),
  kind: offerKind,
  price: integer(1, MAX_PRICE),
  stock: integer(0, MAX_STOCK).nullish(),
  perPersonDailyLimit: integer(1, 1000).nullish(),
  dailyLimit: integer(1, MAX_STOCK).nullish(),
  activeFrom: z.date().nullish(),
  activeUntil: z.date().nullish(),
});
export type CreateMerchantOfferInput = z.output<typeof createMerchantOfferInput>;

/** Absent fields stay as they are; `null` clears the fields that may be empty (a null stock is unlimited). */
export const updateMerchantOfferInput = z.object({
  id: fields.id(),
  name: fields.text(100).optional(),
  description: fields.multiLineText(1000).nullish(),
  price: integer(1, MAX_PRICE).optional(),
  stock: integer(0, MAX_STOCK).nullish(),
  perPersonDailyLimit: integer(1, 1000).nullish(),
  dailyLimit: integer(1, MAX_STOCK).nullish(),
  activeFrom: z.date().nullish(),
  activeUntil: z.date().nullish(),
});
export type UpdateMerchantOfferInput = z.output<typeof updateMerchantOfferInput>;

export const redeemMerchantOfferInput = z.object({
  offerId: fields.id(),
  paymentCode: z.string().max(200),
  quantity: integer(1, 100),
  idempotencyKey: idempotencyKeyField(),
});
export type RedeemMerchantOfferInput = z.output<typeof redeemMerchantOfferInput>;
