import type { DataSource } from 'typeorm';
import type { Config } from '@kz/config';
import type { SubgraphContext } from '@kz/subgraph';
import { AccountService } from './accounts/account.service';
import { CorrectionService } from './accounts/correction.service';
import { TransferService } from './accounts/transfer.service';
import { EarningService } from './earning/earning.service';
import { LeaderboardService } from './leaderboards/leaderboard.service';
import { createLoaders, PointsLoaders } from './loaders';
import { RedemptionService } from './rewards/redemption.service';
import { RewardService } from './rewards/reward.service';
import { RedemptionExpiriesService } from './timers/redemption-expiries';

export interface PointsContext extends SubgraphContext {
  loaders: PointsLoaders;
  accounts: AccountService;
  transfers: TransferService;
  corrections: CorrectionService;
  earning: EarningService;
  rewards: RewardService;
  redemptions: RedemptionService;
  redemptionExpiries: RedemptionExpiriesService;
  leaderboards: LeaderboardService;
}

export function buildPointsContext(base: SubgraphContext, dataSource: DataSource, config: Pick<Config, 'REDEMPTION_HOLD_SECONDS'>): PointsContext {
  const loaders = createLoaders(dataSource.manager);
  return {
    ...base,
    loaders,
    accounts: new AccountService(base.actor, loaders),
    transfers: new TransferService(dataSource, base.actor, () => base.eventsWritten()),
    corrections: new CorrectionService(dataSource, base.actor),
    earning: new EarningService(dataSource, base.actor),
    rewards: new RewardService(dataSource, base.actor, loaders),
    redemptions: new RedemptionService(dataSource, base.actor, loaders, { holdSeconds: config.REDEMPTION_HOLD_SECONDS }, () => base.eventsWritten()),
    redemptionExpiries: new RedemptionExpiriesService(dataSource, base.actor),
    leaderboards: new LeaderboardService(dataSource, base.actor, loaders),
  };
}
