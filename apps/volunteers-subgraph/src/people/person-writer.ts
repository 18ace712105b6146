import type { EntityManager } from 'typeorm';
import { maskIdNumber, maskMobile, PiiVault, Role } from '@kz/auth';
import { isUniqueViolation } from '@kz/db';
import { Conflict } from '@kz/errors';
import type { UnitRef } from '../units/unit-ref';
import { Person } from './person.entity';

/** What a new person row needs; the ID number arrives in clear and is sealed here, never stored as given. */
export interface NewPerson {
  realName: string;
  mobile: string | null;
  idNumber: string | null;
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
  try {
    const [row] = await manager.query(
      `INSERT INTO person (real_name, mobile, id_number_sealed, id_number_index, id_number_masked, password_hash, roles,
                           home_unit_id, home_unit_path, staff_unit_id, staff_unit_path, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id::text`,
      [
        person.realName,
        person.mobile,
        person.idNumber ? vault.encrypt(person.idNumber) : null,
        person.idNumber ? vault.blindIndex(person.idNumber) : null,
        person.idNumber ? maskIdNumber(person.idNumber) : null,
        person.passwordHash,
        person.roles,
        person.home.id,
        person.home.path,
        person.staffUnit?.id ?? null,
        person.staffUnit?.path ?? null,
        person.createdBy,
      ],
    );
    return manager.findOneByOrFail(Person, { id: row.id });
  } catch (error) {
    if (isUniqueViolation(error, 'person_mobile_key')) throw new Conflict(`${field}.mobile`, maskMobile(person.mobile ?? ''));
    if (isUniqueViolation(error, 'person_id_number_index_key')) throw new Conflict(`${field}.idNumber`, maskIdNumber(person.idNumber ?? ''));
    throw error;
  }
}
