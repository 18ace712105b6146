import type { EntityManager } from 'typeorm';
import { DocumentType, Gender, maskDocumentNumber, maskIdNumber, maskMobile, PiiVault, Role } from '@kz/auth';
import { isUniqueViolation } from '@kz/db';
import { Conflict } from '@kz/errors';
import type { UnitRef } from '../units/unit-ref';
import { Person } from './person.entity';

/** What a new person row needs; the ID number arrives in clear and is sealed here, never stored as given. */
export interface NewPerson {
  realName: string;
  mobile: string | null;
  idNumber: string | null;
  /** The type of `idNumber`'s document (checked by `resolveIdentity`); RESIDENT_ID when omitted with a number. */
  documentType?: DocumentType | null;
  gender?: Gender | null;
  /** `YYYY-MM-DD`. */
  birthDate?: string | null;
  /** Null for someone registered by staff who has no login (e.g. an elderly resident without a smartphone). */
  passwordHash: string | null;
  roles: Role[];
  home: UnitRef;
  staffUnit?: UnitRef;
  /** `self`, or the person id of the staff member who opened the account. */
  createdBy: string;
}

/**
 * Inserts a person in the caller's transaction: the ID number sealed (encrypted, with a keyed hash for uniqueness
 * and a masked form for display). A mobile or ID number already taken is a CONFLICT naming the field, with the
 * value masked: the ID number itself never appears in an error. `field` is where the input's person lies
 * (`input`, or `input.person` for an assisted registration).
 */
export async function insertPerson(manager: EntityManager, vault: PiiVault, person: NewPerson, field = 'input'): Promise<Person> {
  const documentType = person.idNumber ? (person.documentType ?? 'RESIDENT_ID') : null;
  try {
    const [row] = await manager.query(
      `INSERT INTO person (real_name, mobile, id_number_sealed, id_number_index, id_number_masked, password_hash, roles,
                           home_unit_id, home_unit_path, staff_unit_id, staff_unit_path, created_by, document_type, gender, birth_date)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id::text`,
      [
        person.realName,
        person.mobile,
        person.idNumber ? vault.encrypt(person.idNumber) : null,
        person.idNumber ? blindIndexOf(vault, documentType!, person.idNumber) : null,
        person.idNumber ? maskDocumentNumber(documentType!, person.idNumber) : null,
        person.passwordHash,
        person.roles,
        person.home.id,
        person.home.path,
        person.staffUnit?.id ?? null,
        person.staffUnit?.path ?? null,
        person.createdBy,
        documentType,
        person.gender ?? null,
        person.birthDate ?? null,
      ],
    );
    return manager.findOneByOrFail(Person, { id: row.id });
  } catch (error) {
    if (isUniqueViolation(error, 'person_mobile_key')) throw new Conflict(`${field}.mobile`, maskMobile(person.mobile ?? ''));
    if (isUniqueViolation(error, 'person_id_number_index_key')) {
      throw new Conflict(`${field}.idNumber`, documentType ? maskDocumentNumber(documentType, person.idNumber ?? '') : maskIdNumber(person.idNumber ?? ''));
    }
    throw error;
  }
}

/**
 * The keyed hash that keeps document numbers unique: of the number alone for a resident ID (as before types were
 * kept), of type and number for the others, whose numbering schemes may overlap (a passport and a travel permit).
 */
export function blindIndexOf(vault: PiiVault, type: DocumentType, idNumber: string): string {
  return vault.blindIndex(type === 'RESIDENT_ID' ? idNumber : `${type}:${idNumber}`);
}
