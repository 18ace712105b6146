import DataLoader from 'dataloader';
import type { EntityManager } from 'typeorm';
import { hydrate } from '@kz/db';
import type { UnitRef } from '@kz/org-replica';
import { byIdLoader, isBigintId, Page } from '@kz/subgraph';
import { OrderAssignee, OrderDelivery, OrderEvent, RoundMinutes, ServiceOrder } from './order.entity';

/** Which orders a caller sees, as SQL over `service_order o` with parameters from `$first` on. */
export interface Visibility {
  /** Distinguishes callers in DataLoader keys (one request has one caller, but keys must not lie). */
  key: string;
  sql(first: number): { sql: string; params: unknown[] };
}

export interface UnitOrdersKey {
  unitId: string;
  page: Page;
  visibility: Visibility;
}

/** Batched lookups of orders, created fresh for each request with the other loaders. */
export function createOrderLoaders(manager: EntityManager) {
  return {
    orderById: byIdLoader(manager, ServiceOrder),
    unitRefById: new DataLoader<string, UnitRef | null>(async (ids) => {
      const rows: UnitRef[] = await manager.query('SELECT id::text, code, path, level, name FROM unit_ref WHERE id = ANY($1::bigint[])', [
        ids.filter(isBigintId),
      ]);
      const byId = new Map(rows.map((row) => [row.id, row]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    /** Each order's assignees, in assignment order. */
    assigneesByOrder: new DataLoader<string, OrderAssignee[]>(async (ids) => {
      const rows = await manager.query('SELECT * FROM order_assignee WHERE order_id = ANY($1::bigint[]) ORDER BY assigned_at, volunteer_id', [ids]);
      return group(ids, hydrate(manager, OrderAssignee, rows), (row) => row.orderId);
    }),
    /** Each order's delivery rounds, first round first, each with its minutes by volunteer (ordered by volunteer id). */
    deliveriesByOrder: new DataLoader<string, OrderDelivery[]>(async (ids) => {
      const rows: (Record<string, unknown> & { minutes: RoundMinutes[] })[] = await manager.query(
        `SELECT d.*, coalesce(
                  (SELECT json_agg(json_build_object('volunteerId', m.volunteer_id::text, 'minutes', m.minutes) ORDER BY m.volunteer_id)
                     FROM order_delivery_minutes m WHERE m.order_id = d.order_id AND m.round = d.round),
                  '[]') AS minutes
           FROM order_delivery d WHERE d.order_id = ANY($1::bigint[]) ORDER BY d.order_id, d.round`,
        [ids],
      );
      const deliveries = hydrate(manager, OrderDelivery, rows).map((delivery, index) => Object.assign(delivery, { minutes: rows[index]!.minutes }));
      return group(ids, deliveries, (row) => row.orderId);
    }),
    /** Each order's timeline, oldest first. */
    timelineByOrder: new DataLoader<string, OrderEvent[]>(async (ids) => {
      const rows = await manager.query('SELECT * FROM order_event WHERE order_id = ANY($1::bigint[]) ORDER BY id', [ids]);
      return group(ids, hydrate(manager, OrderEvent, rows), (row) => row.orderId);
    }),
    /** One page of the orders dispatched to stations of each unit's subtree, newest first, as far as the caller sees. */
    ordersByUnit: unitOrdersLoader(manager),
    orderCountByUnit: unitOrderCountLoader(manager),
  };
}

export type OrderLoaders = ReturnType<typeof createOrderLoaders>;

export function group<R>(keys: readonly string[], rows: R[], keyOf: (row: R) => string): R[][] {
  const byKey = new Map<string, R[]>();
  for (const row of rows) byKey.set(keyOf(row), [...(byKey.get(keyOf(row)) ?? []), row]);
  return keys.map((key) => byKey.get(key) ?? []);
}

/**
 * Subtree matches use the pattern operators (`~>=~`, `~<~`) on `path/` … `path0` (`0` follows `/`), which the
 * `text_pattern_ops` indexes serve even though the bounds come from each unit's row.
 */
export function withinSql(column: string, path: string): string {
  return `(${column} = ${path} OR (${column} ~>=~ (${path} || '/') AND ${column} ~<~ (${path} || '0')))`;
}

function unitOrdersLoader(manager: EntityManager): DataLoader<UnitOrdersKey, ServiceOrder[], string> {
  const groupOf = (key: UnitOrdersKey) => `${key.page.limit}|${key.page.afterKey ?? ''}|${key.visibility.key}`;
  return new DataLoader(
    async (keys) => {
      const groups = new Map<string, UnitOrdersKey[]>();
      for (const key of keys) groups.set(groupOf(key), [...(groups.get(groupOf(key)) ?? []), key]);
      const byUnit = new Map<string, ServiceOrder[]>();
      for (const [name, members] of groups) {
        const { page, visibility } = members[0]!;
        const seen = visibility.sql(4);
        const rows: Record<string, unknown>[] = await manager.query(
          `SELECT u.id::text AS parent_id, o.* FROM unit_ref u
           CROSS JOIN LATERAL (
             SELECT o.* FROM service_order o
              WHERE ${withinSql('o.station_path', 'u.path')} AND ($2::bigint IS NULL OR o.id < $2::bigint) AND ${seen.sql}
              ORDER BY o.id DESC LIMIT $3
           ) o
           WHERE u.id = ANY($1::bigint[])`,
          [members.map((key) => key.unitId).filter(isBigintId), page.afterKey, page.limit + 1, ...seen.params],
        );
        hydrate(manager, ServiceOrder, rows).forEach((order, index) => {
          const unitKey = `${name}|${String(rows[index]!.parent_id)}`;
          byUnit.set(unitKey, [...(byUnit.get(unitKey) ?? []), order]);
        });
      }
      return keys.map((key) => byUnit.get(`${groupOf(key)}|${key.unitId}`) ?? []);
    },
    { cacheKeyFn: (key) => `${key.unitId}|${groupOf(key)}` },
  );
}

function unitOrderCountLoader(manager: EntityManager): DataLoader<{ unitId: string; visibility: Visibility }, number, string> {
  return new DataLoader(
    async (keys) => {
      const { visibility } = keys[0]!; // one caller per request
      const seen = visibility.sql(2);
      const rows: { unit_id: string; n: number }[] = await manager.query(
        `SELECT u.id::text AS unit_id,
                (SELECT count(*)::int FROM service_order o WHERE ${withinSql('o.station_path', 'u.path')} AND ${seen.sql}) AS n
           FROM unit_ref u WHERE u.id = ANY($1::bigint[])`,
        [keys.map((key) => key.unitId).filter(isBigintId), ...seen.params],
      );
      const counts = new Map(rows.map((row) => [row.unit_id, row.n]));
      return keys.map((key) => counts.get(key.unitId) ?? 0);
    },
    { cacheKeyFn: (key) => `${key.unitId}|${key.visibility.key}` },
  );
}
