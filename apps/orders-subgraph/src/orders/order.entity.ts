import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { OrderStatus } from './order-statuses';

/** A service order. `stationPath` copies the station's path so scope checks need no call to org. */
@Entity({ name: 'service_order' })
export class ServiceOrder {
  @PrimaryColumn({ type: 'bigint' })
  id!: string;

  @Column({ type: 'text', unique: true })
  code!: string;

  @Column({ type: 'text' })
  title!: string;

  @Column({ type: 'text', default: 'SUBMITTED' })
  status!: OrderStatus;

  @Column({ name: 'station_id', type: 'bigint', nullable: true })
  stationId!: string | null;

  @Column({ name: 'station_path', type: 'text', nullable: true })
  stationPath!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}
