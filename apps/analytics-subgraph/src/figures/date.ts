import { GraphQLScalarType, Kind } from 'graphql';
import { BadUserInput } from '@kz/errors';

/** The longest range of days one question may ask for: a year, leap day included. */
export const MAX_RANGE_DAYS = 366;

const DAY_MS = 86_400_000;

/** Calendar days as `YYYY-MM-DD`, in and out; `2026-02-30` is refused, not rolled over. */
export const DateScalar = new GraphQLScalarType<string, string>({
  name: 'Date',
  serialize: (value) => String(value),
  parseValue: (value) => parseDay(value),
  parseLiteral: (ast) => parseDay(ast.kind === Kind.STRING ? ast.value : undefined),
});

function parseDay(value: unknown): string {
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const date = new Date(`${value}T00:00:00Z`);
    if (!Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value) return value;
  }
  throw new BadUserInput('Date', { key: 'input.invalidFormat' });
}

/** Refuses an inverted range or one longer than MAX_RANGE_DAYS (both days counted). */
export function checkDayRange(from: string, to: string): void {
  if (to < from) throw new BadUserInput('to', { key: 'figures.rangeInverted', from, to });
  const days = Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS) + 1;
  if (days > MAX_RANGE_DAYS) throw new BadUserInput('to', { key: 'figures.rangeTooLong', from, to, days, max: MAX_RANGE_DAYS });
}
