import type { DataSource } from 'typeorm';
import type { Config } from '@kz/config';
import type { SubgraphContext } from '@kz/subgraph';
import { AccountService } from './accounts/account.service';
import { CorrectionService } from './accounts/correction.service';
import { TransferService } from './accounts/transfer.service';
import { EarningService } from './earning/earning.service';
import { LeaderboardService } from './leaderboards/leaderboard.service';
import { createLoaders, PointsLoaders } from './loaders';
import { MerchantService } from './merchants/merchant.service';
import { PaymentCodes } from './merchants/payment-code';
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
  merchants: MerchantService;
  leaderboards: LeaderboardService;
}

/** What the points context needs beyond the configuration: the clock of payment codes and daily limits (tests set it). */
export interface PointsContextOptions {
  now?: () => Date;
}

export function buildPointsContext(
  base: SubgraphContext,
  dataSource: DataSource,
  config: Pick<Config, 'REDEMPTION_HOLD_SECONDS' | 'PAYMENT_CODE_TTL_SECONDS' | 'CLAIMS_SIGNING_SECRET'>,
  options: PointsContextOptions = {},
): PointsContext {
  const loaders = createLoaders(dataSource.manager);
  const codes = paymentCodesFor(config);
  return {
    ...base,
    loaders,
    accounts: new AccountService(base.actor, loaders),
    transfers: new TransferService(dataSource, base.actor, () => base.eventsWritten(), (view) =>
      loaders.transactionView.prime({ transactionId: view.id, accountId: view.accountId }, view),
    ),
    corrections: new CorrectionService(dataSource, base.actor),
    earning: new EarningService(dataSource, base.actor),
    rewards: new RewardService(dataSource, base.actor, loaders),
    redemptions: new RedemptionService(dataSource, base.actor, loaders, { holdSeconds: config.REDEMPTION_HOLD_SECONDS }, () => base.eventsWritten()),
    redemptionExpiries: new RedemptionExpiriesService(dataSource, base.actor),
    merchants: new MerchantService(dataSource, base.actor, { codes, now: options.now ?? (() => new Date()) }, () => base.eventsWritten()),
    leaderboards: new LeaderboardService(dataSource, base.actor, loaders),
  };
}

const paymentCodes = new WeakMap<object, PaymentCodes>();

/** One signer per configuration (its key is derived once). */
function paymentCodesFor(config: Pick<Config, 'PAYMENT_CODE_TTL_SECONDS' | 'CLAIMS_SIGNING_SECRET'>): PaymentCodes {
  let codes = paymentCodes.get(config);
  if (!codes) {
    codes = new PaymentCodes(config.CLAIMS_SIGNING_SECRET, config.PAYMENT_CODE_TTL_SECONDS);
    paymentCodes.set(config, codes);
  }
  return codes;
}
