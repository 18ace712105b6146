import type { DataSource } from 'typeorm';
import type { EventHandlers } from '@kz/events';

/** Redemption timers arriving on the points inbox (expiry). Filled in by the rewards work. */
export function redemptionInboxHandlers(dataSource: DataSource): EventHandlers {
  void dataSource;
  return {};
}
