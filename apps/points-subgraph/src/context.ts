import type { DataSource } from 'typeorm';
import type { SubgraphContext } from '@kz/subgraph';
import { AccountService } from './accounts/account.service';
import { createLoaders, PointsLoaders } from './loaders';

export interface PointsContext extends SubgraphContext {
  loaders: PointsLoaders;
  accounts: AccountService;
}

export function buildPointsContext(base: SubgraphContext, dataSource: DataSource): PointsContext {
  const loaders = createLoaders(dataSource.manager);
  return { ...base, loaders, accounts: new AccountService(base.actor, loaders) };
}
