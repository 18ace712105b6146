import type { DataSource } from 'typeorm';
import { birthAndSexOf, hashPassword, maskIdNumber, PiiVault, withCheckDigit } from '@kz/auth';
import type { SeedPerson } from '@kz/seed-data';
import { UnitRef, upsertUnitRefs } from '../units/unit-ref';

/**
 * Loads the replica of org units (seeding writes no events, so the seed tool hands them over) and the people with
 * logins, by mobile number. A password someone has changed since is kept; everything else follows the data set.
 */
export async function seedPeople(
  dataSource: DataSource,
  vault: PiiVault,
  units: UnitRef[],
  people: SeedPerson[],
  password: string,
  passwordCost?: number,
): Promise<{ units: number; people: number }> {
  const passwordHash = await hashPassword(password, passwordCost);
  return dataSource.transaction(async (manager) => {
    await upsertUnitRefs(manager, units, new Date(0).toISOString());
    const byCode = new Map(units.map((unit) => [unit.code, unit]));
    for (const person of people) {
      const unit = byCode.get(person.unitCode);
      if (!unit) throw new Error(`seed data: ${person.mobile} refers to unknown unit ${person.unitCode}`);
      const staff = !['RESIDENT', 'VOLUNTEER'].includes(person.role);
      const roles = person.role === 'RESIDENT' ? ['RESIDENT'] : ['RESIDENT', person.role];
      const idNumber = withCheckDigit(person.idNumberStem);
      const [row] = await manager.query(
        `INSERT INTO person (real_name, mobile, id_number_sealed, id_number_index, id_number_masked, password_hash, roles,
                             home_unit_id, home_unit_path, staff_unit_id, staff_unit_path, created_by, document_type, gender, birth_date)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'seed', 'RESIDENT_ID', $12, $13)
         ON CONFLICT (mobile) DO UPDATE SET real_name = EXCLUDED.real_name, roles = EXCLUDED.roles,
           home_unit_id = EXCLUDED.home_unit_id, home_unit_path = EXCLUDED.home_unit_path,
           staff_unit_id = EXCLUDED.staff_unit_id, staff_unit_path = EXCLUDED.staff_unit_path,
           password_hash = coalesce(person.password_hash, EXCLUDED.password_hash), document_type = EXCLUDED.document_type,
           gender = EXCLUDED.gender, birth_date = EXCLUDED.birth_date, updated_at = now()
         RETURNING id::text`,
        [
          person.realName,
          person.mobile,
          vault.encrypt(idNumber),
          vault.blindIndex(idNumber),
          maskIdNumber(idNumber),
          passwordHash,
          roles,
          unit.id,
          unit.path,
          staff ? unit.id : null,
          staff ? unit.path : null,
          birthAndSexOf('RESIDENT_ID', idNumber)!.gender,
          birthAndSexOf('RESIDENT_ID', idNumber)!.birthDate,
        ],
      );
      if (person.role === 'VOLUNTEER') {
        await manager.query(
          `INSERT INTO volunteer (person_id, status, home_station_id, home_station_path) VALUES ($1, 'ACTIVE', $2, $3)
           ON CONFLICT (person_id) DO NOTHING`,
          [row.id, unit.id, unit.path],
        );
      }
    }
    return { units: units.length, people: people.length };
  });
}
