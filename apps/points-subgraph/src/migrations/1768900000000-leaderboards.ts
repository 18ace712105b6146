import { MigrationInterface, QueryRunner } from 'typeorm';
import { rebuildPeriodEarned } from '../leaderboards/period-earned';

/**
 * Leaderboards of points earned (积分排行, docs/api.md "Leaderboards"): the points each person account earned per
 * Beijing week, month and year (backfilled from the ledger), the volunteers' choice of public ranking as the
 * volunteers service announces it (`volunteer.ranking.changed`; no row: ranked in public, the default), and the
 * indexes that read a board in rank order.
 */
export class Leaderboards1768900000000 implements MigrationInterface {
  name = 'Leaderboards1768900000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE points_period_earned (
        period text NOT NULL CHECK (period IN ('WEEK', 'MONTH', 'YEAR')),
        starts_on date NOT NULL,
        account_id bigint NOT NULL REFERENCES points_account (id),
        points bigint NOT NULL,
        PRIMARY KEY (period, starts_on, account_id)
      )`);
    await runner.query('CREATE INDEX points_period_earned_rank ON points_period_earned (period, starts_on, points DESC, account_id)');
    await runner.query(
      `CREATE INDEX points_account_all_time_rank ON points_account (lifetime_earned DESC, id) INCLUDE (unit_path, person_id)
        WHERE kind = 'PERSON' AND lifetime_earned > 0`,
    );
    await runner.query(`
      CREATE TABLE ranking_preference (
        person_id bigint PRIMARY KEY,
        public_ranking boolean NOT NULL,
        -- When the volunteer made the choice: an older event arriving late does not undo a newer one.
        chosen_at timestamptz NOT NULL
      )`);
    await rebuildPeriodEarned(runner.manager);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE ranking_preference');
    await runner.query('DROP INDEX points_account_all_time_rank');
    await runner.query('DROP TABLE points_period_earned');
  }
}
