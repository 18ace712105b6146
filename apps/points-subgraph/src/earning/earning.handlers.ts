import type { DataSource } from 'typeorm';
import type { EventHandlers } from '@kz/events';

/** Verified (and corrected) hours become points by the earning rules. Filled in by the earning work. */
export function earningHandlers(dataSource: DataSource): EventHandlers {
  void dataSource;
  return {};
}
