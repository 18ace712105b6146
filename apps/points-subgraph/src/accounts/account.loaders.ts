import DataLoader from 'dataloader';
import type { EntityManager } from 'typeorm';
import { hydrate } from '@kz/db';
import type { UnitRef } from '@kz/org-replica';
import { byIdLoader, Page } from '@kz/subgraph';
import type { TransactionKind } from '../ledger/ledger';
import { PointsAccount } from './account.entity';
import type { StatementFilter } from './account.input';

/** A ledger transaction as one account's statement shows it. */
export interface TransactionView {
  id: string;
  kind: TransactionKind;
  status: 'PENDING' | 'POSTED' | 'VOIDED';
  /** The account whose statement this line is on. */
  accountId: string;
  /** That account's posting: positive in, negative out. */
  amount: number;
  /** The other account of a two-posting transaction, unless it is a system account. */
  counterpartyId: string | null;
  description: string;
  serviceRecordId: string | null;
  reversesId: string | null;
  createdAt: Date;
}

export interface PointsStatsRow {
  issued: number;
  redeemed: number;
  outstanding: number;
  reservedForPickup: number;
}

export interface StatementKey {
  accountId: string;
  page: Page;
  filter: StatementFilter;
}

const filterKey = (filter: StatementFilter) =>
  JSON.stringify([filter.kinds ? [...filter.kinds].sort() : null, filter.from?.toISOString() ?? null, filter.to?.toISOString() ?? null]);

/** `$n`-numbered parameters of a statement filter, starting at `first`. */
function filterParams(filter: StatementFilter): unknown[] {
  return [filter.kinds?.length ? filter.kinds : null, filter.from ?? null, filter.to ?? null];
}

function filterSql(first: number): string {
  return `($${first}::text[] IS NULL OR t.kind = ANY($${first}::text[]))
      AND ($${first + 1}::timestamptz IS NULL OR t.created_at >= $${first + 1})
      AND ($${first + 2}::timestamptz IS NULL OR t.created_at < $${first + 2})`;
}

/**
 * The other side of a two-posting transaction from account `acct`'s view: an alias `cp` with `counterparty_id`,
 * null for system accounts and for transactions of more than two postings.
 */
const COUNTERPARTY_SQL = (tx: string, acct: string) => `
  LEFT JOIN LATERAL (
    SELECT ca.id::text AS counterparty_id
      FROM (SELECT count(*) AS n, max(o.account_id) FILTER (WHERE o.account_id <> ${acct}) AS other FROM posting o WHERE o.transaction_id = ${tx}) c
      JOIN points_account ca ON ca.id = c.other AND ca.kind <> 'SYSTEM'
     WHERE c.n = 2
  ) cp ON true`;

const VIEW_COLUMNS = `t.id::text AS id, t.kind, t.status, t.description, t.service_record_id AS "serviceRecordId",
  t.reverses_id::text AS "reversesId", t.created_at AS "createdAt"`;

function toView(row: Record<string, unknown>): TransactionView {
  return {
    id: String(row.id),
    kind: row.kind as TransactionKind,
    status: row.status as TransactionView['status'],
    accountId: String(row.accountId),
    amount: Number(row.amount),
    counterpartyId: (row.counterparty_id as string | null) ?? null,
    description: String(row.description),
    serviceRecordId: (row.serviceRecordId as string | null) ?? null,
    reversesId: (row.reversesId as string | null) ?? null,
    createdAt: row.createdAt as Date,
  };
}

/** The batched lookups of accounts, statements and figures, created fresh for each request with the other loaders. */
export function createAccountLoaders(manager: EntityManager) {
  return {
    accountById: byIdLoader(manager, PointsAccount),
    accountByPerson: new DataLoader<string, PointsAccount | null>(async (personIds) => {
      const raw = await manager.query('SELECT * FROM points_account WHERE person_id = ANY($1::bigint[])', [personIds]);
      const byPerson = new Map(hydrate(manager, PointsAccount, raw).map((account) => [account.personId, account]));
      return personIds.map((id) => byPerson.get(id) ?? null);
    }),
    accountByCardNumber: new DataLoader<string, PointsAccount | null>(async (cardNumbers) => {
      const raw = await manager.query('SELECT * FROM points_account WHERE card_number = ANY($1::text[])', [cardNumbers]);
      const byCard = new Map(hydrate(manager, PointsAccount, raw).map((account) => [account.cardNumber, account]));
      return cardNumbers.map((card) => byCard.get(card) ?? null);
    }),
    /** Units of the local replica (`unit_ref`), by id. */
    unitRefById: new DataLoader<string, UnitRef | null>(async (unitIds) => {
      const rows: UnitRef[] = await manager.query('SELECT id::text, code, path, level, name FROM unit_ref WHERE id = ANY($1::bigint[])', [unitIds]);
      const byId = new Map(rows.map((unit) => [unit.id, unit]));
      return unitIds.map((id) => byId.get(id) ?? null);
    }),
    /** Each station's donation pool, or null while nobody has given to it. */
    poolByUnit: new DataLoader<string, PointsAccount | null>(async (unitIds) => {
      const raw = await manager.query(`SELECT * FROM points_account WHERE kind = 'POOL' AND unit_id = ANY($1::bigint[])`, [unitIds]);
      const byUnit = new Map(hydrate(manager, PointsAccount, raw).map((account) => [String(account.unitId), account]));
      return unitIds.map((id) => byUnit.get(id) ?? null);
    }),
    /** One transaction as one account's statement shows it, for many (transaction, account) pairs at once. */
    transactionView: new DataLoader<{ transactionId: string; accountId: string }, TransactionView | null, string>(
      async (keys) => {
        const rows: Record<string, unknown>[] = await manager.query(
          `SELECT ${VIEW_COLUMNS}, k.account_id::text AS "accountId", mine.amount, cp.counterparty_id
             FROM unnest($1::bigint[], $2::bigint[]) AS k(transaction_id, account_id)
             JOIN ledger_transaction t ON t.id = k.transaction_id
             CROSS JOIN LATERAL (SELECT sum(p.amount)::bigint AS amount FROM posting p WHERE p.transaction_id = t.id AND p.account_id = k.account_id) mine
             ${COUNTERPARTY_SQL('t.id', 'k.account_id')}
            WHERE mine.amount IS NOT NULL`,
          [keys.map((key) => key.transactionId), keys.map((key) => key.accountId)],
        );
        const views = new Map(rows.map((row) => [`${row.id}|${row.accountId}`, toView(row)]));
        return keys.map((key) => views.get(`${key.transactionId}|${key.accountId}`) ?? null);
      },
      { cacheKeyFn: (key) => `${key.transactionId}|${key.accountId}` },
    ),
    /** The postings of transactions, for finding whose statement a transaction is on. */
    postingsOf: new DataLoader<string, { accountId: string; kind: string; personId: string | null; amount: number }[]>(async (transactionIds) => {
      const rows: { transactionId: string; accountId: string; kind: string; personId: string | null; amount: string }[] = await manager.query(
        `SELECT p.transaction_id::text AS "transactionId", p.account_id::text AS "accountId", a.kind, a.person_id::text AS "personId", p.amount
           FROM posting p JOIN points_account a ON a.id = p.account_id
          WHERE p.transaction_id = ANY($1::bigint[]) ORDER BY p.id`,
        [transactionIds],
      );
      const byTransaction = new Map<string, { accountId: string; kind: string; personId: string | null; amount: number }[]>();
      for (const { transactionId, accountId, kind, personId, amount } of rows) {
        byTransaction.set(transactionId, [...(byTransaction.get(transactionId) ?? []), { accountId, kind, personId, amount: Number(amount) }]);
      }
      return transactionIds.map((id) => byTransaction.get(id) ?? []);
    }),
    /**
     * One page of the statement (newest first) of each of many accounts: keys with the same page size, cursor and
     * filter share one statement, a LATERAL join per account.
     */
    statementPage: new DataLoader<StatementKey, TransactionView[], string>(
      async (keys) => {
        const groups = new Map<string, StatementKey[]>();
        const groupOf = (key: StatementKey) => `${key.page.limit}|${key.page.afterKey ?? ''}|${filterKey(key.filter)}`;
        for (const key of keys) groups.set(groupOf(key), [...(groups.get(groupOf(key)) ?? []), key]);
        const byKey = new Map<string, TransactionView[]>();
        for (const [group, members] of groups) {
          const { page, filter } = members[0]!;
          const rows: Record<string, unknown>[] = await manager.query(
            `SELECT s.*, cp.counterparty_id FROM unnest($1::bigint[]) AS a(id)
             CROSS JOIN LATERAL (
               SELECT ${VIEW_COLUMNS}, a.id::text AS "accountId", p.amount
                 FROM posting p JOIN ledger_transaction t ON t.id = p.transaction_id
                WHERE p.account_id = a.id AND ($2::bigint IS NULL OR p.transaction_id < $2::bigint) AND ${filterSql(4)}
                ORDER BY p.transaction_id DESC LIMIT $3
             ) s
             ${COUNTERPARTY_SQL('s.id::bigint', 's."accountId"::bigint')}
             ORDER BY s."accountId", s.id::bigint DESC`,
            [members.map((key) => key.accountId), page.afterKey, page.limit + 1, ...filterParams(filter)],
          );
          for (const row of rows) {
            const key = `${group}|${row.accountId}`;
            byKey.set(key, [...(byKey.get(key) ?? []), toView(row)]);
          }
        }
        return keys.map((key) => byKey.get(`${groupOf(key)}|${key.accountId}`) ?? []);
      },
      { cacheKeyFn: (key) => `${key.accountId}|${key.page.limit}|${key.page.afterKey ?? ''}|${filterKey(key.filter)}` },
    ),
    /** How many transactions of each account's statement match a filter. */
    statementCount: new DataLoader<{ accountId: string; filter: StatementFilter }, number, string>(
      async (keys) => {
        const counts = new Map<string, number>();
        const groups = new Map<string, { accountId: string; filter: StatementFilter }[]>();
        for (const key of keys) groups.set(filterKey(key.filter), [...(groups.get(filterKey(key.filter)) ?? []), key]);
        for (const [group, members] of groups) {
          const rows: { accountId: string; n: number }[] = await manager.query(
            `SELECT p.account_id::text AS "accountId", count(*)::int AS n
               FROM posting p JOIN ledger_transaction t ON t.id = p.transaction_id
              WHERE p.account_id = ANY($1::bigint[]) AND ${filterSql(2)}
              GROUP BY p.account_id`,
            [members.map((key) => key.accountId), ...filterParams(members[0]!.filter)],
          );
          for (const row of rows) counts.set(`${group}|${row.accountId}`, row.n);
        }
        return keys.map((key) => counts.get(`${filterKey(key.filter)}|${key.accountId}`) ?? 0);
      },
      { cacheKeyFn: (key) => `${key.accountId}|${filterKey(key.filter)}` },
    ),
    /** The points figures of many subtrees (by unit path) in one statement. */
    pointsStats: new DataLoader<string, PointsStatsRow>(async (paths) => {
      const rows: (PointsStatsRow & { path: string })[] = await manager.query(
        `SELECT u.path, a.outstanding, l.issued, l.redeemed, r.reserved AS "reservedForPickup"
           FROM unnest($1::text[]) AS u(path)
           CROSS JOIN LATERAL (
             SELECT coalesce(sum(pa.balance), 0)::bigint AS outstanding FROM points_account pa
              WHERE pa.kind <> 'SYSTEM' AND ${within('pa.unit_path', 'u.path')}
           ) a
           CROSS JOIN LATERAL (
             SELECT coalesce(sum(p.amount) FILTER (WHERE t.kind IN ('CREDIT', 'CREDIT_CORRECTION')), 0)::bigint AS issued,
                    coalesce(-sum(p.amount) FILTER (WHERE t.kind = 'REDEMPTION' AND p.amount < 0), 0)::bigint AS redeemed
               FROM points_account pa
               JOIN posting p ON p.account_id = pa.id
               JOIN ledger_transaction t ON t.id = p.transaction_id AND t.status = 'POSTED'
              WHERE pa.kind <> 'SYSTEM' AND ${within('pa.unit_path', 'u.path')} AND t.kind IN ('CREDIT', 'CREDIT_CORRECTION', 'REDEMPTION')
           ) l
           CROSS JOIN LATERAL (
             SELECT coalesce(sum(rd.points), 0)::bigint AS reserved FROM redemption rd
              WHERE rd.status = 'RESERVED' AND ${within('rd.station_path', 'u.path')}
           ) r`,
        [paths],
      );
      const byPath = new Map(rows.map((row) => [row.path, row]));
      return paths.map((path) => {
        const row = byPath.get(path);
        return {
          issued: Number(row?.issued ?? 0),
          redeemed: Number(row?.redeemed ?? 0),
          outstanding: Number(row?.outstanding ?? 0),
          reservedForPickup: Number(row?.reservedForPickup ?? 0),
        };
      });
    }),
  };
}

/** `column` lies in the subtree of `path`, written so the text_pattern_ops index on the column serves it. */
function within(column: string, path: string): string {
  return `(${column} = ${path} OR (${column} ~>=~ (${path} || '/') AND ${column} ~<~ (${path} || '0')))`;
}

export type AccountLoaders = ReturnType<typeof createAccountLoaders>;
