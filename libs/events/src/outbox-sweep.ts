import type { DataSource } from 'typeorm';
import type { Logger } from '@kz/telemetry';
import { isEventType } from './catalog';
import type { EventEnvelope } from './envelope';
import type { Queues } from './queues';
import { isFullReconcile, ReconcileTask, ReconcileTrigger } from './reconcile-loop';
import { OutboxRow, toEnvelope } from './relay';
import { QueueName, routesFor } from './routing';

export interface OutboxSweepOptions {
  dataSource: DataSource;
  queues: Queues;
  /** Published events are kept (and re-sent after a loss) this long; older ones are pruned. */
  windowMs: number;
  /** A published event is checked once it is this old. */
  graceMs: number;
  batchSize: number;
  log?: Logger;
}

const PRUNE_BATCH = 5000;

/**
 * Events until consumed. The relay marks an outbox row published once its jobs are in Redis; if Redis then loses
 * them (restarted empty, FLUSHALL, a failover that lost the last second) before a consumer took them, the event would
 * be gone. This sweep sends such events again: for each published row in a time window it asks each queue the event
 * is routed to for the job (`Queue.getJob`, with the event id as job id) and adds the missing ones with the same id.
 * Consumers record the event ids they processed (`handleOnce`) or derive their effects' ids from them, so a re-sent
 * event that had arrived after all is a no-op; that includes a job BullMQ already removed after completing it.
 *
 * Bounded work: each run looks at one window. At a relay's start and after Redis lost its data, every row published
 * within the retention window (OUTBOX_RESEND_WINDOW_MINUTES); otherwise only the rows published since the last run,
 * once they are `graceMs` old, so each row is checked about once. Rows older than the window are pruned.
 */
export class OutboxSweep implements ReconcileTask {
  readonly kind = 'events';
  /** Rows published before this (database time) were checked by a previous run. */
  private checkedUntil: Date | undefined;

  constructor(private readonly options: OutboxSweepOptions) {}

  async run(trigger: ReconcileTrigger): Promise<number> {
    const { dataSource, windowMs, graceMs } = this.options;
    const [row] = (await dataSource.query('SELECT now() AS now')) as { now: Date }[];
    const now = row!.now;
    const windowStart = new Date(now.getTime() - windowMs);
    let from: Date;
    let to: Date;
    if (isFullReconcile(trigger) || !this.checkedUntil) {
      from = windowStart;
      to = now;
    } else {
      from = this.checkedUntil < windowStart ? windowStart : this.checkedUntil;
      to = new Date(now.getTime() - graceMs);
    }
    let recreated = 0;
    if (to > from) {
      recreated = await this.resend(from, to);
      if (!this.checkedUntil || to > this.checkedUntil) this.checkedUntil = to;
    }
    await this.prune(windowStart);
    return recreated;
  }

  /** Re-adds the missing jobs of the rows published in [from, to); answers how many jobs it added. */
  async resend(from: Date, to: Date): Promise<number> {
    const { dataSource, batchSize } = this.options;
    let afterSeq = '0';
    let added = 0;
    for (;;) {
      const rows = (await dataSource.query(
        `SELECT id, seq::text AS seq, type, version, occurred_at, actor, unit_path, payload, request_id, traceparent
           FROM outbox WHERE published_at >= $1 AND published_at < $2 AND seq > $3 ORDER BY seq LIMIT $4`,
        [from, to, afterSeq, batchSize],
      )) as (OutboxRow & { seq: string })[];
      if (rows.length === 0) return added;
      afterSeq = rows[rows.length - 1]!.seq;
      added += await this.addMissing(rows.filter((row) => isEventType(row.type)).map(toEnvelope));
      if (rows.length < batchSize) return added;
    }
  }

  private async addMissing(events: EventEnvelope[]): Promise<number> {
    const { queues } = this.options;
    const missing = new Map<QueueName, EventEnvelope[]>();
    await Promise.all(
      events.flatMap((event) =>
        routesFor(event.type).map(async (queue) => {
          if (await queues.get(queue).getJob(event.id)) return;
          missing.set(queue, [...(missing.get(queue) ?? []), event]);
        }),
      ),
    );
    let added = 0;
    for (const [queue, lost] of missing) {
      await queues.get(queue).addBulk(lost.map((event) => ({ name: event.type, data: event, opts: { jobId: event.id } })));
      added += lost.length;
    }
    if (added > 0) this.options.log?.info({ jobs: added, queues: [...missing.keys()] }, 'published events whose jobs were gone sent again');
    return added;
  }

  /** Deletes published rows older than the window, a batch at a time. */
  private async prune(before: Date): Promise<void> {
    for (;;) {
      // (typeorm answers a DELETE with [rows, affected])
      const [, count] = (await this.options.dataSource.query(
        `DELETE FROM outbox WHERE id IN (SELECT id FROM outbox WHERE published_at < $1 LIMIT ${PRUNE_BATCH})`,
        [before],
      )) as [unknown[], number];
      if (count < PRUNE_BATCH) return;
    }
  }
}
