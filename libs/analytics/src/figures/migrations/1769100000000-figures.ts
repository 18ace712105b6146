import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The tables of the figures job (docs/analytics.md). Every table is either a sum that events add to (the order they
 * arrive in does not matter) or the first moment of something per order (kept with `least`, so an event arriving
 * after a later one still gives the right value); the daily figures and stage times are computed from them at query
 * time, for any range of days and any subtree.
 *
 * - `figures_applied`: the ids of the events applied, checked in the transaction that applies them (exactly once).
 * - `figures_skipped`: events the job does not understand (a version it was not written for, a payload that does
 *   not parse), acknowledged and never guessed at.
 * - `figures_unit_day`: sums per unit and local day (Asia/Shanghai).
 * - `figures_volunteer_day`: who had minutes verified, per unit and day (distinct volunteers of a subtree).
 * - `figures_order_moment`: the first time an order reached each moment (SUBMITTED, OPENED, DISPATCHED, ACCEPTED,
 *   DELIVERED, EVALUATED, CLOSED), with the unit of that event.
 * - `figures_order_category`: an order's category (from `order.submitted`, else from `order.delivered`).
 * - `figures_care_visit`: the orders that are care visits (from `carePlan.visit.due`).
 * - `figures_stage_time` (a view): per order and stage, its start, its end, the unit and day of its end, seconds.
 */
export class Figures1769100000000 implements MigrationInterface {
  name = 'Figures1769100000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE figures_applied (
        event_id uuid PRIMARY KEY,
        type text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(`
      CREATE TABLE figures_skipped (
        event_id uuid PRIMARY KEY,
        type text NOT NULL,
        version integer NOT NULL,
        reason text NOT NULL,
        skipped_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(`
      CREATE TABLE figures_unit_day (
        unit_path text NOT NULL,
        day date NOT NULL,
        verified_minutes bigint NOT NULL DEFAULT 0,
        escalations integer NOT NULL DEFAULT 0,
        points_earned bigint NOT NULL DEFAULT 0,
        points_redeemed bigint NOT NULL DEFAULT 0,
        points_transferred bigint NOT NULL DEFAULT 0,
        care_visits_missed integer NOT NULL DEFAULT 0,
        PRIMARY KEY (unit_path, day)
      )`);
    await runner.query('CREATE INDEX figures_unit_day_day_idx ON figures_unit_day (day, unit_path text_pattern_ops)');
    await runner.query(`
      CREATE TABLE figures_volunteer_day (
        unit_path text NOT NULL,
        day date NOT NULL,
        volunteer_id text NOT NULL,
        PRIMARY KEY (unit_path, day, volunteer_id)
      )`);
    await runner.query('CREATE INDEX figures_volunteer_day_day_idx ON figures_volunteer_day (day, unit_path text_pattern_ops)');
    await runner.query(`
      CREATE TABLE figures_order_moment (
        order_id text NOT NULL,
        moment text NOT NULL CHECK (moment IN ('SUBMITTED', 'OPENED', 'DISPATCHED', 'ACCEPTED', 'DELIVERED', 'EVALUATED', 'CLOSED')),
        at timestamptz NOT NULL,
        unit_path text NOT NULL,
        day date NOT NULL,
        PRIMARY KEY (order_id, moment)
      )`);
    await runner.query('CREATE INDEX figures_order_moment_day_idx ON figures_order_moment (moment, day, unit_path text_pattern_ops)');
    await runner.query(`
      CREATE TABLE figures_order_category (
        order_id text PRIMARY KEY,
        category text NOT NULL,
        from_submission boolean NOT NULL
      )`);
    await runner.query('CREATE TABLE figures_care_visit (order_id text PRIMARY KEY)');

    // The stages of the six-order method, from the first time an order reached the stage's start to the first time it
    // reached its end; counted on the day and unit of the end.
    await runner.query(`
      CREATE VIEW figures_stage_time AS
      SELECT e.order_id, s.stage, b.at AS started_at, e.at AS ended_at, e.unit_path, e.day,
             extract(epoch FROM e.at - b.at)::float8 AS seconds
      FROM (VALUES ('DISPATCH', 'SUBMITTED', 'DISPATCHED'),
                   ('ACCEPT', 'DISPATCHED', 'ACCEPTED'),
                   ('DELIVER', 'ACCEPTED', 'DELIVERED'),
                   ('EVALUATE', 'DELIVERED', 'EVALUATED'),
                   ('TOTAL', 'OPENED', 'CLOSED')) AS s (stage, start_moment, end_moment)
      JOIN figures_order_moment e ON e.moment = s.end_moment
      JOIN figures_order_moment b ON b.order_id = e.order_id AND b.moment = s.start_moment`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP VIEW figures_stage_time');
    for (const table of [
      'figures_care_visit',
      'figures_order_category',
      'figures_order_moment',
      'figures_volunteer_day',
      'figures_unit_day',
      'figures_skipped',
      'figures_applied',
    ]) {
      await runner.query(`DROP TABLE ${table}`);
    }
  }
}
