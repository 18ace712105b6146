import { z } from 'zod';
import { isValidUscc } from '@kz/auth';
import { fields } from '@kz/subgraph';
import { UNIT_LEVELS } from './unit-levels';

const code = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[A-Z0-9][A-Z0-9-]{0,63}$/);
const location = z.object({ lat: fields.range(-90, 90), lng: fields.range(-180, 180) });
const contact = z.object({
  name: fields.text(50).nullish(),
  phone: z
    .string()
    .trim()
    .regex(/^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$/)
    .nullish(),
});

export const createUnitInput = z.object({
  parentId: fields.id().nullish(),
  level: z.enum(UNIT_LEVELS),
  name: fields.text(100),
  code: code.nullish(),
  address: fields.text(200).nullish(),
  location: location.nullish(),
  contact: contact.nullish(),
});
export type CreateUnitInput = z.output<typeof createUnitInput>;

/** A unit's legal identity (办法 Art. 15); the 统一社会信用代码 with its GB 32100-2015 check character. */
const legal = z.object({
  legalName: fields.text(100),
  uscc: z
    .string()
    .trim()
    .toUpperCase()
    .refine(isValidUscc, { params: { key: 'certificate.invalidUscc' } }),
  headName: fields.text(50),
});

export const updateUnitInput = z.object({
  id: fields.id(),
  name: fields.text(100).optional(),
  code: code.optional(),
  address: fields.text(200).nullable().optional(),
  location: location.nullable().optional(),
  contact: contact.nullable().optional(),
  legal: legal.nullable().optional(),
});
export type UpdateUnitInput = z.output<typeof updateUnitInput>;

export const moveUnitInput = z.object({ id: fields.id(), newParentId: fields.id() });

export const designateDemonstrationInput = z.object({ unitId: fields.id(), isDemonstration: z.boolean() });
