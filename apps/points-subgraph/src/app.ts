import type { Config } from '@kz/config';
import { appFile } from '@kz/http';
import { DateTimeScalar, RunningSubgraph, startSubgraphService } from '@kz/subgraph';
import type { Logger } from '@kz/telemetry';
import { PointsAccount } from './accounts/account.entity';
import { accountResolvers } from './accounts/account.resolver';
import { buildPointsContext, PointsContext } from './context';
import { earningResolvers } from './earning/earning.resolver';
import { pointsInboxHandlers } from './inbox';
import { rewardResolvers } from './rewards/reward.resolver';
import { Initial1764400000000 } from './migrations/1764400000000-initial';
import { LoveBank1764600000000 } from './migrations/1764600000000-love-bank';

export const pointsEntities = [PointsAccount];
export const pointsMigrations = [Initial1764400000000, LoveBank1764600000000];

/** The points subgraph: the love bank's accounts (its ledger, rules and rewards follow). */
export function startPointsSubgraph(config: Config, options: { port?: number; log?: Logger } = {}): Promise<RunningSubgraph> {
  return startSubgraphService<PointsContext>({
    name: 'points',
    config,
    port: options.port ?? config.POINTS_PORT,
    database: config.POINTS_DATABASE,
    entities: pointsEntities,
    migrations: pointsMigrations,
    schemaFile: appFile(__dirname, 'schema.graphql'),
    resolvers: {
      DateTime: DateTimeScalar,
      Query: { ...accountResolvers.Query, ...earningResolvers.Query, ...rewardResolvers.Query },
      Mutation: { ...earningResolvers.Mutation, ...rewardResolvers.Mutation },
      Reward: rewardResolvers.Reward,
      Redemption: rewardResolvers.Redemption,
      PointsAccount: accountResolvers.PointsAccount,
      Person: accountResolvers.Person,
      Volunteer: accountResolvers.Volunteer,
    },
    buildContext: buildPointsContext,
    consumers: (dataSource) => [{ queue: 'points-credit', handlers: pointsInboxHandlers(dataSource) }],
    log: options.log,
  });
}
