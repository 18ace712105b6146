import DataLoader from 'dataloader';
import type { EntityManager } from 'typeorm';
import {
  DailyFigures,
  dailyFiguresOf,
  FigureMetric,
  figuresTrendOf,
  StageTime,
  stageTimesOf,
  TrendInterval,
  TrendPoint,
} from '@kz/analytics';
import type { UnitRef } from '@kz/org-replica';
import { isBigintId } from '@kz/subgraph';

/** A subtree and the days asked of it; the trend also names its metric and bucket width. */
export interface FiguresKey {
  path: string;
  from: string;
  to: string;
}

export interface TrendKey extends FiguresKey {
  metric: FigureMetric;
  interval: TrendInterval;
}

/**
 * A loader that answers the keys of one request grouped by everything but the path (`groupOf`), each group in one
 * call of `load` with all its paths: N units asking for the same days cost one statement, not N.
 */
function byPathLoader<K extends FiguresKey, V>(groupOf: (key: K) => string, load: (paths: string[], key: K) => Promise<Map<string, V>>) {
  const cacheKey = (key: K) => `${groupOf(key)}|${key.path}`;
  return new DataLoader<K, V, string>(
    async (keys) => {
      const groups = new Map<string, K[]>();
      for (const key of keys) groups.set(groupOf(key), [...(groups.get(groupOf(key)) ?? []), key]);
      const answers = new Map<string, V>();
      for (const members of groups.values()) {
        const byPath = await load([...new Set(members.map((key) => key.path))], members[0]!);
        for (const key of members) answers.set(cacheKey(key), byPath.get(key.path)!);
      }
      return keys.map((key) => answers.get(cacheKey(key))!);
    },
    { cacheKeyFn: cacheKey },
  );
}

/** Every batched lookup of the analytics subgraph, created fresh for each request. */
export function createLoaders(manager: EntityManager) {
  const days = (key: FiguresKey) => `${key.from}|${key.to}`;
  return {
    /** Units of the replica by id: the units of one answer in one `WHERE id = ANY($1)`. */
    unitRefById: new DataLoader<string, UnitRef | null>(async (ids) => {
      const rows: UnitRef[] = await manager.query('SELECT id::text, code, path, level, name FROM unit_ref WHERE id = ANY($1::bigint[])', [
        ids.filter(isBigintId),
      ]);
      const byId = new Map(rows.map((row) => [row.id, row]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    dailyFigures: byPathLoader<FiguresKey, DailyFigures[]>(days, (paths, key) => dailyFiguresOf(manager, paths, key.from, key.to)),
    stageTimes: byPathLoader<FiguresKey, StageTime[]>(days, (paths, key) => stageTimesOf(manager, paths, key.from, key.to)),
    figuresTrend: byPathLoader<TrendKey, TrendPoint[]>(
      (key) => `${days(key)}|${key.metric}|${key.interval}`,
      (paths, key) => figuresTrendOf(manager, paths, key.metric, key.from, key.to, key.interval),
    ),
  };
}

export type AnalyticsLoaders = ReturnType<typeof createLoaders>;
