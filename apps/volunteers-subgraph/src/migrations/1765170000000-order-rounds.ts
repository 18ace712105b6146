import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One service record per volunteer, order and delivery round: an order reopened after an evaluation of NO is
 * delivered again, and the volunteers served again. The records made so far were made for the first (or only)
 * delivery of their order, so they are round 1.
 */
export class OrderRounds1765170000000 implements MigrationInterface {
  name = 'OrderRounds1765170000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE service_record ADD COLUMN order_round int CHECK (order_round >= 1)');
    await runner.query('UPDATE service_record SET order_round = 1 WHERE order_id IS NOT NULL');
    await runner.query('ALTER TABLE service_record ADD CONSTRAINT service_record_order_round CHECK ((order_id IS NULL) = (order_round IS NULL))');
    await runner.query('DROP INDEX service_record_order_key');
    await runner.query(
      'CREATE UNIQUE INDEX service_record_order_key ON service_record (volunteer_id, order_id, order_round) WHERE order_id IS NOT NULL',
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    // Only the first round's records fit the old one-record-per-order key; later rounds' records must go first.
    await runner.query('DROP INDEX service_record_order_key');
    await runner.query('CREATE UNIQUE INDEX service_record_order_key ON service_record (volunteer_id, order_id) WHERE order_id IS NOT NULL');
    await runner.query('ALTER TABLE service_record DROP CONSTRAINT service_record_order_round, DROP COLUMN order_round');
  }
}
