import type { DataSource } from 'typeorm';
import type { Actor } from '@kz/auth';
import { BadUserInput } from '@kz/errors';
import { StageMinutes, stageDeadline } from '../orders/deadlines';
import type { Urgency } from '../orders/order-statuses';

export type DueTimerKind = 'STAGE_DEADLINE' | 'EVALUATION' | 'CARE_VISIT' | 'VISIT_CHECK';

/** A timer of the dispatch worker as the orders tables define it (`schema.graphql`, `DueTimer`). */
export interface DueTimer {
  kind: DueTimerKind;
  orderId: string | null;
  carePlanId: string | null;
  stationId: string | null;
  stage: 'ACCEPT' | 'DELIVER' | null;
  dueAt: Date;
  since: Date;
  unitPath: string | null;
  escalated: string[];
}

export interface DueTimerPage {
  items: DueTimer[];
  nextCursor: string | null;
}

interface Row {
  kind: DueTimerKind;
  key: string;
  order_id: string | null;
  care_plan_id: string | null;
  station_id: string | null;
  stage: 'ACCEPT' | 'DELIVER' | null;
  due_at: Date;
  /** Postgres' own text of due_at, for the cursor (a JS Date cuts the microseconds). */
  due_text: string;
  since: Date | null;
  urgency: Urgency | null;
  unit_path: string | null;
  escalated: string[];
}

const MAX_FIRST = 1000;

/**
 * Every timer still to fire, from the columns that define it: an order's running stage deadline (accept while
 * dispatched, deliver while accepted or in progress) with the levels not yet escalated, a delivered order's evaluation
 * deadline, an active plan's next visit, and the check of a visit order not yet delivered. Each branch reads one
 * partial index (migration TimerIndexes); `before` limits the answer to what comes due before it.
 */
const DUE_TIMERS_SQL = `
SELECT t.*, t.due_at::text AS due_text FROM (
  SELECT 'STAGE_DEADLINE' AS kind, o.id::text AS key, o.id::text AS order_id, NULL AS care_plan_id, o.station_id::text AS station_id,
         'ACCEPT' AS stage, o.accept_by AS due_at, o.dispatched_at AS since, o.urgency, o.scope_path AS unit_path,
         ARRAY(SELECT e.level FROM order_escalation e WHERE e.order_id = o.id AND e.stage = 'ACCEPT' AND e.due_at = o.accept_by) AS escalated
    FROM service_order o WHERE o.status = 'DISPATCHED' AND o.accept_by IS NOT NULL
  UNION ALL
  SELECT 'STAGE_DEADLINE', o.id::text, o.id::text, NULL, o.station_id::text, 'DELIVER', o.deliver_by, o.accepted_at, o.urgency, o.scope_path,
         ARRAY(SELECT e.level FROM order_escalation e WHERE e.order_id = o.id AND e.stage = 'DELIVER' AND e.due_at = o.deliver_by)
    FROM service_order o WHERE o.status IN ('ACCEPTED', 'IN_PROGRESS') AND o.deliver_by IS NOT NULL
  UNION ALL
  SELECT 'EVALUATION', o.id::text, o.id::text, NULL, o.station_id::text, NULL, o.evaluate_by, o.delivered_at, NULL, o.scope_path, '{}'
    FROM service_order o WHERE o.status = 'DELIVERED' AND o.evaluate_by IS NOT NULL
  UNION ALL
  SELECT 'CARE_VISIT', p.id::text, NULL, p.id::text, p.station_id::text, NULL, p.next_visit_at, p.updated_at, NULL, p.station_path, '{}'
    FROM care_plan p WHERE p.active
  UNION ALL
  SELECT 'VISIT_CHECK', o.id::text, o.id::text, o.care_plan_id::text, o.station_id::text, NULL, o.visit_due_at, o.created_at, NULL, o.scope_path, '{}'
    FROM service_order o
   WHERE o.care_plan_id IS NOT NULL AND NOT o.visit_missed AND o.status NOT IN ('DELIVERED', 'EVALUATED', 'CLOSED')
) t
WHERE ($1::timestamptz IS NULL OR t.due_at < $1) AND (t.due_at, t.kind, t.key) > ($2::timestamptz, $3, $4)
ORDER BY t.due_at, t.kind, t.key
LIMIT $5`;

/**
 * The timers the dispatch worker keeps as delayed jobs, read back from their owning tables so it can rebuild the jobs
 * Redis lost. For the SERVICE role only (the dispatch worker calls this subgraph directly); not in the public API.
 */
export class DueTimersService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly actor: Actor,
    private readonly minutes: StageMinutes,
  ) {}

  async list(args: { before?: Date | null; after?: string | null; first?: number | null }): Promise<DueTimerPage> {
    this.actor.requireRole('SERVICE');
    const first = Math.min(Math.max(args.first ?? 500, 1), MAX_FIRST);
    const [afterDue, afterKind, afterKey] = args.after ? decodeCursor(args.after) : ['epoch', '', ''];
    const rows = (await this.dataSource.query(DUE_TIMERS_SQL, [args.before ?? null, afterDue, afterKind, afterKey, first])) as Row[];
    const items = rows.map((row) => this.toTimer(row));
    const last = rows[rows.length - 1];
    return { items, nextCursor: rows.length === first && last ? encodeCursor(last) : null };
  }

  private toTimer(row: Row): DueTimer {
    // A stage began when the move that set its deadline happened (dispatched_at, accepted_at, delivered_at: the very
    // time its event carries, so a rebuilt timer and the event's agree to the millisecond and neither looks older);
    // for rows written before those columns were kept, where its deadline minus its span is.
    const since =
      row.since ??
      new Date(2 * row.due_at.getTime() - stageDeadline(this.minutes, row.stage!, row.urgency ?? 'NORMAL', row.due_at).getTime());
    return {
      kind: row.kind,
      orderId: row.order_id,
      carePlanId: row.care_plan_id,
      stationId: row.station_id,
      stage: row.stage,
      dueAt: row.due_at,
      since,
      unitPath: row.unit_path,
      escalated: row.escalated,
    };
  }
}

function encodeCursor(row: Row): string {
  return Buffer.from(JSON.stringify([row.due_text, row.kind, row.key])).toString('base64url');
}

function decodeCursor(cursor: string): [string, string, string] {
  try {
    const [due, kind, key] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (typeof due !== 'string' || !/^[\d :.+-]+$/.test(due) || typeof kind !== 'string' || typeof key !== 'string') throw new Error('bad cursor');
    return [due, kind, key];
  } catch {
    throw new BadUserInput('after', { key: 'input.cursor' });
  }
}

export const dueTimerResolvers = {
  Query: {
    dueTimers: (_: unknown, args: { before?: Date | null; after?: string | null; first?: number | null }, ctx: { dueTimers: DueTimersService }) =>
      ctx.dueTimers.list(args),
  },
};
