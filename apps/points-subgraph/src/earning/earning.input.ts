import { z } from 'zod';

/** Activity category codes are the volunteers subgraph's; this subgraph accepts any well-formed one. */
export const CATEGORY_CODE = /^[A-Z][A-Z0-9_]{1,31}$/;

/** At most two decimals: the precision rules are stored with (a third would be rounded away silently). */
const twoDecimals = (value: number) => Math.abs(value * 100 - Math.round(value * 100)) < 1e-6;

/** A positive amount up to `max`, with at most two decimals. */
const positiveUpTo = (max: number) =>
  z
    .number()
    .refine((value) => Number.isFinite(value) && value > 0 && value <= max, { params: { key: 'input.outOfRange', min: 0.01, max } })
    .refine(twoDecimals, { params: { key: 'input.invalid', detail: 'at most 2 decimals' } });

/** `setEarningRule`'s input. A past `effectiveFrom` is refused by the service, which knows the time. */
export const setEarningRuleInput = z.object({
  category: z.string().trim().regex(CATEGORY_CODE).nullish(),
  pointsPerHour: positiveUpTo(1000),
  multiplier: positiveUpTo(10).nullish(),
  dailyCap: z
    .number()
    .refine((value) => Number.isSafeInteger(value) && value >= 1 && value <= 1_000_000, {
      params: { key: 'input.outOfRange', min: 1, max: 1_000_000 },
    })
    .nullish(),
  effectiveFrom: z.date().nullish(),
});
export type SetEarningRuleInput = z.output<typeof setEarningRuleInput>;
