import type { Actor, Role } from '@kz/auth';
import type { DailyFigures, FigureMetric, StageTime, TrendInterval, TrendPoint } from '@kz/analytics';
import { Forbidden } from '@kz/errors';
import type { AnalyticsLoaders } from '../loaders';
import { checkDayRange } from './date';

/** Who reads the figures of a subtree: as for the order figures (`PracticeUnit.orderStats`), the center everywhere. */
export const FIGURES_READERS: Role[] = ['STATION_ADMIN', 'INSTITUTE_ADMIN', 'GRID_WORKER', 'ANALYST', 'DISPATCHER', 'CENTER_ADMIN'];

/** A path no stored row has: the figures of a unit the replica does not know (yet) are zeros. */
const NO_UNIT = '-';

/** The figures fields of `PracticeUnit`, for readers in scope of the unit; the units of one answer are batched. */
export class FiguresService {
  constructor(
    private readonly actor: Actor,
    private readonly loaders: AnalyticsLoaders,
  ) {}

  async daily(unitId: string, from: string, to: string): Promise<DailyFigures[]> {
    return this.loaders.dailyFigures.load({ path: await this.pathInScope(unitId, from, to), from, to });
  }

  async stageTimes(unitId: string, from: string, to: string): Promise<StageTime[]> {
    return this.loaders.stageTimes.load({ path: await this.pathInScope(unitId, from, to), from, to });
  }

  async trend(unitId: string, metric: FigureMetric, from: string, to: string, interval: TrendInterval): Promise<TrendPoint[]> {
    return this.loaders.figuresTrend.load({ path: await this.pathInScope(unitId, from, to), from, to, metric, interval });
  }

  /** The unit's path, once the caller may read its figures and the range is one the fields answer. */
  private async pathInScope(unitId: string, from: string, to: string): Promise<string> {
    this.actor.requireRole(...FIGURES_READERS);
    checkDayRange(from, to);
    const unit = await this.loaders.unitRefById.load(unitId);
    if (!unit) {
      if (this.actor.hasRole('CENTER_ADMIN', 'DISPATCHER')) return NO_UNIT;
      throw new Forbidden();
    }
    this.actor.requireScope(unit.path, ...FIGURES_READERS);
    return unit.path;
  }
}
