import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { UnitLevel } from './unit-levels';

/** A practice site. `path` is the materialized path of ids from the center (`1/7/123`), the basis of every scope check. */
@Entity({ name: 'practice_unit' })
export class PracticeUnit {
  @PrimaryColumn({ type: 'bigint' })
  id!: string;

  @Column({ type: 'text', unique: true })
  code!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text' })
  level!: UnitLevel;

  @Column({ name: 'parent_id', type: 'bigint', nullable: true })
  parentId!: string | null;

  @Column({ type: 'text', unique: true })
  path!: string;

  @Column({ type: 'int' })
  depth!: number;

  @Column({ name: 'is_demonstration', type: 'boolean', default: false })
  isDemonstration!: boolean;

  @Column({ type: 'text', nullable: true })
  address!: string | null;

  @Column({ type: 'double precision', nullable: true })
  lat!: number | null;

  @Column({ type: 'double precision', nullable: true })
  lng!: number | null;

  @Column({ name: 'contact_name', type: 'text', nullable: true })
  contactName!: string | null;

  @Column({ name: 'contact_phone', type: 'text', nullable: true })
  contactPhone!: string | null;

  /** The unit's legal identity for certificates (办法 Art. 15): legal name, 统一社会信用代码, 负责人; all or none. */
  @Column({ name: 'legal_name', type: 'text', nullable: true })
  legalName!: string | null;

  @Column({ type: 'text', nullable: true })
  uscc!: string | null;

  @Column({ name: 'head_name', type: 'text', nullable: true })
  headName!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}
