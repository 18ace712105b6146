import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { SpecialGroup } from '../orders/order-statuses';

export const CARE_FREQUENCIES = ['WEEKLY', 'BIWEEKLY', 'MONTHLY'] as const;
export type CareFrequency = (typeof CARE_FREQUENCIES)[number];

/**
 * Regular visits to a special-group beneficiary (e.g. a weekly visit to an empty-nest elder). The dispatch worker
 * times the next visit from `nextVisitAt` and turns each due visit into a patrol order of the plan's station.
 */
@Entity({ name: 'care_plan' })
export class CarePlan {
  @PrimaryColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'beneficiary_name', type: 'text' })
  beneficiaryName!: string;

  @Column({ name: 'beneficiary_phone', type: 'text', nullable: true })
  beneficiaryPhone!: string | null;

  @Column({ name: 'special_group', type: 'text' })
  specialGroup!: SpecialGroup;

  @Column({ type: 'text', nullable: true })
  address!: string | null;

  @Column({ type: 'double precision', nullable: true })
  lat!: number | null;

  @Column({ type: 'double precision', nullable: true })
  lng!: number | null;

  @Column({ name: 'station_id', type: 'bigint' })
  stationId!: string;

  @Column({ name: 'station_path', type: 'text' })
  stationPath!: string;

  @Column({ name: 'squad_id', type: 'bigint', nullable: true })
  squadId!: string | null;

  @Column({ type: 'text' })
  frequency!: CareFrequency;

  @Column({ name: 'next_visit_at', type: 'timestamptz' })
  nextVisitAt!: Date;

  @Column({ type: 'boolean', default: true })
  active!: boolean;

  @Column({ name: 'missed_visits', type: 'int', default: 0 })
  missedVisits!: number;

  @Column({ name: 'created_by', type: 'text' })
  createdBy!: string;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}
