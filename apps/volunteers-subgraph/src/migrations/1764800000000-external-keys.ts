import { MigrationInterface, QueryRunner } from 'typeorm';

/** Natural keys for activities loaded from elsewhere (seed data, imports), so a reload updates instead of duplicating. */
export class ExternalKeys1764800000000 implements MigrationInterface {
  name = 'ExternalKeys1764800000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE activity ADD COLUMN external_key text UNIQUE');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE activity DROP COLUMN external_key');
  }
}
