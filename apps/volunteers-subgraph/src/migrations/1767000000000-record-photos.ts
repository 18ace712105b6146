import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Photos uploaded to the gateway and attached to an offline service record as evidence. The bytes stay in the
 * gateway's media store; this keeps what the signed upload id said (id, size, type). A photo belongs to one record.
 */
export class RecordPhotos1767000000000 implements MigrationInterface {
  name = 'RecordPhotos1767000000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE service_record_photo (
        photo_id uuid PRIMARY KEY,
        record_id bigint NOT NULL REFERENCES service_record (id),
        position int NOT NULL CHECK (position >= 0),
        content_type text NOT NULL,
        width int NOT NULL,
        height int NOT NULL,
        uploaded_by text NOT NULL,
        attached_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query('CREATE INDEX service_record_photo_record_idx ON service_record_photo (record_id, position)');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE service_record_photo');
  }
}
