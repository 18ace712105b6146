import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Not volunteer service (条例 Art. 19, docs/records.md): an activity flagged as staff duty makes no service records,
 * and a record of a person serving their own unit in a staff role is held for review (`held_reason`), with the staff
 * unit they held then (`held_staff_path`), so the rule of who may review it reads the situation as it was.
 */
export class NotVolunteerService1768311000000 implements MigrationInterface {
  name = 'NotVolunteerService1768311000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE activity ADD COLUMN staff_duty boolean NOT NULL DEFAULT false');
    await runner.query(`
      ALTER TABLE service_record
        ADD COLUMN held_reason text CHECK (held_reason IN ('OWN_UNIT_STAFF')),
        ADD COLUMN held_staff_path text,
        ADD CONSTRAINT service_record_held_whole CHECK ((held_reason IS NULL) = (held_staff_path IS NULL))`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE service_record DROP CONSTRAINT service_record_held_whole, DROP COLUMN held_staff_path, DROP COLUMN held_reason');
    await runner.query('ALTER TABLE activity DROP COLUMN staff_duty');
  }
}
