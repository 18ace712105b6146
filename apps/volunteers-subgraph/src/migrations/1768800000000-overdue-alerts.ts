import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The units already told, per Beijing day, that service records are past their recording deadline (办法 Art. 11):
 * the daily check's key, so however often it runs (and on however many replicas) a unit hears once a day.
 */
export class OverdueAlerts1768800000000 implements MigrationInterface {
  name = 'OverdueAlerts1768800000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE overdue_record_alert (
        unit_id bigint NOT NULL,
        day date NOT NULL,
        count int NOT NULL,
        alerted_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (unit_id, day)
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE overdue_record_alert`);
  }
}
