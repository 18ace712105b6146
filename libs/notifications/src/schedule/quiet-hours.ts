/** China keeps one zone with no daylight saving: Asia/Shanghai is always UTC+8. */
const SHANGHAI_OFFSET_MS = 8 * 3600_000;
const DAY_MS = 24 * 3600_000;

/** A daily window in Asia/Shanghai time, in minutes after midnight; it wraps past midnight when start > end. */
export interface QuietHours {
  startMinute: number;
  endMinute: number;
}

/** Reads `QUIET_HOURS` (`22:00-07:00`, or `off`, already checked by the config schema). */
export function parseQuietHours(value: string): QuietHours | null {
  const match = /^(\d{2}):(\d{2})-(\d{2}):(\d{2})$/.exec(value);
  if (!match) return null;
  const [, sh, sm, eh, em] = match.map(Number) as [number, number, number, number, number];
  const window = { startMinute: sh * 60 + sm, endMinute: eh * 60 + em };
  return window.startMinute === window.endMinute ? null : window;
}

/** When the quiet window that `at` falls in ends; null when `at` is outside quiet hours (or there are none). */
export function quietUntil(hours: QuietHours | null, at: Date): Date | null {
  if (!hours) return null;
  const local = at.getTime() + SHANGHAI_OFFSET_MS;
  const dayStart = Math.floor(local / DAY_MS) * DAY_MS;
  const minute = Math.floor((local - dayStart) / 60_000);
  const { startMinute, endMinute } = hours;
  const quiet = startMinute < endMinute ? minute >= startMinute && minute < endMinute : minute >= startMinute || minute < endMinute;
  if (!quiet) return null;
  let end = dayStart + endMinute * 60_000;
  if (end <= local) end += DAY_MS;
  return new Date(end - SHANGHAI_OFFSET_MS);
}

/** `2026-11-28T01:30:00Z` → `11月28日 09:30` (zh-CN) or `28 Nov 09:30` (en), in Asia/Shanghai time. */
export function formatShanghai(iso: string, locale: 'en' | 'zh-CN'): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const local = new Date(date.getTime() + SHANGHAI_OFFSET_MS);
  const hh = String(local.getUTCHours()).padStart(2, '0');
  const mm = String(local.getUTCMinutes()).padStart(2, '0');
  if (locale === 'zh-CN') return `${local.getUTCMonth() + 1}月${local.getUTCDate()}日 ${hh}:${mm}`;
  const month = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][local.getUTCMonth()];
  return `${local.getUTCDate()} ${month} ${hh}:${mm}`;
}
