import { BadUserInput } from '@kz/errors';
import { isBigintId, Page, PageArgs, readPage } from '@kz/subgraph';

/**
 * Cursors of lists ordered by a time and then the id (activities by start, sign-ups by sign-up time). The key is
 * `<time with microseconds, UTC>|<id>`, made by Postgres, so a cursor never loses the microseconds that `now()`
 * stores and a JavaScript Date would drop.
 */
export const timeKeySql = (column: string, id: string) =>
  `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') || '|' || ${id}::text`;

/** `(time, id)` of a key made by `timeKeySql`, or nulls for the first page; compare with `($n::timestamp AT TIME ZONE 'UTC', $m::bigint)`. */
export function parseTimeKey(key: string | null): [string | null, string | null] {
  if (!key) return [null, null];
  const [time = '', id = ''] = key.split('|');
  return [time, id];
}

/** `readPage` that also refuses a cursor whose key is not a time key. */
export function readTimePage(args: PageArgs, kind: string): Page {
  const page = readPage(args, kind);
  if (page.afterKey !== null) {
    const [time, id] = page.afterKey.split('|');
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}$/.test(time ?? '') || !isBigintId(id ?? '')) {
      throw new BadUserInput('after', { key: 'input.cursor' });
    }
  }
  return page;
}

/** The sort key each fetched row came with (column `sort_key`), kept beside the entity for the page's cursors. */
export const sortKeys = new WeakMap<object, string>();

export function sortKeyOf(row: object): string {
  const key = sortKeys.get(row);
  if (key === undefined) throw new Error('row fetched without a sort key');
  return key;
}
