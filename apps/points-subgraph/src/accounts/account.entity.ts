import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A person's love bank account. Amounts are bigint columns, so they arrive as strings, like ids. */
@Entity({ name: 'points_account' })
export class PointsAccount {
  @PrimaryColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'person_id', type: 'bigint', unique: true })
  personId!: string;

  @Column({ name: 'card_number', type: 'text', unique: true })
  cardNumber!: string;

  @Column({ type: 'bigint', default: 0 })
  balance!: string;

  @Column({ type: 'bigint', default: 0 })
  reserved!: string;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}
