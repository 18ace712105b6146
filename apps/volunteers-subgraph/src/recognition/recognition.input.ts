import { z } from 'zod';
import { fields } from '@kz/subgraph';
import { birthDate as pastDate } from '../people/person.input';

export const AWARD_KINDS = ['UNIT', 'HIGHER_BODY'] as const;

export const recordTrainingInput = z.object({
  unitId: fields.id(),
  name: fields.text(100),
  content: fields.multiLineText(2000),
  /** Hours of training, in steps of a minute. */
  hours: fields.range(0.1, 100),
  heldOn: pastDate,
  volunteerIds: z.array(fields.id()).max(500),
});

export const recordAwardInput = z.object({
  volunteerId: fields.id(),
  name: fields.text(100),
  awardedOn: pastDate,
  kind: z.enum(AWARD_KINDS),
  /** The higher body's name (HIGHER_BODY); a unit's own award names the caller's unit. */
  grantingBody: fields.text(100).nullish(),
  /** The certificate's document number, or the id of its uploaded photo (HIGHER_BODY). */
  proof: fields.text(200).nullish(),
});

export const grantStarInput = z.object({
  volunteerId: fields.id(),
  level: fields.range(1, 10),
  awardedOn: pastDate.nullish(),
});

export const setStarThresholdsInput = z.object({
  /** Hours of each level, from 1★ up. */
  hours: z.array(fields.range(1, 100000)).min(1).max(10),
});

export const evaluateServiceRecordInput = z.object({
  recordId: fields.id(),
  rating: fields.range(1, 5),
  note: fields.multiLineText(500).nullish(),
});
