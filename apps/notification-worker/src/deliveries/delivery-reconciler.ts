import type { DataSource } from 'typeorm';
import { isFullReconcile, Queues, ReconcileTask, ReconcileTrigger } from '@kz/events';
import { deliveryJobId } from '@kz/notifications';
import type { DeliveryScheduler } from './delivery-scheduler';

const PAGE = 500;

/**
 * Timers from the database: each unsent delivery (PENDING, SCHEDULED, FAILED) has its due time in
 * `delivery.next_attempt_at`, and its delayed job (`notification.delivery.due`, one per delivery and revision) is only
 * a cache of it. This adds the jobs Redis lost, with the same job ids, reading one partial index
 * (`delivery_due_idx`): every unsent delivery at start and after Redis lost its data, those due within the window
 * otherwise.
 */
export class DeliveryReconciler implements ReconcileTask {
  readonly kind = 'delivery-timers';

  constructor(
    private readonly deps: { dataSource: DataSource; queues: Queues; scheduler: DeliveryScheduler; windowMs: number; now: () => number },
  ) {}

  async run(trigger: ReconcileTrigger): Promise<number> {
    const { dataSource, queues, scheduler } = this.deps;
    const before = isFullReconcile(trigger) ? null : new Date(this.deps.now() + this.deps.windowMs);
    let recreated = 0;
    // (the cursor keeps Postgres' text of the time: a JS Date would cut its microseconds and repeat the row)
    let cursor: [string, string] = ['epoch', '0'];
    for (;;) {
      const rows = (await dataSource.query(
        `SELECT id::text AS id, revision, next_attempt_at, next_attempt_at::text AS at_text FROM delivery
          WHERE status IN ('PENDING', 'SCHEDULED', 'FAILED') AND ($1::timestamptz IS NULL OR next_attempt_at < $1)
            AND (next_attempt_at, id) > ($2::timestamptz, $3::bigint)
          ORDER BY next_attempt_at, id LIMIT ${PAGE}`,
        [before, cursor[0], cursor[1]],
      )) as { id: string; revision: number; next_attempt_at: Date; at_text: string }[];
      const added = await Promise.all(
        rows.map(async (row): Promise<number> => {
          if (await queues.get('notifications').getJob(deliveryJobId(row.id, row.revision))) return 0;
          await scheduler.ensure({ id: row.id, revision: row.revision, nextAttemptAt: row.next_attempt_at });
          return 1;
        }),
      );
      recreated += added.reduce((sum, n) => sum + n, 0);
      const last = rows[rows.length - 1];
      if (rows.length < PAGE || !last) return recreated;
      cursor = [last.at_text, last.id];
    }
  }
}
