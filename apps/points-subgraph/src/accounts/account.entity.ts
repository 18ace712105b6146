import { Column, Entity, PrimaryColumn } from 'typeorm';

export type AccountKind = 'PERSON' | 'POOL' | 'SYSTEM' | 'MERCHANT';

/**
 * A love bank account: a person's (爱心储蓄卡), a station's donation pool (爱心池), or one of the love bank's own
 * system accounts. Amounts are bigint columns, so they arrive as strings, like ids. `balance` and `reserved` are
 * caches of the postings, written only by the ledger core and proven by `npm run ledger:verify`.
 */
@Entity({ name: 'points_account' })
export class PointsAccount {
  @PrimaryColumn({ type: 'bigint' })
  id!: string;

  @Column({ type: 'text', default: 'PERSON' })
  kind!: AccountKind;

  /** The holder, for a PERSON account. */
  @Column({ name: 'person_id', type: 'bigint', nullable: true, unique: true })
  personId!: string | null;

  @Column({ name: 'system_code', type: 'text', nullable: true })
  systemCode!: string | null;

  @Column({ name: 'card_number', type: 'text', unique: true })
  cardNumber!: string;

  /** The station of a pool, or the holder's home station when known. */
  @Column({ name: 'unit_id', type: 'bigint', nullable: true })
  unitId!: string | null;

  /** Materialized path of that unit: staff of its subtree see the account. Null while unknown. */
  @Column({ name: 'unit_path', type: 'text', nullable: true })
  unitPath!: string | null;

  @Column({ type: 'bigint', default: 0 })
  balance!: string;

  @Column({ type: 'bigint', default: 0 })
  reserved!: string;

  @Column({ name: 'lifetime_earned', type: 'bigint', default: 0 })
  lifetimeEarned!: string;

  @Column({ name: 'lifetime_spent', type: 'bigint', default: 0 })
  lifetimeSpent!: string;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}
