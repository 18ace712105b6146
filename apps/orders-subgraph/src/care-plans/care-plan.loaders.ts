import DataLoader from 'dataloader';
import type { EntityManager } from 'typeorm';
import { hydrate } from '@kz/db';
import { byIdLoader, Page } from '@kz/subgraph';
import { group, Visibility } from '../orders/order.loaders';
import { ServiceOrder } from '../orders/order.entity';
import { CarePlan } from './care-plan.entity';

export interface VisitPageKey {
  carePlanId: string;
  page: Page;
  visibility: Visibility;
}

/** Batched lookups of care plans. */
export function createCarePlanLoaders(manager: EntityManager) {
  return {
    carePlanById: byIdLoader(manager, CarePlan),
    /** Each plan's volunteer ids. */
    carePlanVolunteers: new DataLoader<string, string[]>(async (ids) => {
      const rows: { care_plan_id: string; volunteer_id: string }[] = await manager.query(
        'SELECT care_plan_id::text, volunteer_id::text FROM care_plan_volunteer WHERE care_plan_id = ANY($1::bigint[]) ORDER BY volunteer_id',
        [ids],
      );
      return group(ids, rows, (row) => row.care_plan_id).map((list) => list.map((row) => row.volunteer_id));
    }),
    /** One page of each plan's visits (its patrol orders), newest first, as far as the caller sees them. */
    visitsByPlan: new DataLoader<VisitPageKey, ServiceOrder[], string>(
      async (keys) => {
        const groupOf = (key: VisitPageKey) => `${key.page.limit}|${key.page.afterKey ?? ''}|${key.visibility.key}`;
        const groups = new Map<string, VisitPageKey[]>();
        for (const key of keys) groups.set(groupOf(key), [...(groups.get(groupOf(key)) ?? []), key]);
        const byPlan = new Map<string, ServiceOrder[]>();
        for (const [name, members] of groups) {
          const { page, visibility } = members[0]!;
          const seen = visibility.sql(4);
          const rows = await manager.query(
            `SELECT o.* FROM unnest($1::bigint[]) AS p(id)
             CROSS JOIN LATERAL (
               SELECT o.* FROM service_order o
                WHERE o.care_plan_id = p.id AND ($2::bigint IS NULL OR o.id < $2::bigint) AND ${seen.sql}
                ORDER BY o.id DESC LIMIT $3
             ) o`,
            [members.map((key) => key.carePlanId), page.afterKey, page.limit + 1, ...seen.params],
          );
          for (const order of hydrate(manager, ServiceOrder, rows)) {
            const planKey = `${name}|${order.carePlanId}`;
            byPlan.set(planKey, [...(byPlan.get(planKey) ?? []), order]);
          }
        }
        return keys.map((key) => byPlan.get(`${groupOf(key)}|${key.carePlanId}`) ?? []);
      },
      { cacheKeyFn: (key) => `${key.carePlanId}|${key.page.limit}|${key.page.afterKey ?? ''}|${key.visibility.key}` },
    ),
    visitCountByPlan: new DataLoader<{ carePlanId: string; visibility: Visibility }, number, string>(
      async (keys) => {
        const seen = keys[0]!.visibility.sql(2); // one caller per request
        const rows: { id: string; n: number }[] = await manager.query(
          `SELECT o.care_plan_id::text AS id, count(*)::int AS n FROM service_order o
            WHERE o.care_plan_id = ANY($1::bigint[]) AND ${seen.sql} GROUP BY o.care_plan_id`,
          [keys.map((key) => key.carePlanId), ...seen.params],
        );
        const counts = new Map(rows.map((row) => [row.id, row.n]));
        return keys.map((key) => counts.get(key.carePlanId) ?? 0);
      },
      { cacheKeyFn: (key) => `${key.carePlanId}|${key.visibility.key}` },
    ),
  };
}
