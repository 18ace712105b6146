import { catalog, EventEnvelope, EventPayload, EventType } from '@kz/events';
import { rewritePaths, upsertUnitRefs } from '@kz/org-replica';
import type { SubscriptionSpec } from '../stream/event-stream';

/** Anything that runs a parameterised query: a DataSource, an EntityManager inside a transaction, a QueryRunner. */
export interface Queryable {
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
}

/** The local day of the figures: Beijing time, as everywhere in the platform's reports. */
export const FIGURES_TIME_ZONE = 'Asia/Shanghai';

/**
 * The event types the figures are made of and the versions of each this code was written for. An event of another
 * version is recorded in `figures_skipped` and acknowledged, never guessed at (docs/analytics.md).
 */
export const FIGURES_VERSIONS = {
  'volunteer.hours.verified': [1],
  'volunteer.hours.corrected': [1],
  'points.credited': [1],
  'points.redemption.fulfilled': [1],
  'points.transferred': [1],
  'order.submitted': [1],
  'order.dispatched': [1],
  'order.accepted': [1],
  'order.delivered': [1],
  'order.evaluated': [1],
  'order.closed': [1],
  'order.escalated': [1],
  'carePlan.visit.due': [1],
  'carePlan.visit.missed': [1],
  // Not figures themselves: they keep the unit replica (unit id → path for the subgraph) and move stored paths.
  'org.unit.created': [1],
  'org.unit.updated': [1],
  'org.unit.moved': [1],
} as const satisfies Partial<Record<EventType, readonly number[]>>;

export type FiguresEventType = keyof typeof FIGURES_VERSIONS;
export const FIGURES_TYPES = Object.keys(FIGURES_VERSIONS) as FiguresEventType[];

/** The subscription the figures job consumes: exactly the types above; a month of backlog at most. */
export const FIGURES_SUBSCRIPTION: SubscriptionSpec = {
  name: 'figures',
  types: [...FIGURES_TYPES],
  maxEntries: 5_000_000,
  maxAgeSeconds: 30 * 24 * 3600,
};

export type ApplyOutcome = 'applied' | 'duplicate' | 'skipped';

type Moment = 'SUBMITTED' | 'OPENED' | 'DISPATCHED' | 'ACCEPTED' | 'DELIVERED' | 'EVALUATED' | 'CLOSED';
const UNIT_DAY_SUMS = ['verified_minutes', 'escalations', 'points_earned', 'points_redeemed', 'points_transferred', 'care_visits_missed'] as const;
type UnitDaySum = (typeof UNIT_DAY_SUMS)[number];

const DAY_OF = (param: string) => `(${param}::timestamptz AT TIME ZONE '${FIGURES_TIME_ZONE}')::date`;

/** Why the job cannot apply an event (undefined: it can), without touching anything. */
function skipReason(event: EventEnvelope): string | undefined {
  const known = (FIGURES_VERSIONS as Record<string, readonly number[] | undefined>)[event.type];
  if (!known) return `type ${event.type} is not one the figures are made of`;
  if (!known.includes(event.version)) return `version ${event.version} of ${event.type} is unknown here (known: ${known.join(', ')})`;
  const parsed = catalog[event.type].payload.safeParse(event.payload);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return `payload.${issue?.path.join('.')}: ${issue?.message}`;
  }
  return undefined;
}

/**
 * Applies one event to the figures, exactly once: its id goes into `figures_applied` first, and an event already
 * there changes nothing. Run it inside the transaction that also acknowledges the event, so both happen or neither.
 * Every effect is a sum or a "first time" (`least`), so the result does not depend on the order events arrive in.
 */
export async function applyEvent(db: Queryable, event: EventEnvelope): Promise<ApplyOutcome> {
  const fresh = (await db.query('INSERT INTO figures_applied (event_id, type) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING event_id', [
    event.id,
    event.type,
  ])) as unknown[];
  if (fresh.length === 0) return 'duplicate';
  const reason = skipReason(event);
  if (reason !== undefined) {
    await db.query('INSERT INTO figures_skipped (event_id, type, version, reason) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING', [
      event.id,
      event.type,
      event.version,
      reason,
    ]);
    return 'skipped';
  }
  await new Effects(db, event).apply();
  return 'applied';
}

class Effects {
  private readonly unit: string;

  constructor(
    private readonly db: Queryable,
    private readonly event: EventEnvelope,
  ) {
    // An event without a unit counts for no subtree (only for the unit path '').
    this.unit = event.unitPath ?? '';
  }

  private payload<T extends EventType>(): EventPayload<T> {
    return this.event.payload as EventPayload<T>;
  }

  async apply(): Promise<void> {
    const type = this.event.type as FiguresEventType;
    switch (type) {
      case 'volunteer.hours.verified': {
        const p = this.payload<typeof type>();
        await this.add('verified_minutes', p.minutes);
        await this.db.query(`INSERT INTO figures_volunteer_day (unit_path, day, volunteer_id) VALUES ($1, ${DAY_OF('$2')}, $3) ON CONFLICT DO NOTHING`, [
          this.unit,
          this.event.occurredAt,
          p.volunteerId,
        ]);
        return;
      }
      case 'volunteer.hours.corrected': {
        const p = this.payload<typeof type>();
        return this.add('verified_minutes', p.newMinutes - p.oldMinutes);
      }
      case 'points.credited':
        return this.add('points_earned', this.payload<typeof type>().amount);
      case 'points.redemption.fulfilled':
        return this.add('points_redeemed', this.payload<typeof type>().points);
      case 'points.transferred':
        return this.add('points_transferred', this.payload<typeof type>().amount);
      case 'order.escalated':
        return this.add('escalations', 1);
      case 'carePlan.visit.missed':
        return this.add('care_visits_missed', 1);
      case 'carePlan.visit.due': {
        const { orderId } = this.payload<typeof type>();
        if (orderId !== undefined) await this.db.query('INSERT INTO figures_care_visit (order_id) VALUES ($1) ON CONFLICT DO NOTHING', [orderId]);
        return;
      }
      case 'order.submitted': {
        const p = this.payload<typeof type>();
        await this.category(p.orderId, p.category, true);
        await this.moment(p.orderId, 'SUBMITTED');
        return this.moment(p.orderId, 'OPENED');
      }
      case 'order.dispatched': {
        const { orderId } = this.payload<typeof type>();
        await this.moment(orderId, 'DISPATCHED');
        // Care visits and redeemed services start dispatched, without order.submitted.
        return this.moment(orderId, 'OPENED');
      }
      case 'order.accepted':
        return this.moment(this.payload<typeof type>().orderId, 'ACCEPTED');
      case 'order.delivered': {
        const p = this.payload<typeof type>();
        if (p.category !== undefined) await this.category(p.orderId, p.category, false);
        return this.moment(p.orderId, 'DELIVERED');
      }
      case 'order.evaluated':
        return this.moment(this.payload<typeof type>().orderId, 'EVALUATED');
      case 'order.closed':
        return this.moment(this.payload<typeof type>().orderId, 'CLOSED');
      case 'org.unit.created':
      case 'org.unit.updated': {
        const { unitId, code, path, level, name } = this.payload<typeof type>();
        return upsertUnitRefs(this.db, [{ id: unitId, code, path, level, name }], this.event.occurredAt);
      }
      case 'org.unit.moved':
        return this.move(this.payload<typeof type>());
      default:
        return assertUnreachable(type);
    }
  }

  private async add(column: UnitDaySum, amount: number): Promise<void> {
    await this.db.query(
      `INSERT INTO figures_unit_day (unit_path, day, ${column}) VALUES ($1, ${DAY_OF('$2')}, $3)
       ON CONFLICT (unit_path, day) DO UPDATE SET ${column} = figures_unit_day.${column} + EXCLUDED.${column}`,
      [this.unit, this.event.occurredAt, amount],
    );
  }

  /**
   * A unit moved with its subtree: the replica and every stored figure below the old path now sit below the new one,
   * so a subtree's figures include what its units did before they moved. Rows that already exist at a new path (an
   * event of the moved unit that arrived before the move did) are merged into, never duplicated.
   */
  private async move({ unitId, oldPath, newPath }: EventPayload<'org.unit.moved'>): Promise<void> {
    const moved = (column: string) => `$2 || substr(${column}, length($1) + 1)`;
    const below = (column: string) => `(${column} = $1 OR ${column} LIKE $1 || '/%')`;
    await rewritePaths(this.db, [{ table: 'figures_order_moment', column: 'unit_path' }], oldPath, newPath);
    await this.db.query('UPDATE unit_ref SET version = greatest(version, $2) WHERE id = $1', [unitId, this.event.occurredAt]);
    await this.db.query(
      `INSERT INTO figures_unit_day AS d (unit_path, day, ${UNIT_DAY_SUMS.join(', ')})
       SELECT ${moved('unit_path')}, day, ${UNIT_DAY_SUMS.join(', ')} FROM figures_unit_day WHERE ${below('unit_path')}
       ON CONFLICT (unit_path, day) DO UPDATE SET ${UNIT_DAY_SUMS.map((c) => `${c} = d.${c} + EXCLUDED.${c}`).join(', ')}`,
      [oldPath, newPath],
    );
    await this.db.query(`DELETE FROM figures_unit_day WHERE ${below('unit_path')}`, [oldPath]);
    await this.db.query(
      `INSERT INTO figures_volunteer_day (unit_path, day, volunteer_id)
       SELECT ${moved('unit_path')}, day, volunteer_id FROM figures_volunteer_day WHERE ${below('unit_path')}
       ON CONFLICT DO NOTHING`,
      [oldPath, newPath],
    );
    await this.db.query(`DELETE FROM figures_volunteer_day WHERE ${below('unit_path')}`, [oldPath]);
  }

  /** The first time the order reached the moment wins (ties: the smaller unit path, so any arrival order agrees). */
  private async moment(orderId: string, moment: Moment): Promise<void> {
    await this.db.query(
      `INSERT INTO figures_order_moment AS m (order_id, moment, at, unit_path, day) VALUES ($1, $2, $3, $4, ${DAY_OF('$3')})
       ON CONFLICT (order_id, moment) DO UPDATE SET at = EXCLUDED.at, unit_path = EXCLUDED.unit_path, day = EXCLUDED.day
       WHERE EXCLUDED.at < m.at OR (EXCLUDED.at = m.at AND EXCLUDED.unit_path < m.unit_path)`,
      [orderId, moment, this.event.occurredAt, this.unit],
    );
  }

  /** The category given when the order was placed; a delivery's only until (or unless) that arrives. */
  private async category(orderId: string, category: string, fromSubmission: boolean): Promise<void> {
    await this.db.query(
      `INSERT INTO figures_order_category AS c (order_id, category, from_submission) VALUES ($1, $2, $3)
       ON CONFLICT (order_id) DO UPDATE SET category = EXCLUDED.category, from_submission = true
       WHERE EXCLUDED.from_submission AND NOT c.from_submission`,
      [orderId, category, fromSubmission],
    );
  }
}

function assertUnreachable(value: never): never {
  throw new Error(`unhandled figures event type ${String(value)}`);
}

/** The tables `analytics:rebuild` empties before applying the archive again. */
export const FIGURES_TABLES = [
  'figures_applied',
  'figures_skipped',
  'figures_unit_day',
  'figures_volunteer_day',
  'figures_order_moment',
  'figures_order_category',
  'figures_care_visit',
] as const;
