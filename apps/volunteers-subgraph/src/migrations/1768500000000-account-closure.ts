import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Closing an account (PIPL Arts. 19, 47): a person gains `closed_at`, and a volunteer the terminal status CLOSED
 * (never assignable again, in no active list), with a CLOSED line in the review history. The closed person's row
 * stays, scrubbed, so service records keep the id they were made under (docs/records.md).
 */
export class AccountClosure1768500000000 implements MigrationInterface {
  name = 'AccountClosure1768500000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE person ADD COLUMN closed_at timestamptz');
    // A closed person keeps nothing to sign in with or to be reached by.
    await runner.query(`
      ALTER TABLE person ADD CONSTRAINT person_closed_scrubbed CHECK (
        closed_at IS NULL OR (mobile IS NULL AND password_hash IS NULL AND id_number_sealed IS NULL AND id_number_index IS NULL
                              AND id_number_masked IS NULL AND birth_date IS NULL AND gender IS NULL AND roles = '{}'))`);
    await runner.query('ALTER TABLE volunteer DROP CONSTRAINT volunteer_status_check');
    await runner.query(`
      ALTER TABLE volunteer ADD CONSTRAINT volunteer_status_check
        CHECK (status IN ('PENDING', 'ACTIVE', 'SUSPENDED', 'REJECTED', 'CLOSED'))`);
    await runner.query('ALTER TABLE volunteer_review DROP CONSTRAINT volunteer_review_decision_check');
    await runner.query(`
      ALTER TABLE volunteer_review ADD CONSTRAINT volunteer_review_decision_check
        CHECK (decision IN ('REGISTERED', 'APPROVED', 'REJECTED', 'SUSPENDED', 'REINSTATED', 'CLOSED'))`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE volunteer_review DROP CONSTRAINT volunteer_review_decision_check');
    await runner.query(`
      ALTER TABLE volunteer_review ADD CONSTRAINT volunteer_review_decision_check
        CHECK (decision IN ('REGISTERED', 'APPROVED', 'REJECTED', 'SUSPENDED', 'REINSTATED'))`);
    await runner.query('ALTER TABLE volunteer DROP CONSTRAINT volunteer_status_check');
    await runner.query(`
      ALTER TABLE volunteer ADD CONSTRAINT volunteer_status_check
        CHECK (status IN ('PENDING', 'ACTIVE', 'SUSPENDED', 'REJECTED'))`);
    await runner.query('ALTER TABLE person DROP CONSTRAINT person_closed_scrubbed, DROP COLUMN closed_at');
  }
}
