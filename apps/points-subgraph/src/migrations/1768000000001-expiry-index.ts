import { MigrationInterface, QueryRunner } from 'typeorm';

/** The dispatch worker rebuilds the expiry timers of reserved redemptions from `expires_at` (`redemptionExpiries`). */
export class ExpiryIndex1768000000001 implements MigrationInterface {
  name = 'ExpiryIndex1768000000001';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE INDEX redemption_expiry_idx ON redemption (expires_at, id) WHERE status = 'RESERVED'`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP INDEX redemption_expiry_idx');
  }
}
