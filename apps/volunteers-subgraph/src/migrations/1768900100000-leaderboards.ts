import { MigrationInterface, QueryRunner } from 'typeorm';
import { rebuildPeriodMinutes } from '../leaderboards/period-minutes';

/**
 * Leaderboards of verified hours (docs/api.md, "Leaderboards"): the volunteer's choice to be ranked in public
 * (`public_ranking`, default yes), the verified minutes per Beijing week, month and year (backfilled from the
 * verified records), and the indexes that read a board in rank order: a period's rows by minutes, and for all time
 * the active volunteers by their running total.
 */
export class Leaderboards1768900100000 implements MigrationInterface {
  name = 'Leaderboards1768900100000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE volunteer ADD COLUMN public_ranking boolean NOT NULL DEFAULT true');
    await runner.query(`
      CREATE TABLE volunteer_period_minutes (
        period text NOT NULL CHECK (period IN ('WEEK', 'MONTH', 'YEAR')),
        starts_on date NOT NULL,
        volunteer_id bigint NOT NULL REFERENCES volunteer (id),
        minutes int NOT NULL,
        PRIMARY KEY (period, starts_on, volunteer_id)
      )`);
    await runner.query('CREATE INDEX volunteer_period_minutes_rank ON volunteer_period_minutes (period, starts_on, minutes DESC, volunteer_id)');
    await runner.query(
      `CREATE INDEX volunteer_all_time_rank ON volunteer (verified_minutes DESC, id) INCLUDE (home_station_path, public_ranking)
        WHERE status = 'ACTIVE' AND verified_minutes > 0`,
    );
    await rebuildPeriodMinutes(runner.manager);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP INDEX volunteer_all_time_rank');
    await runner.query('DROP TABLE volunteer_period_minutes');
    await runner.query('ALTER TABLE volunteer DROP COLUMN public_ranking');
  }
}
