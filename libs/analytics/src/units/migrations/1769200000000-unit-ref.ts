import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The analytics database's replica of the org subgraph's units (the same `unit_ref` as every service keeps, see
 * `@kz/org-replica`): the analytics subgraph finds a unit's path here to sum the figures of its subtree. The figures
 * job keeps it from the `org.unit.*` events of the stream; `npm run seed` fills it like the others.
 */
export class UnitRef1769200000000 implements MigrationInterface {
  name = 'UnitRef1769200000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE unit_ref (
        id bigint PRIMARY KEY,
        code text NOT NULL UNIQUE,
        path text NOT NULL,
        level text NOT NULL,
        name text NOT NULL,
        version timestamptz NOT NULL
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE unit_ref');
  }
}
