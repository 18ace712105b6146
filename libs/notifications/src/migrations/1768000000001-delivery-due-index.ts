import { MigrationInterface, QueryRunner } from 'typeorm';

/** The notification worker rebuilds the delivery jobs of unsent deliveries from `next_attempt_at`. */
export class DeliveryDueIndex1768000000001 implements MigrationInterface {
  name = 'DeliveryDueIndex1768000000001';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE INDEX delivery_due_idx ON delivery (next_attempt_at, id) WHERE status IN ('PENDING', 'SCHEDULED', 'FAILED')`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP INDEX delivery_due_idx');
  }
}
