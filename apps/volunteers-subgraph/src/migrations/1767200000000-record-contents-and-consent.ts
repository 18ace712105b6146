import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * 《志愿服务记录与证明出具办法（试行）》 Arts. 5–7 (docs/records.md):
 *
 * - activities gain their 活动负责人 (a person, with the name as it was when they were named);
 * - service records gain the place, the content and the 活动负责人 as at the time of the service;
 * - people gain gender, birth date and the type of their identity document; volunteers their residence area and
 *   preferred service categories;
 * - consents (registration, the sealed document number, export) get a table of their own.
 *
 * Backfill of rows made before this migration, from what the database knows and nothing else:
 * - an activity's 负责人 is whoever created it (when that is a person), with that person's current name;
 * - a check-out record takes its activity's place, description (or title, without one) and 负责人; an offline or
 *   order record takes its title as its content and keeps no place (null: none was recorded) and no 负责人;
 * - every person with a sealed ID number had it checked as a resident ID, so its type is RESIDENT_ID; the gender
 *   comes from the masked number (its 17th character, the sequence code's last digit, is kept in the masked form);
 *   the birth date is masked there and stays null (the age rule opens the sealed number when it needs the age).
 */
export class RecordContentsAndConsent1767200000000 implements MigrationInterface {
  name = 'RecordContentsAndConsent1767200000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      ALTER TABLE activity
        ADD COLUMN responsible_person_id bigint REFERENCES person (id),
        ADD COLUMN responsible_name text`);
    await runner.query(`
      UPDATE activity a SET responsible_person_id = p.id, responsible_name = p.real_name
        FROM person p WHERE a.created_by ~ '^[1-9][0-9]{0,17}$' AND p.id = a.created_by::bigint`);

    await runner.query(`
      ALTER TABLE service_record
        ADD COLUMN place text,
        ADD COLUMN content text,
        ADD COLUMN responsible_person_id bigint REFERENCES person (id),
        ADD COLUMN responsible_name text`);
    await runner.query(`
      UPDATE service_record r
         SET place = a.place_name, content = coalesce(nullif(a.description, ''), a.title),
             responsible_person_id = a.responsible_person_id, responsible_name = a.responsible_name
        FROM activity a WHERE r.activity_id = a.id`);
    await runner.query(`UPDATE service_record SET content = title WHERE content IS NULL`);
    await runner.query(`ALTER TABLE service_record ALTER COLUMN content SET NOT NULL`);
    // A writer that names no content (an older one, a direct insert) records the title as what was done, so no record
    // is ever without one; every writer of this app names it.
    await runner.query(`
      CREATE FUNCTION service_record_content_default() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.content IS NULL THEN NEW.content := NEW.title; END IF;
        RETURN NEW;
      END $$`);
    await runner.query(`
      CREATE TRIGGER service_record_content_default BEFORE INSERT ON service_record
        FOR EACH ROW EXECUTE FUNCTION service_record_content_default()`);
    // A record names its 负责人 by name at least: an id without a name would lose who it was.
    await runner.query(`ALTER TABLE service_record ADD CONSTRAINT service_record_responsible_named CHECK (responsible_person_id IS NULL OR responsible_name IS NOT NULL)`);

    await runner.query(`
      ALTER TABLE person
        ADD COLUMN document_type text CHECK (document_type IN ('RESIDENT_ID', 'HK_MACAO_RESIDENCE_PERMIT', 'TAIWAN_RESIDENCE_PERMIT',
          'HK_MACAO_TRAVEL_PERMIT', 'TAIWAN_TRAVEL_PERMIT', 'PASSPORT', 'FOREIGN_PERMANENT_RESIDENT_ID')),
        ADD COLUMN gender text CHECK (gender IN ('M', 'F')),
        ADD COLUMN birth_date text CHECK (birth_date ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$')`);
    await runner.query(`UPDATE person SET document_type = 'RESIDENT_ID' WHERE id_number_sealed IS NOT NULL`);
    await runner.query(`
      UPDATE person SET gender = CASE WHEN substr(id_number_masked, 17, 1)::int % 2 = 1 THEN 'M' ELSE 'F' END
       WHERE id_number_masked ~ '^[0-9]{6}[*]{8}[0-9]{3}[0-9X]$'`);
    await runner.query(`ALTER TABLE person ADD CONSTRAINT person_document_typed CHECK (id_number_sealed IS NULL OR document_type IS NOT NULL)`);

    await runner.query(`
      ALTER TABLE volunteer
        ADD COLUMN residence_area text,
        ADD COLUMN service_categories text[] NOT NULL DEFAULT '{}'`);

    await runner.query(`
      CREATE TABLE consent (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        person_id bigint NOT NULL REFERENCES person (id),
        purpose text NOT NULL CHECK (purpose IN ('REGISTRATION', 'DOCUMENT_NUMBER', 'EXPORT')),
        policy_version text NOT NULL,
        method text NOT NULL CHECK (method IN ('SELF', 'ASSISTED')),
        paper_reference text,
        given_by text NOT NULL CHECK (given_by IN ('SELF', 'GUARDIAN', 'LEGAL_REPRESENTATIVE')),
        representative_name text,
        representative_relation text,
        given_at timestamptz NOT NULL,
        recorded_by text NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        CHECK (method = 'SELF' OR paper_reference IS NOT NULL),
        CHECK (given_by = 'SELF' OR (representative_name IS NOT NULL AND representative_relation IS NOT NULL))
      )`);
    await runner.query('CREATE INDEX consent_person_idx ON consent (person_id, purpose, given_at)');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE consent');
    await runner.query('ALTER TABLE volunteer DROP COLUMN residence_area, DROP COLUMN service_categories');
    await runner.query('ALTER TABLE person DROP CONSTRAINT person_document_typed, DROP COLUMN document_type, DROP COLUMN gender, DROP COLUMN birth_date');
    await runner.query('DROP TRIGGER service_record_content_default ON service_record');
    await runner.query('DROP FUNCTION service_record_content_default()');
    await runner.query(`
      ALTER TABLE service_record DROP CONSTRAINT service_record_responsible_named,
        DROP COLUMN place, DROP COLUMN content, DROP COLUMN responsible_person_id, DROP COLUMN responsible_name`);
    await runner.query('ALTER TABLE activity DROP COLUMN responsible_person_id, DROP COLUMN responsible_name');
  }
}
