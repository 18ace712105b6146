import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Identity: login credentials with lockout, roles and the unit a staff role administers, the resident ID number
 * sealed (encrypted, with a keyed hash for uniqueness and a masked form for display), and a replica of the org
 * units (id, path, level) that scope checks need without calling the org subgraph.
 */
export class PeopleAndLogin1764500000000 implements MigrationInterface {
  name = 'PeopleAndLogin1764500000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE unit_ref (
        id bigint PRIMARY KEY,
        code text NOT NULL UNIQUE,
        path text NOT NULL,
        level text NOT NULL CHECK (level IN ('CENTER', 'INSTITUTE', 'STATION', 'POINT')),
        name text NOT NULL,
        version timestamptz NOT NULL
      )`);
    await runner.query('CREATE INDEX unit_ref_path_idx ON unit_ref (path text_pattern_ops)');
    await runner.query(`
      ALTER TABLE person
        ADD COLUMN id_number_sealed text,
        ADD COLUMN id_number_index text UNIQUE,
        ADD COLUMN id_number_masked text,
        ADD COLUMN password_hash text,
        ADD COLUMN failed_logins int NOT NULL DEFAULT 0 CHECK (failed_logins >= 0),
        ADD COLUMN locked_until timestamptz,
        ADD COLUMN roles text[] NOT NULL DEFAULT '{RESIDENT}',
        ADD COLUMN staff_unit_id bigint,
        ADD COLUMN staff_unit_path text,
        ADD COLUMN home_unit_id bigint,
        ADD COLUMN home_unit_path text,
        ADD COLUMN created_by text,
        ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now(),
        ADD CONSTRAINT person_id_number_whole CHECK ((id_number_sealed IS NULL) = (id_number_index IS NULL)),
        ADD CONSTRAINT person_staff_unit_whole CHECK ((staff_unit_id IS NULL) = (staff_unit_path IS NULL)),
        ADD CONSTRAINT person_home_unit_whole CHECK ((home_unit_id IS NULL) = (home_unit_path IS NULL))`);
    await runner.query('CREATE INDEX person_home_unit_path_idx ON person (home_unit_path text_pattern_ops)');
    await runner.query('CREATE INDEX person_staff_unit_path_idx ON person (staff_unit_path text_pattern_ops)');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`
      ALTER TABLE person
        DROP COLUMN id_number_sealed, DROP COLUMN id_number_index, DROP COLUMN id_number_masked,
        DROP COLUMN password_hash, DROP COLUMN failed_logins, DROP COLUMN locked_until, DROP COLUMN roles,
        DROP COLUMN staff_unit_id, DROP COLUMN staff_unit_path, DROP COLUMN home_unit_id, DROP COLUMN home_unit_path,
        DROP COLUMN created_by, DROP COLUMN updated_at`);
    await runner.query('DROP TABLE unit_ref');
  }
}
