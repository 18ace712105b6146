import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A refused registration is its own status, REJECTED (with the reason in `status_reason`): it is neither waiting
 * (PENDING) nor barred after approval (SUSPENDED), and the person may register again, which turns the same row
 * back to PENDING. Also an index for the staff search by the last digits of a mobile number (a suffix match is a
 * prefix match on the reversed number).
 */
export class VolunteerRejected1764700000000 implements MigrationInterface {
  name = 'VolunteerRejected1764700000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE volunteer DROP CONSTRAINT volunteer_status_check');
    await runner.query(`
      ALTER TABLE volunteer ADD CONSTRAINT volunteer_status_check
        CHECK (status IN ('PENDING', 'ACTIVE', 'SUSPENDED', 'REJECTED'))`);
    await runner.query('CREATE INDEX person_mobile_reversed_idx ON person (reverse(mobile) text_pattern_ops)');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP INDEX person_mobile_reversed_idx');
    await runner.query(`UPDATE volunteer SET status = 'PENDING' WHERE status = 'REJECTED'`);
    await runner.query('ALTER TABLE volunteer DROP CONSTRAINT volunteer_status_check');
    await runner.query(`
      ALTER TABLE volunteer ADD CONSTRAINT volunteer_status_check
        CHECK (status IN ('PENDING', 'ACTIVE', 'SUSPENDED'))`);
  }
}
