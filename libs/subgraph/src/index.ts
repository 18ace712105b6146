export type { SubgraphContext } from './context';
export { toGraphQLError, withErrorMapping, internalError } from './graphql-errors';
export { fields, multiLine, parseInput } from './input';
export { readPage, toConnection, encodeCursor, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './pagination';
export type { Page, PageArgs, Connection } from './pagination';
export { startSubgraphService, SQL_STATEMENTS_HEADER } from './bootstrap';
export type { SubgraphServiceOptions, RunningSubgraph } from './bootstrap';
export { byIdLoader, childPageLoader, childCountLoader, isBigintId } from './loaders';
export type { ChildPageKey } from './loaders';
export { DateTimeScalar } from './scalars';
export { Conditions } from './conditions';
export { beijingMinute, csvCell, toCsv } from './csv';
export {
  boardCount,
  boardPage,
  boardRankOf,
  CALENDAR_PERIODS,
  competitionRanks,
  LEADERBOARD_PERIODS,
  leaderboardDay,
  leaderboardKey,
  leaderboardPeriod,
  periodStart,
  periodStartSql,
} from './leaderboards';
export type { BoardRow, BoardSql, CalendarPeriod, LeaderboardPeriod } from './leaderboards';
