import { z } from 'zod';
import { fields } from '@kz/subgraph';

export const CONSENT_PURPOSES = ['REGISTRATION', 'DOCUMENT_NUMBER', 'EXPORT'] as const;
export type ConsentPurpose = (typeof CONSENT_PURPOSES)[number];
export const CONSENT_GIVERS = ['SELF', 'GUARDIAN', 'LEGAL_REPRESENTATIVE'] as const;
export type ConsentGiver = (typeof CONSENT_GIVERS)[number];

/** What a consent says (the person it belongs to and how it was given come from the call, not from here). */
export const consentFields = {
  policyVersion: fields.text(40),
  /** When the consent was given; now when omitted. A paper form signed earlier carries its own date. */
  givenAt: z.date().refine((date) => date.getTime() <= Date.now() + 60_000, { params: { key: 'input.inFuture' } }).nullish(),
  givenBy: z.enum(CONSENT_GIVERS).nullish(),
  representativeName: fields.text(50).nullish(),
  representativeRelation: fields.text(20).nullish(),
  /** The archive number or other reference of the signed paper form; required when staff record the consent. */
  paperReference: fields.text(100).nullish(),
};

/** The consent given with a volunteer registration (purpose REGISTRATION, and DOCUMENT_NUMBER with a number). */
export const registrationConsentInput = z.object(consentFields);
export type RegistrationConsentInput = z.output<typeof registrationConsentInput>;

export const recordConsentInput = z.object({
  personId: fields.id().nullish(),
  purpose: z.enum(CONSENT_PURPOSES),
  ...consentFields,
});
