import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The W3C trace context of the span that wrote an outbox event (null with tracing off): the relay continues that
 * trace, so one trace runs from the request through the jobs its events cause. Every service database has an
 * outbox, so every service runs this migration.
 */
export class OutboxTraceparent1769500000000 implements MigrationInterface {
  name = 'OutboxTraceparent1769500000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE outbox ADD COLUMN traceparent text');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE outbox DROP COLUMN traceparent');
  }
}
