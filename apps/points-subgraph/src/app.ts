import { OutboxPublishedIndex1768000000000, OutboxTraceparent1769500000000 } from '@kz/db';
import type { Config } from '@kz/config';
import { appFile } from '@kz/http';
import { DateTimeScalar, RunningSubgraph, startSubgraphService } from '@kz/subgraph';
import type { Logger } from '@kz/telemetry';
import { PointsAccount } from './accounts/account.entity';
import { accountResolvers } from './accounts/account.resolver';
import { buildPointsContext, PointsContext } from './context';
import { earningResolvers } from './earning/earning.resolver';
import { pointsInboxHandlers } from './inbox';
import { leaderboardResolvers } from './leaderboards/leaderboard.resolver';
import { rewardResolvers } from './rewards/reward.resolver';
import { Redemption } from './rewards/redemption.entity';
import { Reward, RewardAudit } from './rewards/reward.entity';
import { Initial1764400000000 } from './migrations/1764400000000-initial';
import { LoveBank1764600000000 } from './migrations/1764600000000-love-bank';
import { ExpiryIndex1768000000001 } from './migrations/1768000000001-expiry-index';
import { Merchants1768200000000 } from './migrations/1768200000000-merchants';
import { merchantResolvers } from './merchants/merchant.resolver';
import { Leaderboards1768900000000 } from './migrations/1768900000000-leaderboards';
import { LedgerFastPaths1769100000000 } from './migrations/1769100000000-ledger-fast-paths';
import { redemptionExpiryResolvers } from './timers/redemption-expiries';

export { ensurePersonAccount, ensureStationPool } from './accounts/account-opening';
export { postPending, postTransaction, systemAccountId, voidPending } from './ledger/ledger';
export { checkLedger, MERCHANT_MONTHS } from './ledger/verify';
export { creditVerifiedHours } from './earning/crediting';
export type { CreditOptions, CreditOutcome } from './earning/crediting';
export type { LedgerViolation } from './ledger/verify';

export const pointsEntities = [PointsAccount, Reward, RewardAudit, Redemption];
export const pointsMigrations = [Initial1764400000000, LoveBank1764600000000, OutboxPublishedIndex1768000000000, ExpiryIndex1768000000001, Merchants1768200000000, Leaderboards1768900000000, LedgerFastPaths1769100000000, OutboxTraceparent1769500000000];

/** The points subgraph: the love bank's accounts (its ledger, rules and rewards follow). */
export function startPointsSubgraph(config: Config, options: { port?: number; log?: Logger; now?: () => Date } = {}): Promise<RunningSubgraph> {
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
      Query: { ...accountResolvers.Query, ...earningResolvers.Query, ...rewardResolvers.Query, ...redemptionExpiryResolvers.Query, ...merchantResolvers.Query },
      Mutation: { ...accountResolvers.Mutation, ...earningResolvers.Mutation, ...rewardResolvers.Mutation, ...merchantResolvers.Mutation },
      Reward: rewardResolvers.Reward,
      Redemption: rewardResolvers.Redemption,
      Merchant: merchantResolvers.Merchant,
      MerchantOffer: merchantResolvers.MerchantOffer,
      MerchantRedemption: merchantResolvers.MerchantRedemption,
      PointsAccount: accountResolvers.PointsAccount,
      PointsTransaction: accountResolvers.PointsTransaction,
      PracticeUnit: { ...accountResolvers.PracticeUnit, ...leaderboardResolvers.PracticeUnit },
      PointsLeaderboardEntry: leaderboardResolvers.PointsLeaderboardEntry,
      Person: accountResolvers.Person,
      Volunteer: accountResolvers.Volunteer,
    },
    buildContext: (base, dataSource) => buildPointsContext(base, dataSource, config, { now: options.now }),
    consumers: (dataSource, log) => [{ queue: 'points-credit', handlers: pointsInboxHandlers(dataSource, log) }],
    log: options.log,
  });
}
