import type { EntityManager } from 'typeorm';
import DataLoader from 'dataloader';
import { hydrate } from '@kz/db';
import { byIdLoader } from '@kz/subgraph';
import { PointsAccount } from './accounts/account.entity';

/** Every batched lookup of the points subgraph, created fresh for each request. */
export function createLoaders(manager: EntityManager) {
  return {
    accountById: byIdLoader(manager, PointsAccount),
    accountByPerson: new DataLoader<string, PointsAccount | null>(async (personIds) => {
      const raw = await manager.query('SELECT * FROM points_account WHERE person_id = ANY($1::bigint[])', [personIds]);
      const byPerson = new Map(hydrate(manager, PointsAccount, raw).map((account) => [account.personId, account]));
      return personIds.map((id) => byPerson.get(id) ?? null);
    }),
  };
}

export type PointsLoaders = ReturnType<typeof createLoaders>;
