import type { DataSource } from 'typeorm';
import type { SubgraphContext } from '@kz/subgraph';
import { FiguresService } from './figures/figures.service';
import { AnalyticsLoaders, createLoaders } from './loaders';

export interface AnalyticsContext extends SubgraphContext {
  loaders: AnalyticsLoaders;
  figures: FiguresService;
}

export function buildAnalyticsContext(base: SubgraphContext, dataSource: DataSource): AnalyticsContext {
  const loaders = createLoaders(dataSource.manager);
  return { ...base, loaders, figures: new FiguresService(base.actor, loaders) };
}
