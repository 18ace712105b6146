import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * 条例 Art. 19: a delivery the station declares staff duty is not volunteer service. The order keeps the latest
 * delivery's declaration, and `order.delivered` carries it, so the volunteers subgraph makes no records of it.
 */
export class StaffDuty1768311000000 implements MigrationInterface {
  name = 'StaffDuty1768311000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE service_order ADD COLUMN staff_duty boolean NOT NULL DEFAULT false');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE service_order DROP COLUMN staff_duty');
  }
}
