import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The dispatch worker's timers are derived from these columns (`dueTimers`): each index covers the orders whose stage
 * has a running deadline, or the active plans, so rebuilding the timers due in a window is one index range each.
 */
export class TimerIndexes1768000000001 implements MigrationInterface {
  name = 'TimerIndexes1768000000001';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE INDEX service_order_accept_due_idx ON service_order (accept_by, id) WHERE status = 'DISPATCHED'`);
    await runner.query(`CREATE INDEX service_order_deliver_due_idx ON service_order (deliver_by, id) WHERE status IN ('ACCEPTED', 'IN_PROGRESS')`);
    await runner.query(`CREATE INDEX service_order_evaluate_due_idx ON service_order (evaluate_by, id) WHERE status = 'DELIVERED'`);
    await runner.query(
      `CREATE INDEX service_order_visit_check_idx ON service_order (visit_due_at, id)
         WHERE care_plan_id IS NOT NULL AND NOT visit_missed AND status NOT IN ('DELIVERED', 'EVALUATED', 'CLOSED')`,
    );
    await runner.query('CREATE INDEX care_plan_next_visit_idx ON care_plan (next_visit_at, id) WHERE active');
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const index of ['service_order_accept_due_idx', 'service_order_deliver_due_idx', 'service_order_evaluate_due_idx', 'service_order_visit_check_idx', 'care_plan_next_visit_idx']) {
      await runner.query(`DROP INDEX ${index}`);
    }
  }
}
