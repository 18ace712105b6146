import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Delivery rounds: an order the requester evaluates NO is reopened and delivered again, and the volunteers serve
 * again. Each delivery is a numbered round (`order_delivery`) with the minutes each volunteer served in it
 * (`order_delivery_minutes`), so a later round no longer overwrites the minutes of an earlier one (they were kept on
 * `order_assignee.minutes`, which this migration replaces).
 *
 * Existing delivered orders become round 1, with the evaluation when it came after that delivery and the minutes
 * `order_assignee` held. An order already redelivered before this migration kept only its last round's minutes;
 * the earlier round's are not recoverable here.
 */
export class DeliveryRounds1765170000000 implements MigrationInterface {
  name = 'DeliveryRounds1765170000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE order_delivery (
        order_id bigint NOT NULL REFERENCES service_order (id),
        round int NOT NULL CHECK (round >= 1),
        delivered_at timestamptz NOT NULL,
        outcome text NOT NULL CHECK (outcome IN ('FULL', 'PARTIAL')),
        note text,
        rating int CHECK (rating BETWEEN 1 AND 5),
        resolved text CHECK (resolved IN ('YES', 'PARTLY', 'NO')),
        comment text,
        evaluated_at timestamptz,
        PRIMARY KEY (order_id, round),
        CHECK ((rating IS NULL) = (evaluated_at IS NULL) AND (resolved IS NULL) = (evaluated_at IS NULL))
      )`);
    await runner.query(`
      CREATE TABLE order_delivery_minutes (
        order_id bigint NOT NULL,
        round int NOT NULL,
        volunteer_id bigint NOT NULL,
        minutes int NOT NULL CHECK (minutes BETWEEN 1 AND 1440),
        PRIMARY KEY (order_id, round, volunteer_id),
        FOREIGN KEY (order_id, round) REFERENCES order_delivery (order_id, round)
      )`);
    await runner.query(`
      INSERT INTO order_delivery (order_id, round, delivered_at, outcome, note, rating, resolved, comment, evaluated_at)
      SELECT o.id, 1, o.delivered_at, o.outcome, o.delivery_note,
             CASE WHEN evaluated THEN o.rating END, CASE WHEN evaluated THEN o.resolved END,
             CASE WHEN evaluated THEN o.comment END, CASE WHEN evaluated THEN o.evaluated_at END
        FROM service_order o
       CROSS JOIN LATERAL (SELECT o.evaluated_at >= o.delivered_at AND o.rating IS NOT NULL AND o.resolved IS NOT NULL AS evaluated) e
       WHERE o.delivered_at IS NOT NULL AND o.outcome IS NOT NULL`);
    await runner.query(`
      INSERT INTO order_delivery_minutes (order_id, round, volunteer_id, minutes)
      SELECT a.order_id, 1, a.volunteer_id, a.minutes
        FROM order_assignee a JOIN order_delivery d ON d.order_id = a.order_id AND d.round = 1
       WHERE a.minutes > 0`);
    await runner.query('ALTER TABLE order_assignee DROP COLUMN minutes');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE order_assignee ADD COLUMN minutes int CHECK (minutes BETWEEN 0 AND 1440)');
    // Back to one figure per assignee: the last round they served in.
    await runner.query(`
      UPDATE order_assignee a SET minutes = m.minutes
        FROM (SELECT DISTINCT ON (order_id, volunteer_id) order_id, volunteer_id, minutes
                FROM order_delivery_minutes ORDER BY order_id, volunteer_id, round DESC) m
       WHERE m.order_id = a.order_id AND m.volunteer_id = a.volunteer_id`);
    await runner.query('DROP TABLE order_delivery_minutes');
    await runner.query('DROP TABLE order_delivery');
  }
}
