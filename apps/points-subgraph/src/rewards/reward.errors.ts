import { DomainError } from '@kz/errors';
import type { LimitPeriod } from './reward.entity';

/** Not enough items left to reserve; says how many are. */
export class OutOfStock extends DomainError<'OUT_OF_STOCK'> {
  constructor(rewardId: string, available: number) {
    super('OUT_OF_STOCK', 'points.outOfStock', { rewardId, available });
  }
}

const PERIOD_ZH: Record<LimitPeriod, string> = { DAY: '天', WEEK: '周', MONTH: '月', YEAR: '年' };

/** The person's per-period limit of a reward would be passed. */
export class LimitReached extends DomainError<'CONFLICT'> {
  constructor(rewardId: string, limit: number, period: LimitPeriod, used: number) {
    super('CONFLICT', 'points.limitReached', { rewardId, limit, period, periodZh: PERIOD_ZH[period], used });
  }
}

/** The reward is outside its active window. */
export class RewardUnavailable extends DomainError<'CONFLICT'> {
  constructor(rewardId: string, activeFrom: Date | null, activeUntil: Date | null) {
    super('CONFLICT', 'points.rewardUnavailable', {
      rewardId,
      activeFrom: activeFrom?.toISOString(),
      activeUntil: activeUntil?.toISOString(),
    });
  }
}

/**
 * No redemption with this pickup code at the caller's counter: the code is unknown, or it belongs to a station outside
 * the caller's scope. Both answer the same, so that staff never learn a code exists elsewhere.
 */
export class PickupCodeNotFound extends DomainError<'NOT_FOUND'> {
  constructor(code: string) {
    super('NOT_FOUND', 'points.pickupCodeNotFound', { entity: 'Redemption', field: 'input.code', pickupCode: code });
  }
}
