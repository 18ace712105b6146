import { z } from 'zod';
import { fields } from '@kz/subgraph';
import { registrationConsentInput } from '../consent/consent.input';
import { documentNumber, identityFields, mobile } from '../people/person.input';
import { VOLUNTEER_STATUSES } from './volunteer-statuses';

export const MAX_AVAILABILITY_WINDOWS = 14;
export const MAX_SKILLS = 20;
export const MAX_REASON = 200;

const skillCode = z.string().regex(/^[A-Z][A-Z0-9_]{1,31}$/);
/** Distinct skill codes; their existence is checked against the taxonomy by the service. */
const skillCodes = z
  .array(skillCode)
  .refine((codes) => codes.length <= MAX_SKILLS, { params: { key: 'input.invalid', detail: `at most ${MAX_SKILLS} skills` } })
  .transform((codes) => [...new Set(codes)]);

const clock = /^([01]\d|2[0-3]):[0-5]\d$/;
const window = z
  .object({
    dayOfWeek: z.number().int().pipe(fields.range(1, 7)),
    start: z.string().regex(clock),
    // The end of the day may be written 24:00.
    end: z.string().regex(/^(([01]\d|2[0-3]):[0-5]\d|24:00)$/),
  })
  .refine((w) => w.end > w.start, { path: ['end'], params: { key: 'input.invalid', detail: 'the end must be after the start' } });
const availability = z
  .array(window)
  .refine((windows) => windows.length <= MAX_AVAILABILITY_WINDOWS, {
    params: { key: 'input.invalid', detail: `at most ${MAX_AVAILABILITY_WINDOWS} windows` },
  });

/** An optional reason: blank counts as none; the service decides whether the move needs one. */
const reason = z.preprocess(
  (value) => (typeof value === 'string' && value.trim() === '' ? null : value),
  fields.multiLineText(MAX_REASON).nullish(),
);

const categoryCode = z.string().trim().toUpperCase().regex(/^[A-Z][A-Z0-9_]{1,31}$/);
/** Distinct activity category codes (办法 Art. 5 服务类别); their existence is checked by the service. */
const serviceCategories = z
  .array(categoryCode)
  .refine((codes) => codes.length <= MAX_SKILLS, { params: { key: 'input.invalid', detail: `at most ${MAX_SKILLS} categories` } })
  .transform((codes) => [...new Set(codes)]);
const residenceArea = fields.text(100);

export const registerVolunteerInput = z.object({
  homeStationId: fields.id(),
  skills: skillCodes,
  availability: availability.nullish(),
  residenceArea: residenceArea.nullish(),
  serviceCategories: serviceCategories.nullish(),
  personId: fields.id().nullish(),
  person: z
    .object({
      realName: fields.text(50),
      idNumber: documentNumber,
      ...identityFields,
      mobile: mobile.nullish(),
    })
    .nullish(),
  consent: registrationConsentInput.nullish(),
});
export type RegisterVolunteerInput = z.output<typeof registerVolunteerInput>;

export const reviewVolunteerInput = z.object({ volunteerId: fields.id(), reason });

export const updateVolunteerProfileInput = z.object({
  volunteerId: fields.id().nullish(),
  skills: skillCodes.nullish(),
  availability: availability.nullish(),
  homeStationId: fields.id().nullish(),
  residenceArea: residenceArea.nullish(),
  serviceCategories: serviceCategories.nullish(),
});

export const teamMembershipInput = z.object({ teamId: fields.id(), volunteerId: fields.id().nullish() });

export const setTeamLeaderInput = z.object({ teamId: fields.id(), volunteerId: fields.id(), isLeader: z.boolean() });

export const addSkillInput = z.object({
  code: z.string().trim().toUpperCase().pipe(skillCode),
  name: fields.text(20),
});

export const volunteerFilter = z.object({
  withinUnitId: fields.id().nullish(),
  teamId: fields.id().nullish(),
  skills: skillCodes.nullish(),
  status: z.enum(VOLUNTEER_STATUSES).nullish(),
  search: z.string().trim().max(50).nullish(),
});
export type VolunteerFilter = z.output<typeof volunteerFilter>;
