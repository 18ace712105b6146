import { z } from 'zod';
import { BadUserInput, InputProblem } from '@kz/errors';

/**
 * Input validation with zod, turned into BAD_USER_INPUT errors that name the field. The helpers attach the
 * message key and its params to range checks, so the error can say "between -90 and 90" in both languages.
 */
export const fields = {
  /** Trimmed text; empty counts as missing. */
  text: (max: number) => z.string().trim().min(1).max(max),
  range: (min: number, max: number) =>
    z
      .number()
      .refine((value) => Number.isFinite(value) && value >= min && value <= max, {
        params: { key: 'input.outOfRange', min, max },
      }),
  id: () => z.string().regex(/^[1-9]\d{0,17}$/),
  mobile: () => z.string().regex(/^1[3-9]\d{9}$/),
};

function problemOf(issue: z.core.$ZodIssue): InputProblem {
  const params = (issue as { params?: Record<string, unknown> }).params;
  if (params && typeof params.key === 'string') return params as unknown as InputProblem;
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined || issue.input === null ? { key: 'input.required' } : { key: 'input.invalid' };
    case 'too_small':
      return issue.origin === 'string' && Number(issue.minimum) <= 1 ? { key: 'input.required' } : { key: 'input.invalid', detail: issue.message };
    case 'too_big':
      return issue.origin === 'string' ? { key: 'input.tooLong', max: Number(issue.maximum) } : { key: 'input.invalid', detail: issue.message };
    case 'invalid_format':
      return { key: 'input.invalidFormat' };
    default:
      return { key: 'input.invalid' };
  }
}

/** Parses `value` or throws BAD_USER_INPUT naming the first bad field, as a path from `root` (e.g. `input.name`). */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, root = 'input'): z.output<S> {
  // Postgres cannot store NUL in text: refuse it here, naming the field, rather than fail in the database.
  const nul = pathOfNul(value, []);
  if (nul) throw new BadUserInput([root, ...nul].join('.'), { key: 'input.invalidFormat' });
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = [root, ...issue.path.map(String)].join('.');
  throw new BadUserInput(field, problemOf(issue));
}

/** The path of the first string holding a NUL character inside `value`, or null. */
function pathOfNul(value: unknown, path: string[]): string[] | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path : null;
  if (value === null || typeof value !== 'object') return null;
  for (const [key, item] of Object.entries(value)) {
    const found = pathOfNul(item, [...path, key]);
    if (found) return found;
  }
  return null;
}
