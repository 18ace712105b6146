import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The photo store in a database of its own (`MEDIA_DATABASE`): each upload re-encoded without its metadata, with its
 * thumbnail, both as bytea. A photo is unattached until an order or a service record takes it
 * (`media.photo.attached`); the sweep deletes unattached ones after `MEDIA_UNATTACHED_HOURS`.
 */
export class Media1767000000000 implements MigrationInterface {
  name = 'Media1767000000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE media (
        id uuid PRIMARY KEY,
        owner_person_id text NOT NULL,
        content_type text NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png', 'image/webp')),
        width int NOT NULL CHECK (width > 0),
        height int NOT NULL CHECK (height > 0),
        image bytea NOT NULL,
        thumbnail bytea NOT NULL,
        thumbnail_width int NOT NULL,
        thumbnail_height int NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        attached_at timestamptz,
        attached_to text
      )`);
    // The sweep's query: unattached uploads by age.
    await runner.query('CREATE INDEX media_unattached_idx ON media (created_at) WHERE attached_at IS NULL');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE media');
  }
}
