import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { RedemptionStatus } from './redemption-state-machine';

/**
 * A redemption: stock and points reserved together (the points as a pending ledger transaction), then fulfilled at
 * pickup, cancelled or expired. `stationPath` copies where it is picked up, for scope checks.
 */
@Entity({ name: 'redemption' })
export class Redemption {
  @PrimaryColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'reward_id', type: 'bigint' })
  rewardId!: string;

  @Column({ name: 'account_id', type: 'bigint' })
  accountId!: string;

  @Column({ name: 'person_id', type: 'bigint' })
  personId!: string;

  @Column({ type: 'int' })
  quantity!: number;

  /** Bigint column: arrives as a string. */
  @Column({ type: 'bigint' })
  points!: string;

  @Column({ type: 'text' })
  status!: RedemptionStatus;

  @Column({ name: 'pickup_code', type: 'text' })
  pickupCode!: string;

  @Column({ name: 'station_id', type: 'bigint', nullable: true })
  stationId!: string | null;

  @Column({ name: 'station_path', type: 'text', nullable: true })
  stationPath!: string | null;

  /** The pending ledger transaction that holds the points. */
  @Column({ name: 'transaction_id', type: 'bigint' })
  transactionId!: string;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'resolved_at', type: 'timestamptz', nullable: true })
  resolvedAt!: Date | null;

  @Column({ name: 'resolved_by', type: 'text', nullable: true })
  resolvedBy!: string | null;
}
