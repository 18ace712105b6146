import DataLoader from 'dataloader';
import type { EntityManager } from 'typeorm';
import type { Actor, Role } from '@kz/auth';
import { Forbidden } from '@kz/errors';
import type { OrdersLoaders } from '../loaders';
import { OVERDUE_SQL } from '../orders/deadlines';
import { withinSql } from '../orders/order.loaders';
import { ORDER_STATUSES, OrderStatus } from '../orders/order-statuses';

/** Staff who read the order figures of their subtree (the center everywhere). */
export const STATS_READERS: Role[] = ['STATION_ADMIN', 'INSTITUTE_ADMIN', 'GRID_WORKER', 'ANALYST', 'DISPATCHER', 'CENTER_ADMIN'];

export interface OrderStats {
  total: number;
  byStatus: { status: OrderStatus; count: number }[];
  medianMinutesToAccept: number | null;
  medianMinutesToDeliver: number | null;
  averageRating: number | null;
  satisfaction: number | null;
  overdue: number;
}

export interface StatsKey {
  path: string;
  from: Date | null;
  to: Date | null;
}

const periodOf = (key: StatsKey) => `${key.from?.toISOString() ?? ''}|${key.to?.toISOString() ?? ''}`;

/**
 * The figures of many subtrees in one statement per period: orders belong to a subtree by their station, or before
 * dispatch by the requester's home station (`scope_path`); medians with `percentile_cont`.
 */
export function orderStatsLoader(manager: EntityManager): DataLoader<StatsKey, OrderStats, string> {
  return new DataLoader(
    async (keys) => {
      const stats = new Map<string, OrderStats>();
      const byPeriod = new Map<string, StatsKey[]>();
      for (const key of keys) byPeriod.set(periodOf(key), [...(byPeriod.get(periodOf(key)) ?? []), key]);
      for (const [period, members] of byPeriod) {
        const rows: Record<string, unknown>[] = await manager.query(
          `SELECT u.path, s.* FROM unnest($1::text[]) AS u(path)
           CROSS JOIN LATERAL (
             SELECT count(*)::int AS total,
                    ${ORDER_STATUSES.map((status) => `count(*) FILTER (WHERE o.status = '${status}')::int AS "${status}"`).join(',\n')},
                    percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM o.accepted_at - o.dispatched_at) / 60)
                      FILTER (WHERE o.accepted_at >= o.dispatched_at) AS median_accept,
                    percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM o.delivered_at - o.accepted_at) / 60)
                      FILTER (WHERE o.delivered_at >= o.accepted_at) AS median_deliver,
                    avg(o.rating)::float8 AS average_rating,
                    avg(CASE WHEN o.resolved = 'YES' THEN 1 ELSE 0 END) FILTER (WHERE o.resolved IS NOT NULL)::float8 AS satisfaction,
                    count(*) FILTER (WHERE ${OVERDUE_SQL})::int AS overdue
               FROM service_order o
              WHERE ${withinSql('o.scope_path', 'u.path')}
                AND ($2::timestamptz IS NULL OR o.created_at >= $2) AND ($3::timestamptz IS NULL OR o.created_at < $3)
           ) s`,
          [[...new Set(members.map((key) => key.path))], members[0]!.from, members[0]!.to],
        );
        for (const row of rows) {
          stats.set(`${String(row.path)}|${period}`, {
            total: Number(row.total),
            byStatus: ORDER_STATUSES.map((status) => ({ status, count: Number(row[status]) })),
            medianMinutesToAccept: numberOrNull(row.median_accept),
            medianMinutesToDeliver: numberOrNull(row.median_deliver),
            averageRating: numberOrNull(row.average_rating),
            satisfaction: numberOrNull(row.satisfaction),
            overdue: Number(row.overdue),
          });
        }
      }
      return keys.map((key) => stats.get(`${key.path}|${periodOf(key)}`)!);
    },
    { cacheKeyFn: (key) => `${key.path}|${periodOf(key)}` },
  );
}

function numberOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

const EMPTY: OrderStats = {
  total: 0,
  byStatus: ORDER_STATUSES.map((status) => ({ status, count: 0 })),
  medianMinutesToAccept: null,
  medianMinutesToDeliver: null,
  averageRating: null,
  satisfaction: null,
  overdue: 0,
};

/** `PracticeUnit.orderStats`, for staff in scope of the unit. */
export class OrderStatsService {
  constructor(
    private readonly actor: Actor,
    private readonly loaders: OrdersLoaders,
  ) {}

  async of(unitId: string, from: Date | null | undefined, to: Date | null | undefined): Promise<OrderStats> {
    this.actor.requireRole(...STATS_READERS);
    const unit = await this.loaders.unitRefById.load(unitId);
    if (!unit) {
      if (this.actor.hasRole('CENTER_ADMIN', 'DISPATCHER')) return EMPTY;
      throw new Forbidden();
    }
    this.actor.requireScope(unit.path, ...STATS_READERS);
    return this.loaders.orderStats.load({ path: unit.path, from: from ?? null, to: to ?? null });
  }
}
