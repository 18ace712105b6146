import { Column, Entity, PrimaryColumn } from 'typeorm';

export type RewardKind = 'GOODS' | 'SERVICE';
export type LimitPeriod = 'DAY' | 'WEEK' | 'MONTH' | 'YEAR';

/**
 * Something points can buy, offered at one station (`unitId`, with its path copied for scope checks) or district-wide
 * (no unit). Goods carry the stock left to reserve; services have none.
 */
@Entity({ name: 'reward' })
export class Reward {
  @PrimaryColumn({ type: 'bigint' })
  id!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text', nullable: true })
  description!: string | null;

  @Column({ type: 'text' })
  kind!: RewardKind;

  @Column({ type: 'int' })
  price!: number;

  @Column({ name: 'unit_id', type: 'bigint', nullable: true })
  unitId!: string | null;

  @Column({ name: 'unit_path', type: 'text', nullable: true })
  unitPath!: string | null;

  /** Items left to reserve (goods); null for services. */
  @Column({ type: 'int', nullable: true })
  stock!: number | null;

  @Column({ name: 'per_person_limit', type: 'int', nullable: true })
  perPersonLimit!: number | null;

  @Column({ name: 'limit_period', type: 'text', nullable: true })
  limitPeriod!: LimitPeriod | null;

  @Column({ name: 'active_from', type: 'timestamptz', nullable: true })
  activeFrom!: Date | null;

  @Column({ name: 'active_until', type: 'timestamptz', nullable: true })
  activeUntil!: Date | null;

  @Column({ name: 'created_by', type: 'text' })
  createdBy!: string;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}

/** One change of a reward (created, updated, restocked), with the fields it changed. */
@Entity({ name: 'reward_audit' })
export class RewardAudit {
  @PrimaryColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'reward_id', type: 'bigint' })
  rewardId!: string;

  @Column({ type: 'text' })
  action!: 'CREATED' | 'UPDATED' | 'RESTOCKED';

  @Column({ name: 'stock_delta', type: 'int', nullable: true })
  stockDelta!: number | null;

  /** `{ field: { from, to } }` of what changed. */
  @Column({ type: 'jsonb', default: {} })
  changes!: Record<string, { from: unknown; to: unknown }>;

  @Column({ type: 'text', nullable: true })
  reason!: string | null;

  @Column({ name: 'changed_by', type: 'text' })
  changedBy!: string;

  @Column({ name: 'changed_at', type: 'timestamptz', default: () => 'now()' })
  changedAt!: Date;
}
