import { z } from 'zod';
import { fields } from '@kz/subgraph';

/** Codes of the managed taxonomies (`skill`, `activity_category`), as their tables' CHECK has them. */
const code = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[A-Z][A-Z0-9_]{1,31}$/);

const location = z.object({ lat: fields.range(-90, 90), lng: fields.range(-180, 180) });

const integer = (min: number, max: number) =>
  z.number().refine((value) => Number.isInteger(value) && value >= min && value <= max, { params: { key: 'input.outOfRange', min, max } });

const place = z.object({
  name: fields.text(100),
  location,
  checkInRadiusMeters: integer(10, 5000),
});

const skills = z.array(code).max(20);

export const createActivityInput = z.object({
  title: fields.text(100),
  description: fields.multiLineText(2000).nullish(),
  category: code,
  organizingUnitId: fields.id(),
  /** The 活动负责人 (办法 Art. 7); the creator when omitted. */
  responsiblePersonId: fields.id().nullish(),
  teamId: fields.id().nullish(),
  startsAt: z.date(),
  endsAt: z.date(),
  place,
  capacity: integer(1, 10_000),
  requiredSkills: skills.nullish(),
  /** 条例 Art. 19: staff duty, not volunteer service (no records); false when omitted. */
  staffDuty: z.boolean().nullish(),
});
export type CreateActivityInput = z.output<typeof createActivityInput>;

export const updateActivityInput = z.object({
  id: fields.id(),
  title: fields.text(100).optional(),
  description: fields.multiLineText(2000).nullish(),
  startsAt: z.date().optional(),
  endsAt: z.date().optional(),
  place: place.optional(),
  capacity: integer(1, 10_000).optional(),
  requiredSkills: skills.optional(),
  responsiblePersonId: fields.id().optional(),
  staffDuty: z.boolean().optional(),
});
export type UpdateActivityInput = z.output<typeof updateActivityInput>;

export const activityIdInput = z.object({ activityId: fields.id() });

export const cancelActivityInput = z.object({ activityId: fields.id(), reason: fields.multiLineText(500) });

export const checkInOutInput = z.object({ activityId: fields.id(), location });
