import type { DataSource, EntityManager } from 'typeorm';
import type { Actor } from '@kz/auth';
import { isUniqueViolation } from '@kz/db';
import { BadUserInput, Conflict, InvalidTransition } from '@kz/errors';
import { parseInput } from '@kz/subgraph';
import { once } from '../ledger/idempotency';
import { postTransaction, systemAccountId, TransactionKind } from '../ledger/ledger';
import { AccountRef, adjustPointsInput, reverseTransactionInput } from './account.input';
import type { MovementResult } from './transfer.service';

const STATUS_ZH: Record<string, string> = { PENDING: '待处理（冻结中）', POSTED: '已入账', VOIDED: '已作废' };

/**
 * The center's corrections: manual adjustments with a reason, and reversals. Nothing in the ledger is ever edited;
 * a mistake is fixed by a new transaction that says why, exactly once per idempotency key.
 */
export class CorrectionService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly actor: Actor,
  ) {}

  /** Adds or takes away points against the ADJUSTMENT account; never below what the account has available. */
  async adjust(raw: unknown): Promise<MovementResult> {
    const claims = this.actor.requireRole('CENTER_ADMIN');
    const input = parseInput(adjustPointsInput, raw);
    const { result } = await once(
      this.dataSource,
      { actor: claims.sub, key: input.idempotencyKey, operation: 'adjustPoints', request: input },
      async (manager) => {
        const accountId = await accountOf(manager, input.accountId);
        const adjustment = await systemAccountId(manager, 'ADJUSTMENT');
        const tx = await postTransaction(manager, {
          kind: 'ADJUSTMENT',
          description: input.reason,
          createdBy: claims.sub,
          postings: [
            { accountId, amount: input.amount },
            { accountId: adjustment, amount: -input.amount },
          ],
          metadata: { reason: input.reason },
        });
        return { transactionId: tx.id, accountId };
      },
    );
    return result;
  }

  /**
   * Posts the opposite of a posted transaction (kind REVERSAL), once: a second reversal is a CONFLICT, a pending or
   * voided transaction cannot be reversed, and a reversal that would take an account below zero is refused.
   */
  async reverse(raw: unknown): Promise<MovementResult> {
    const claims = this.actor.requireRole('CENTER_ADMIN');
    const input = parseInput(reverseTransactionInput, raw);
    const { result } = await once(
      this.dataSource,
      { actor: claims.sub, key: input.idempotencyKey, operation: 'reverseTransaction', request: input },
      async (manager) => {
        // Locked, so two reversals of the same transaction queue here and the second sees the first.
        const [original]: { id: string; kind: TransactionKind; status: string }[] = await manager.query(
          'SELECT id::text, kind, status FROM ledger_transaction WHERE id = $1 FOR UPDATE',
          [input.transactionId],
        );
        if (!original) {
          throw new BadUserInput('input.transactionId', { key: 'input.unknownReference', entity: 'points transaction', entityZh: '积分交易', id: input.transactionId });
        }
        if (original.status !== 'POSTED') {
          throw new InvalidTransition({
            entity: 'points transaction',
            entityZh: '积分交易',
            from: original.status,
            fromZh: STATUS_ZH[original.status],
            event: 'reverse',
            eventZh: '冲正',
          });
        }
        const [reversal] = await manager.query('SELECT id FROM ledger_transaction WHERE reverses_id = $1', [original.id]);
        if (reversal) throw new Conflict('input.transactionId', original.id, 'points.alreadyReversed');
        const postings: { accountId: string; amount: string; kind: string }[] = await manager.query(
          `SELECT p.account_id::text AS "accountId", p.amount, a.kind FROM posting p JOIN points_account a ON a.id = p.account_id
            WHERE p.transaction_id = $1 ORDER BY p.id`,
          [original.id],
        );
        try {
          const tx = await postTransaction(manager, {
            kind: 'REVERSAL',
            description: `冲正：${input.reason}`,
            createdBy: claims.sub,
            postings: postings.map((posting) => ({ accountId: posting.accountId, amount: -Number(posting.amount) })),
            reversesId: original.id,
            reversedKind: original.kind,
            metadata: { reason: input.reason },
          });
          const shown = postings.find((posting) => posting.kind !== 'SYSTEM') ?? postings[0]!;
          return { transactionId: tx.id, accountId: shown.accountId };
        } catch (error) {
          if (isUniqueViolation(error)) throw new Conflict('input.transactionId', original.id, 'points.alreadyReversed');
          throw error;
        }
      },
    );
    return result;
  }
}

/** The account an adjustment is for, by id or card number; system accounts are not adjusted by hand. */
async function accountOf(manager: EntityManager, ref: AccountRef): Promise<string> {
  const [row] = await manager.query(`SELECT id::text FROM points_account WHERE ${'id' in ref ? 'id = $1' : 'card_number = $1'} AND kind <> 'SYSTEM'`, [
    'id' in ref ? ref.id : ref.cardNumber,
  ]);
  if (!row) {
    const id = 'id' in ref ? ref.id : ref.cardNumber;
    throw new BadUserInput('input.accountId', { key: 'input.unknownReference', entity: 'points account', entityZh: '积分账户', id });
  }
  return row.id;
}
