import { EventType, isFullReconcile, Queues, ReconcileTask, ReconcileTrigger } from '@kz/events';
import type { Logger } from '@kz/telemetry';
import { visitCheckTimer, visitTimer } from './care-plans/care-visits';
import { closeTimer } from './deadlines/auto-close';
import { stageTimers } from './deadlines/escalation';
import type { DueTimer, OrdersApi } from './orders-api';
import type { PointsApi } from './points-api';
import { addExpiryTimer, expiryJobId } from './redemption-timer';
import type { Timer, Timers } from './timers';

export interface TimerReconcilerDeps {
  queues: Queues;
  timers: Timers;
  orders: OrdersApi;
  points: PointsApi;
  /** A visit order's delivery time (its check is due this long after the visit). */
  deliverMs: number;
  /** The periodic run looks at timers due before now plus this. */
  windowMs: number;
  now?: () => number;
  log?: Logger;
}

/**
 * Timers from the database. Every delayed job of the dispatch worker is a cache of a row in the service that owns it:
 * stage deadlines, evaluation deadlines, care-plan visits and their checks in the orders database, redemption expiries
 * in the points database. This worker reads those services the way it already calls them, through their subgraphs
 * (`dueTimers`, `redemptionExpiries`, SERVICE only), and adds every timer whose job is missing, with the job id the
 * event handler would have given it, so nothing doubles (an existing job, pending or fired, is left alone) and a due
 * time already past fires at once.
 *
 * At start and after Redis lost its data it reads every pending timer; periodically and after a reconnect only those
 * due within the window (a Redis that kept its data lost at most the last second, and the next period catches any
 * timer further out before it comes due).
 */
export class DispatchTimerReconciler implements ReconcileTask {
  readonly kind = 'dispatch-timers';
  private readonly now: () => number;

  constructor(private readonly deps: TimerReconcilerDeps) {
    this.now = deps.now ?? Date.now;
  }

  async run(trigger: ReconcileTrigger): Promise<number> {
    const before = isFullReconcile(trigger) ? null : new Date(this.now() + this.deps.windowMs);
    let recreated = 0;
    let after: string | null = null;
    do {
      const page = await this.deps.orders.dueTimers(before, after);
      const counts = await Promise.all(page.items.map((item) => this.ensureAll(this.timersOf(item))));
      recreated += counts.reduce((sum, n) => sum + n, 0);
      after = page.nextCursor;
    } while (after);
    do {
      const page = await this.deps.points.redemptionExpiries(before, after);
      const counts = await Promise.all(
        page.items.map(async ({ redemptionId, expiresAt, unitPath }): Promise<number> => {
          if (await this.deps.queues.get('dispatch').getJob(expiryJobId(redemptionId))) return 0;
          await addExpiryTimer(this.deps.queues, redemptionId, expiresAt, unitPath, this.now());
          return 1;
        }),
      );
      recreated += counts.reduce((sum, n) => sum + n, 0);
      after = page.nextCursor;
    } while (after);
    return recreated;
  }

  /** The timers a row stands for, as the event handlers set them. */
  private timersOf(item: DueTimer): Timer<EventType>[] {
    const since = Date.parse(item.since);
    switch (item.kind) {
      case 'STAGE_DEADLINE':
        return stageTimers(item.orderId!, item.stage!, item.dueAt, since, item.unitPath).filter(
          (timer) => !item.escalated.includes(timer.payload.level),
        );
      case 'EVALUATION':
        return [closeTimer(item.orderId!, item.dueAt, since, item.unitPath)];
      case 'CARE_VISIT':
        return [visitTimer(item.carePlanId!, item.stationId!, item.dueAt, since, item.unitPath)];
      case 'VISIT_CHECK':
        return [visitCheckTimer(item.carePlanId!, item.orderId!, item.dueAt, since, item.unitPath, this.deps.deliverMs)];
    }
  }

  /** Schedules the timers whose job is gone (one after another: they may share an index); answers how many. */
  private async ensureAll(timers: Timer<EventType>[]): Promise<number> {
    let added = 0;
    for (const timer of timers) {
      if (await this.deps.queues.get('dispatch').getJob(timer.jobId)) continue;
      await this.deps.timers.schedule(timer);
      added += 1;
    }
    if (added > 0) this.deps.log?.debug({ jobs: timers.map((timer) => timer.jobId) }, 'timers rebuilt');
    return added;
  }
}
