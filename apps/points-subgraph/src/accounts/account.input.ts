import { z } from 'zod';
import { fields } from '@kz/subgraph';
import { idempotencyKeyField } from '../ledger/idempotency';
import { parseCardNumber } from './card-number';

/** Most points one person may give away (transfers and donations) per day, Beijing time. */
export const DAILY_TRANSFER_LIMIT = 500;
/** Largest adjustment the center may make in one go, either way. */
export const ADJUSTMENT_LIMIT = 1_000_000;

/** Whole points from `min` to `max`: 0, fractions, NaN and absurd amounts are refused before anything moves. */
const wholePoints = (min: number, max: number) =>
  z.number().refine((value) => Number.isSafeInteger(value) && value >= min && value <= max, { params: { key: 'points.amount', min, max } });

/** An account by id, or by its love savings card number typed by a person (check digit verified). */
export type AccountRef = { id: string } | { cardNumber: string };

/** Built once: a zod schema costs far more to build than to run, and this one runs on every transfer. */
const accountId = fields.id();

const accountRef = () =>
  z.string().transform((value, ctx): AccountRef => {
    const trimmed = value.trim();
    if (accountId.safeParse(trimmed).success) return { id: trimmed };
    const cardNumber = parseCardNumber(trimmed);
    if (cardNumber) return { cardNumber };
    ctx.addIssue({ code: 'custom', params: { key: 'points.cardNumber' } });
    return z.NEVER;
  });

export const transferPointsInput = z
  .object({
    toAccountId: accountRef().nullish(),
    toStationId: fields.id().nullish(),
    amount: wholePoints(1, DAILY_TRANSFER_LIMIT),
    note: z.string().trim().max(200).nullish(),
    idempotencyKey: idempotencyKeyField(),
  })
  .refine((input) => !!input.toAccountId !== !!input.toStationId, { path: ['toAccountId'], params: { key: 'points.oneReceiver' } });
export type TransferPointsInput = z.output<typeof transferPointsInput>;

export const adjustPointsInput = z.object({
  accountId: accountRef(),
  amount: z
    .number()
    .refine((value) => Number.isSafeInteger(value) && value !== 0 && Math.abs(value) <= ADJUSTMENT_LIMIT, {
      params: { key: 'points.adjustment', max: ADJUSTMENT_LIMIT },
    }),
  reason: fields.multiLineText(200),
  idempotencyKey: idempotencyKeyField(),
});
export type AdjustPointsInput = z.output<typeof adjustPointsInput>;

export const reverseTransactionInput = z.object({
  transactionId: fields.id(),
  reason: fields.multiLineText(200),
  idempotencyKey: idempotencyKeyField(),
});
export type ReverseTransactionInput = z.output<typeof reverseTransactionInput>;

/** The filter of an account's statement, as the schema declares it (GraphQL has checked the types). */
export interface StatementFilter {
  kinds?: string[] | null;
  from?: Date | null;
  to?: Date | null;
}
