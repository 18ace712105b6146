import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A unit's legal identity, which a certificate of service names (办法 Art. 15): its legal name, 统一社会信用代码
 * (GB 32100-2015, checked on input) and 负责人. All three or none.
 */
export class UnitLegal1768720000000 implements MigrationInterface {
  name = 'UnitLegal1768720000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      ALTER TABLE practice_unit
        ADD COLUMN legal_name text,
        ADD COLUMN uscc text CHECK (uscc ~ '^[0-9A-Z]{18}$'),
        ADD COLUMN head_name text,
        ADD CONSTRAINT practice_unit_legal_complete CHECK ((legal_name IS NULL) = (uscc IS NULL) AND (uscc IS NULL) = (head_name IS NULL))`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE practice_unit DROP CONSTRAINT practice_unit_legal_complete, DROP COLUMN legal_name, DROP COLUMN uscc, DROP COLUMN head_name');
  }
}
