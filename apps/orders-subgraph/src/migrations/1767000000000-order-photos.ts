import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Photos uploaded to the gateway and attached to an order: with the placement (round null) or as proof of a delivery
 * round. The photo's bytes stay in the gateway's media store; this keeps what the signed upload id said (id, size,
 * type) so the graph can sign URLs without asking anyone. A photo belongs to one order only (primary key).
 */
export class OrderPhotos1767000000000 implements MigrationInterface {
  name = 'OrderPhotos1767000000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE order_photo (
        photo_id uuid PRIMARY KEY,
        order_id bigint NOT NULL REFERENCES service_order (id),
        round int CHECK (round >= 1),
        position int NOT NULL CHECK (position >= 0),
        content_type text NOT NULL,
        width int NOT NULL,
        height int NOT NULL,
        uploaded_by text NOT NULL,
        attached_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query('CREATE INDEX order_photo_order_idx ON order_photo (order_id, round, position)');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE order_photo');
  }
}
