import type { QueryRunner } from 'typeorm';

/**
 * The tables every service database has besides its own: the outbox and the processed-event log. Each service's
 * first migration calls this, so the shape is written once.
 */
export async function createPlatformTables(queryRunner: QueryRunner): Promise<void> {
  await queryRunner.query(`
    CREATE TABLE outbox (
      id uuid PRIMARY KEY,
      seq bigserial NOT NULL,
      type text NOT NULL,
      version int NOT NULL,
      occurred_at timestamptz NOT NULL,
      actor jsonb NOT NULL,
      unit_path text,
      payload jsonb NOT NULL,
      request_id text,
      published_at timestamptz,
      attempts int NOT NULL DEFAULT 0,
      last_error text
    )`);
  await queryRunner.query(`CREATE INDEX outbox_unpublished_idx ON outbox (seq) WHERE published_at IS NULL`);
  await queryRunner.query(`
    CREATE TABLE processed_event (
      consumer text NOT NULL,
      event_id uuid NOT NULL,
      processed_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (consumer, event_id)
    )`);
}

export async function dropPlatformTables(queryRunner: QueryRunner): Promise<void> {
  await queryRunner.query('DROP TABLE processed_event');
  await queryRunner.query('DROP TABLE outbox');
}
