import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import type { Actor, Claims } from '@kz/auth';
import { BadUserInput, Forbidden } from '@kz/errors';
import { catalog, recordEvent } from '@kz/events';
import { findUnit } from '@kz/org-replica';
import { isBigintId, parseInput } from '@kz/subgraph';
import { currentRequestScope } from '@kz/telemetry';
import { FastAnswer, once, onceFast } from '../ledger/idempotency';
import type { TransactionView } from './account.loaders';
import { postTransaction } from '../ledger/ledger';
import { ensurePersonAccount, ensureStationPool } from './account-opening';
import { AccountRef, DAILY_TRANSFER_LIMIT, TransferPointsInput, transferPointsInput } from './account.input';

/** What a value-moving mutation answers, and what its idempotency record keeps: the transaction, seen from an account. */
export interface MovementResult {
  transactionId: string;
  accountId: string;
}

/** What `points_transfer` answers besides the claim: the transaction as the payer's statement shows it. */
interface FastTransfer extends FastAnswer {
  view_kind: string;
  view_status: string;
  view_description: string;
  view_created_at: Date;
  view_amount: string;
  view_counterparty_id: string;
}

/** Where the day starts for the daily limit: midnight in Kaizhou (Beijing time), whatever the server's zone. */
const TODAY_STARTS_SQL = `(date_trunc('day', now() AT TIME ZONE 'Asia/Shanghai') AT TIME ZONE 'Asia/Shanghai')`;

interface Receiver {
  id: string;
  kind: 'PERSON' | 'POOL';
  unitPath: string | null;
}

/**
 * Points passed on by the people who hold them: to another person's account (a helped resident paying it forward)
 * or to a station's pool (爱心池). From the caller's own account only, within a daily limit, exactly once per
 * idempotency key.
 */
export class TransferService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly actor: Actor,
    private readonly eventsWritten: () => void,
    /** Where the answer of a fast transfer is put, so showing it reads nothing more (the request's loader). */
    private readonly shown?: (view: TransactionView) => void,
  ) {}

  async transfer(raw: unknown): Promise<MovementResult> {
    const claims = this.actor.requireRole('RESIDENT', 'VOLUNTEER');
    if (!isBigintId(claims.sub)) throw new Forbidden();
    const input = parseInput(transferPointsInput, raw);
    const claim = { actor: claims.sub, key: input.idempotencyKey, operation: 'transferPoints', request: input };
    const general = () => once(this.dataSource, claim, (manager) => this.move(manager, claims, input));
    const ref = input.toAccountId ?? null;
    // The common case in one statement (points_transfer); a station or account id that is no id cannot be found there.
    const idShaped = input.toStationId ? isBigintId(input.toStationId) : ref !== null && (!('id' in ref) || isBigintId(ref.id));
    const { result, replayed, row } = idShaped
      ? await onceFast<MovementResult, FastTransfer>(
          claim,
          async (requestHash) =>
            this.dataSource.query(
              'SELECT * FROM points_transfer($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)',
              [
                claims.sub,
                input.idempotencyKey,
                requestHash,
                claims.sub,
                ref && 'id' in ref ? ref.id : null,
                ref && 'cardNumber' in ref ? ref.cardNumber : null,
                input.toStationId ?? null,
                input.amount,
                DAILY_TRANSFER_LIMIT,
                input.note ?? null,
                JSON.stringify(input.note ? { note: input.note } : {}),
                randomUUID(),
                catalog['points.transferred'].version,
                JSON.stringify({ personId: claims.sub, roles: claims.roles }),
                new Date().toISOString(),
                currentRequestScope()?.requestId ?? null,
              ],
            ),
          general,
        )
      : { ...(await general()), row: undefined };
    if (!replayed) this.eventsWritten();
    if (row && !replayed) {
      this.shown?.({
        id: result.transactionId,
        accountId: result.accountId,
        kind: row.view_kind as TransactionView['kind'],
        status: row.view_status as TransactionView['status'],
        description: row.view_description,
        createdAt: row.view_created_at,
        amount: Number(row.view_amount),
        counterpartyId: row.view_counterparty_id,
        serviceRecordId: null,
        reversesId: null,
      });
    }
    return result;
  }

  /** The general path, in the caller's transaction: opens what is missing and explains every refusal. */
  private async move(manager: EntityManager, claims: Claims, input: TransferPointsInput): Promise<MovementResult> {
    const payer = await ensurePersonAccount(manager, claims.sub);
    const receiver = await this.receiver(manager, input);
    if (receiver.id === payer.id) throw new BadUserInput('input.toAccountId', { key: 'points.selfTransfer' });
    // Both rows, in id order as the ledger updates them, so opposite transfers cannot deadlock. Holding the
    // payer's row serializes their transfers: the day's total below cannot be raced past the limit.
    await manager.query('SELECT id FROM points_account WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE', [[payer.id, receiver.id]]);
    const given = await givenToday(manager, payer.id);
    if (given + input.amount > DAILY_TRANSFER_LIMIT) {
      throw new BadUserInput('input.amount', { key: 'points.dailyLimit', limit: DAILY_TRANSFER_LIMIT, remaining: Math.max(0, DAILY_TRANSFER_LIMIT - given) });
    }
    const donation = receiver.kind === 'POOL';
    const tx = await postTransaction(manager, {
      kind: donation ? 'DONATION' : 'TRANSFER',
      description: input.note || (donation ? '爱心捐赠' : '积分转赠'),
      createdBy: claims.sub,
      postings: [
        { accountId: payer.id, amount: -input.amount },
        { accountId: receiver.id, amount: input.amount },
      ],
      metadata: input.note ? { note: input.note } : {},
    });
    await recordEvent(manager, {
      type: 'points.transferred',
      actor: { personId: claims.sub, roles: claims.roles },
      unitPath: receiver.unitPath,
      payload: { fromAccountId: payer.id, toAccountId: receiver.id, amount: input.amount },
    });
    return { transactionId: tx.id, accountId: payer.id };
  }

  /** The receiving account: a person's or a pool (by id or card number), or a station's pool, opened on first gift. */
  private async receiver(manager: EntityManager, input: TransferPointsInput): Promise<Receiver> {
    if (input.toStationId) {
      const station = await findUnit(manager, input.toStationId);
      if (!station || station.level !== 'STATION') {
        throw new BadUserInput('input.toStationId', { key: 'input.unknownReference', entity: 'station', entityZh: '实践站', id: input.toStationId });
      }
      const pool = await ensureStationPool(manager, station);
      return { id: pool.id, kind: 'POOL', unitPath: station.path };
    }
    const ref = input.toAccountId as AccountRef;
    const [account] = await manager.query(
      `SELECT id::text, kind, unit_path AS "unitPath" FROM points_account WHERE ${'id' in ref ? 'id = $1' : 'card_number = $1'} AND kind <> 'SYSTEM'`,
      ['id' in ref ? ref.id : ref.cardNumber],
    );
    if (!account) {
      const id = 'id' in ref ? ref.id : ref.cardNumber;
      throw new BadUserInput('input.toAccountId', { key: 'input.unknownReference', entity: 'points account', entityZh: '积分账户', id });
    }
    return account;
  }
}

/** Points the account gave away (transfers and donations) since midnight, Beijing time. */
async function givenToday(manager: EntityManager, accountId: string): Promise<number> {
  const [row] = await manager.query(
    `SELECT coalesce(-sum(p.amount), 0)::bigint AS given
       FROM posting p JOIN ledger_transaction t ON t.id = p.transaction_id
      WHERE p.account_id = $1 AND p.amount < 0 AND t.kind IN ('TRANSFER', 'DONATION') AND t.created_at >= ${TODAY_STARTS_SQL}`,
    [accountId],
  );
  return Number(row.given);
}
