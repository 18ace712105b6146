import { BadUserInput } from '@kz/errors';

/** Cursor pagination as every list of the graph does it (`first`, `after` → edges, pageInfo, totalCount). */
export interface PageArgs {
  first?: number | null;
  after?: string | null;
}

export interface Page {
  /** How many items to return. */
  limit: number;
  /** The sort key of the last item already seen, or null for the first page. */
  afterKey: string | null;
}

export interface Connection<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: () => Promise<number>;
}

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

export function encodeCursor(kind: string, key: string): string {
  return Buffer.from(`${kind}:${key}`, 'utf8').toString('base64url');
}

/** Validates `first` and `after`; a cursor from another list is refused, not silently misread. */
export function readPage(args: PageArgs, kind: string, max = MAX_PAGE_SIZE): Page {
  const limit = args.first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(limit) || limit < 0 || limit > max) {
    throw new BadUserInput('first', { key: 'input.outOfRange', min: 0, max });
  }
  if (!args.after) return { limit, afterKey: null };
  const decoded = Buffer.from(args.after, 'base64url').toString('utf8');
  if (!decoded.startsWith(`${kind}:`)) throw new BadUserInput('after', { key: 'input.cursor' });
  return { limit, afterKey: decoded.slice(kind.length + 1) };
}

/**
 * Builds a connection from rows fetched with `LIMIT page.limit + 1` (the extra row only says whether there is a
 * next page). `totalCount` runs only if the client asks for it.
 */
export function toConnection<T>(
  rows: T[],
  page: Page,
  kind: string,
  keyOf: (row: T) => string,
  totalCount: () => Promise<number>,
): Connection<T> {
  const visible = rows.slice(0, page.limit);
  const edges = visible.map((node) => ({ cursor: encodeCursor(kind, keyOf(node)), node }));
  return {
    edges,
    pageInfo: { hasNextPage: rows.length > page.limit, endCursor: edges.at(-1)?.cursor ?? null },
    totalCount,
  };
}
