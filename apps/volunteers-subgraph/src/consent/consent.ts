import type { EntityManager } from 'typeorm';
import { ageOn, birthAndSexOf, carriesBirthAndSex, DocumentType, PiiVault } from '@kz/auth';
import { BadUserInput } from '@kz/errors';
import type { ConsentGiver, ConsentPurpose, RegistrationConsentInput } from './consent.input';

/** One consent as stored (PIPL Arts. 14, 28, 29, 31; 办法 Art. 6): what, which policy, when, how and by whom. */
export interface ConsentRow {
  id: string;
  personId: string;
  purpose: ConsentPurpose;
  policyVersion: string;
  method: 'SELF' | 'ASSISTED';
  paperReference: string | null;
  givenBy: ConsentGiver;
  representativeName: string | null;
  representativeRelation: string | null;
  givenAt: Date;
  recordedBy: string;
  recordedAt: Date;
}

/** Under 14 a guardian consents (PIPL Art. 31); from 14 to 17 a legal representative (a guardian is one too). */
export const CHILD_AGE = 14;
export const ADULT_AGE = 18;

/** Who must consent for a person of `age` (null: unknown age, treated as an adult), or null when they may themself. */
export function consentNeededFrom(age: number | null): { allowed: ConsentGiver[]; needed: string; neededZh: string } | null {
  if (age === null || age >= ADULT_AGE) return null;
  if (age < CHILD_AGE) return { allowed: ['GUARDIAN'], needed: 'guardian', neededZh: '监护人' };
  return { allowed: ['GUARDIAN', 'LEGAL_REPRESENTATIVE'], needed: 'legal representative', neededZh: '法定代理人' };
}

/**
 * The consent of a registration, checked: a minor's needs a guardian (under 14) or legal representative (14–17),
 * named with their relation; one recorded by staff (assisted) needs the reference of the signed paper form. Throws
 * BAD_USER_INPUT naming the field and the reason.
 */
export function checkConsent(consent: RegistrationConsentInput | null | undefined, age: number | null, assisted: boolean, field: string): void {
  const needed = consentNeededFrom(age);
  if (needed && (!consent || !needed.allowed.includes(consent.givenBy ?? 'SELF'))) {
    throw new BadUserInput(consent ? `${field}.givenBy` : field, { key: 'volunteer.consentRequired', age: age!, needed: needed.needed, neededZh: needed.neededZh });
  }
  if (!consent) return;
  if ((consent.givenBy ?? 'SELF') !== 'SELF') {
    if (!consent.representativeName) throw new BadUserInput(`${field}.representativeName`, { key: 'input.required' });
    if (!consent.representativeRelation) throw new BadUserInput(`${field}.representativeRelation`, { key: 'input.required' });
  }
  if (assisted && !consent.paperReference) throw new BadUserInput(`${field}.paperReference`, { key: 'consent.paperReference' });
}

/** Writes consents of `purposes` for `personId` in the caller's transaction; returns their ids. */
export async function insertConsents(
  manager: EntityManager,
  personId: string,
  purposes: ConsentPurpose[],
  consent: RegistrationConsentInput,
  assisted: boolean,
  recordedBy: string,
): Promise<string[]> {
  const rows: { id: string }[] = await manager.query(
    `INSERT INTO consent (person_id, purpose, policy_version, method, paper_reference, given_by, representative_name,
                          representative_relation, given_at, recorded_by)
     SELECT $1, purpose, $3, $4, $5, $6, $7, $8, coalesce($9::timestamptz, now()), $10 FROM unnest($2::text[]) AS purpose
     RETURNING id::text`,
    [
      personId,
      purposes,
      consent.policyVersion,
      assisted ? 'ASSISTED' : 'SELF',
      consent.paperReference ?? null,
      consent.givenBy ?? 'SELF',
      (consent.givenBy ?? 'SELF') === 'SELF' ? null : consent.representativeName,
      (consent.givenBy ?? 'SELF') === 'SELF' ? null : consent.representativeRelation,
      consent.givenAt ?? null,
      recordedBy,
    ],
  );
  return rows.map((row) => row.id);
}

/**
 * A person's age today, from the stored birth date or, for a person stored before birth dates were kept, from their
 * sealed GB 11643 number (opened here, never stored or shown); null when neither tells.
 */
export async function ageOfPerson(manager: EntityManager, vault: PiiVault, personId: string, now = new Date()): Promise<number | null> {
  const [row]: { birth_date: string | null; document_type: DocumentType | null; id_number_sealed: string | null }[] = await manager.query(
    'SELECT birth_date, document_type, id_number_sealed FROM person WHERE id = $1',
    [personId],
  );
  if (!row) return null;
  if (row.birth_date) return ageOn(row.birth_date, now);
  if (row.id_number_sealed && row.document_type && carriesBirthAndSex(row.document_type)) {
    const read = birthAndSexOf(row.document_type, vault.decrypt(row.id_number_sealed));
    if (read) return ageOn(read.birthDate, now);
  }
  return null;
}

export function consentOf(row: Record<string, unknown>): ConsentRow {
  return {
    id: String(row.id),
    personId: String(row.person_id),
    purpose: row.purpose as ConsentPurpose,
    policyVersion: String(row.policy_version),
    method: row.method as ConsentRow['method'],
    paperReference: (row.paper_reference as string | null) ?? null,
    givenBy: row.given_by as ConsentGiver,
    representativeName: (row.representative_name as string | null) ?? null,
    representativeRelation: (row.representative_relation as string | null) ?? null,
    givenAt: row.given_at as Date,
    recordedBy: String(row.recorded_by),
    recordedAt: row.recorded_at as Date,
  };
}
