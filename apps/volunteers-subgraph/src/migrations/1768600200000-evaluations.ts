import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Evaluations (办法 Art. 10; issue 23 part 6): staff's quality rating of a volunteer on a service record (one per
 * record, the latest stands), and the resident's rating of an order as feedback on each volunteer of the evaluated
 * delivery round, once per (order, round, volunteer).
 */
export class Evaluations1768600200000 implements MigrationInterface {
  name = 'Evaluations1768600200000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE service_record_evaluation (
        record_id bigint PRIMARY KEY REFERENCES service_record (id),
        rating int NOT NULL CHECK (rating BETWEEN 1 AND 5),
        note text,
        evaluated_by text NOT NULL,
        evaluated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(`
      CREATE TABLE order_feedback (
        order_id text NOT NULL,
        order_round int NOT NULL CHECK (order_round >= 1),
        volunteer_id bigint NOT NULL REFERENCES volunteer (id),
        rating int CHECK (rating BETWEEN 1 AND 5),
        resolved text CHECK (resolved IN ('YES', 'PARTLY', 'NO')),
        event_id text NOT NULL,
        evaluated_at timestamptz NOT NULL,
        PRIMARY KEY (order_id, order_round, volunteer_id)
      )`);
    await runner.query('CREATE INDEX order_feedback_volunteer ON order_feedback (volunteer_id)');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE order_feedback');
    await runner.query('DROP TABLE service_record_evaluation');
  }
}
