import type { DataSource } from 'typeorm';
import type { EventHandlers } from '@kz/events';
import type { Logger } from '@kz/telemetry';
import { PathColumn, unitReplicaHandlers } from '@kz/org-replica';
import { earningHandlers } from './earning/earning.handlers';
import { rankingHandlers } from './leaderboards/ranking.handlers';
import { redemptionInboxHandlers } from './rewards/redemption.handlers';

/** Every stored path of this database that follows a unit when it moves. */
export const POINTS_PATH_COLUMNS: PathColumn[] = [
  { table: 'points_account', column: 'unit_path' },
  { table: 'reward', column: 'unit_path' },
  { table: 'redemption', column: 'station_path' },
];

/** The points service's inbound queue (`points-credit`): org units, verified hours, redemption timers, volunteers' ranking choices. */
export function pointsInboxHandlers(dataSource: DataSource, log?: Logger): EventHandlers {
  return {
    ...unitReplicaHandlers(dataSource, 'points.unit-ref', POINTS_PATH_COLUMNS),
    ...earningHandlers(dataSource, log),
    ...redemptionInboxHandlers(dataSource),
    ...rankingHandlers(dataSource),
  };
}
