import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The outbox keeps published events for a window (OUTBOX_RESEND_WINDOW_MINUTES) so they can be sent again if Redis
 * loses their jobs; the sweep reads them by publication time and prunes the older ones. Every service database has
 * an outbox, so every service runs this migration.
 */
export class OutboxPublishedIndex1768000000000 implements MigrationInterface {
  name = 'OutboxPublishedIndex1768000000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('CREATE INDEX outbox_published_idx ON outbox (published_at) WHERE published_at IS NOT NULL');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP INDEX outbox_published_idx');
  }
}
