import { analyticsMigrations } from '@kz/analytics';
import type { Config } from '@kz/config';
import { appFile } from '@kz/http';
import { RunningSubgraph, startSubgraphService } from '@kz/subgraph';
import type { Logger } from '@kz/telemetry';
import { AnalyticsContext, buildAnalyticsContext } from './context';
import { DateScalar } from './figures/date';
import { figuresResolvers } from './figures/figures.resolver';

export { MAX_RANGE_DAYS } from './figures/date';

/**
 * The analytics subgraph: the daily figures, stage times and trends of a unit's subtree, read from the analytics
 * database it shares with the analytics worker (which keeps the figures, and the unit replica, from the event stream).
 * It writes nothing (no outbox) and consumes no queue.
 */
export function startAnalyticsSubgraph(config: Config, options: { port?: number; log?: Logger } = {}): Promise<RunningSubgraph> {
  return startSubgraphService<AnalyticsContext>({
    name: 'analytics',
    config,
    port: options.port ?? config.ANALYTICS_PORT,
    database: config.ANALYTICS_DATABASE,
    entities: [],
    migrations: analyticsMigrations,
    schemaFile: appFile(__dirname, 'schema.graphql'),
    resolvers: {
      Date: DateScalar,
      PracticeUnit: figuresResolvers.PracticeUnit,
      DailyFigures: figuresResolvers.DailyFigures,
      StageTime: figuresResolvers.StageTime,
    },
    writesEvents: false,
    buildContext: (base, dataSource) => buildAnalyticsContext(base, dataSource),
    log: options.log,
  });
}
