import type { AvailabilityWindow } from '../volunteers/volunteer.entity';

/** A weekday and a wall-clock time: ISO day of week (1 = Monday … 7 = Sunday) and `HH:MM`. */
export interface LocalClock {
  dayOfWeek: number;
  time: string;
}

/** China keeps UTC+8 all year (no daylight saving), so Asia/Shanghai's wall clock is a fixed offset. */
const SHANGHAI_OFFSET_MS = 8 * 3_600_000;

/** The weekday and time in Asia/Shanghai at `at`, the zone volunteers write their availability in. */
export function shanghaiClock(at: Date): LocalClock {
  const local = new Date(at.getTime() + SHANGHAI_OFFSET_MS);
  const hh = String(local.getUTCHours()).padStart(2, '0');
  const mm = String(local.getUTCMinutes()).padStart(2, '0');
  return { dayOfWeek: local.getUTCDay() === 0 ? 7 : local.getUTCDay(), time: `${hh}:${mm}` };
}

/** Whether one of the weekly windows covers the clock: start included, end excluded (`24:00` ends the day). */
export function isAvailableAt(windows: readonly AvailabilityWindow[] | null | undefined, clock: LocalClock): boolean {
  return (windows ?? []).some((window) => window.dayOfWeek === clock.dayOfWeek && window.start <= clock.time && clock.time < window.end);
}

/** What the score of a volunteer for an order is made of. */
export interface SuggestionFactors {
  /** Names of the volunteer's skills that fit the order's category (empty: none fits). */
  matchedSkills: string[];
  /** Whether an availability window covers the current Asia/Shanghai weekday and time. */
  availableNow: boolean;
  /**
   * Distance from the volunteer to the order, in km. Volunteers have no coordinates, and only volunteers of the
   * order's own station are candidates, so it is 0 for every one of them today; the term is kept so that a
   * distance, once known, ranks without a new formula.
   */
  distanceKm: number;
  /** The volunteer's service records (pending or verified) that started in the last 30 days. */
  recentServices: number;
}

/** How much each part weighs; they add up to 1, so a score is between 0 and 1. */
export const SUGGESTION_WEIGHTS = { skill: 0.4, availability: 0.25, distance: 0.1, fairness: 0.25 } as const;

/**
 * The score of a volunteer for an order, between 0 and 1 (three decimals):
 *
 *     0.40 · skill + 0.25 · available + 0.10 · 1 / (1 + km) + 0.25 · 1 / (1 + services in 30 days)
 *
 * - skill: 1 when at least one of the volunteer's skills fits the order's category, else 0;
 * - available: 1 when a weekly availability window covers now, else 0;
 * - distance: 1 at the same place, halving at 1 km (0 km for everyone today: see `distanceKm`);
 * - fairness: 1 for a volunteer who served no one in the last 30 days, ½ after one service, ⅓ after two…, so the
 *   work spreads instead of always falling to the same few.
 *
 * A skill fit outweighs being free now, and either outweighs a light recent load; among equals, the one with the
 * lighter load comes first (see `rankSuggestions`).
 */
export function scoreSuggestion(factors: SuggestionFactors): number {
  const w = SUGGESTION_WEIGHTS;
  const score =
    w.skill * (factors.matchedSkills.length > 0 ? 1 : 0) +
    w.availability * (factors.availableNow ? 1 : 0) +
    w.distance * (1 / (1 + Math.max(0, factors.distanceKm))) +
    w.fairness * (1 / (1 + Math.max(0, factors.recentServices)));
  return Math.round(score * 1000) / 1000;
}

/** Why, in Chinese, one line per part of the score. */
export function reasonsFor(factors: SuggestionFactors): string[] {
  return [
    factors.matchedSkills.length > 0 ? `技能匹配：${factors.matchedSkills.join('、')}` : '无匹配技能',
    factors.availableNow ? '当前有空' : '当前不在空闲时段',
    factors.distanceKm === 0 ? '本站志愿者（志愿者无坐标，距离按 0 计）' : `距离约 ${factors.distanceKm.toFixed(1)} 公里`,
    `近30天服务 ${factors.recentServices} 次`,
  ];
}

export interface Ranked<T> {
  candidate: T;
  factors: SuggestionFactors;
  score: number;
}

/** Best score first; ties go to the lighter recent load, then to the earlier registration (lower id). */
export function rankSuggestions<T extends { id: string }>(scored: Ranked<T>[]): Ranked<T>[] {
  return [...scored].sort(
    (a, b) =>
      b.score - a.score ||
      a.factors.recentServices - b.factors.recentServices ||
      (BigInt(a.candidate.id) < BigInt(b.candidate.id) ? -1 : BigInt(a.candidate.id) > BigInt(b.candidate.id) ? 1 : 0),
  );
}
